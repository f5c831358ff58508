"""Reload the asset catalogue when its files change (stat only, no reading, on each request)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from .asset_library import Catalogue, load_catalogue

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


class CatalogueCache:
    """The current catalogue of ``folders``; ``on_reload`` sees each newly loaded one (to log its errors)."""

    def __init__(self, folders: Sequence[Path], on_reload: Callable[[Catalogue], None] | None = None) -> None:
        self.folders = list(folders)
        self._on_reload = on_reload
        self._fingerprint: Fingerprint | None = None
        self._catalogue = Catalogue()

    def current(self) -> Catalogue:
        now = fingerprint(self.folders)
        if now != self._fingerprint:
            self._catalogue = load_catalogue(self.folders)
            self._fingerprint = now
            if self._on_reload is not None:
                self._on_reload(self._catalogue)
        return self._catalogue
