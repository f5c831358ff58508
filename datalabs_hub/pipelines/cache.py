"""Reload the asset library when its files change (stat only, no reading, on each request)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from .asset_library import AssetLibrary, load_asset_library

Fingerprint = tuple[tuple[str, int, int], ...]


def fingerprint(folders: Sequence[Path]) -> Fingerprint:
    """(path, mtime, size) of every file directly in the folders; a missing folder counts as empty."""
    entries: list[tuple[str, int, int]] = []
    for folder in folders:
        try:
            with os.scandir(folder) as scan:
                for entry in scan:
                    try:
                        info = entry.stat()
                    except OSError:
                        continue
                    entries.append((entry.path, info.st_mtime_ns, info.st_size))
        except OSError:
            entries.append((str(folder), -1, -1))
    return tuple(sorted(entries))


class AssetLibraryCache:
    """The current library of ``folders``; ``on_reload`` sees each newly loaded one (to log its errors)."""

    def __init__(self, folders: Sequence[Path], on_reload: Callable[[AssetLibrary], None] | None = None) -> None:
        self.folders = list(folders)
        self._on_reload = on_reload
        self._fingerprint: Fingerprint | None = None
        self._library = AssetLibrary()

    def current(self) -> AssetLibrary:
        now = fingerprint(self.folders)
        if now != self._fingerprint:
            self._library = load_asset_library(self.folders)
            self._fingerprint = now
            if self._on_reload is not None:
                self._on_reload(self._library)
        return self._library
