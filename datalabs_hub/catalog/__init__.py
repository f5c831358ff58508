"""The datalab catalogue: typed models, the YAML loader and hot reload."""

from .loader import Catalog, CatalogError, Problem, load_catalog
from .models import VOLUME_ROOT, ArchiveVolume, Datalab, allowed_for
from .store import CatalogStore, shared_store

__all__ = [
    "ArchiveVolume",
    "Catalog",
    "CatalogError",
    "CatalogStore",
    "Datalab",
    "Problem",
    "VOLUME_ROOT",
    "allowed_for",
    "load_catalog",
    "shared_store",
]
