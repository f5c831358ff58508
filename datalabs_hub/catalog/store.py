"""Hot reload: the next page load sees an edited catalogue; an invalid edit keeps the last good one."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Iterable

from .loader import Catalog, CatalogError, catalog_files, load_catalog

log = logging.getLogger(__name__)


def _fingerprint(directory: Path) -> tuple:
    """What changes when a catalogue file (or an icon beside it) is added, removed or edited."""
    try:
        entries = sorted(directory.rglob("*"))
    except OSError:
        return ()
    out = []
    for p in entries:
        try:
            st = p.stat()
        except OSError:
            continue
        out.append((str(p), st.st_mtime_ns, st.st_size))
    return tuple(out)


class CatalogStore:
    """The current catalogue of one folder, reloaded when its files change.

    Construction loads the catalogue and raises :class:`CatalogError` if it is invalid, so a hub
    with a bad catalogue does not start. Later reloads that fail are logged and the last good
    catalogue stays in use; ``last_error`` tells what is wrong.
    """

    def __init__(self, directory: Path | str, allowed_volume_roots: Iterable[Path | str] | None = None):
        self.directory = Path(directory)
        self.allowed_volume_roots = None if allowed_volume_roots is None else [Path(r) for r in allowed_volume_roots]
        self.last_error: CatalogError | None = None
        self._lock = threading.Lock()
        self._fingerprint = _fingerprint(self.directory)
        self._catalog = load_catalog(self.directory, self.allowed_volume_roots)

    def get(self) -> Catalog:
        """The catalogue, reloaded first if a file changed since the last call."""
        fingerprint = _fingerprint(self.directory)
        if fingerprint == self._fingerprint:
            return self._catalog
        with self._lock:
            if fingerprint != self._fingerprint:
                self._fingerprint = fingerprint
                try:
                    self._catalog = load_catalog(self.directory, self.allowed_volume_roots)
                    self.last_error = None
                    log.info("Reloaded the datalab catalogue from %s", self.directory)
                except CatalogError as e:
                    self.last_error = e
                    log.error("%s\nKeeping the last valid catalogue until this is fixed.", e)
        return self._catalog


_stores: dict[tuple, CatalogStore] = {}
_stores_lock = threading.Lock()


def shared_store(directory: Path | str, allowed_volume_roots: Iterable[Path | str] | None = None) -> CatalogStore:
    """One store per (folder, roots) for the whole hub process, so every spawner sees the same catalogue."""
    roots = None if allowed_volume_roots is None else tuple(str(r) for r in allowed_volume_roots)
    key = (str(Path(directory).resolve()), roots)
    with _stores_lock:
        if key not in _stores:
            _stores[key] = CatalogStore(directory, roots)
        return _stores[key]


__all__ = ["CatalogStore", "shared_store", "catalog_files"]
