"""Wire Datalabs into a JupyterHub configuration: one call from ``jupyterhub_config.py``.

    from datalabs_hub.hub.config import configure
    configure(c)

It checks the catalogue first, so a hub with an invalid catalogue refuses to start and says why.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterable

from ..catalog import CatalogError, shared_store
from .pages import TEMPLATES, page_template_vars
from .spawner import DatalabsSpawner


def configure(c: Any, catalog_path: str | None = None, volume_roots: Iterable[str] | None = None) -> None:
    """Apply the Datalabs settings to the config object ``c`` of a ``jupyterhub_config.py``.

    ``catalog_path`` and ``volume_roots`` default to ``c.DatalabsSpawner.catalog_path`` /
    ``allowed_volume_roots`` if set, else the traits' defaults; both are also set on ``c``.
    """
    spawner_cfg = c.DatalabsSpawner
    traits = DatalabsSpawner.class_traits()
    catalog_path = catalog_path or spawner_cfg.get("catalog_path") or traits["catalog_path"].default()
    if volume_roots is None:
        volume_roots = spawner_cfg.get("allowed_volume_roots") or traits["allowed_volume_roots"].default()
    volume_roots = [str(r) for r in volume_roots]
    spawner_cfg.catalog_path = catalog_path
    spawner_cfg.allowed_volume_roots = volume_roots
    try:
        catalog = shared_store(catalog_path, volume_roots).get()
    except CatalogError as e:
        print(f"\nThe hub cannot start: {e}\nFix the file(s) above, or run `datalabs check-config` to check again.\n",
              file=sys.stderr)
        raise SystemExit(2) from None

    c.JupyterHub.allow_named_servers = True
    c.JupyterHub.default_url = "/hub/home"
    paths = list(c.JupyterHub.get("template_paths", []))
    if str(TEMPLATES) not in paths:
        c.JupyterHub.template_paths = [str(TEMPLATES), *paths]
    template_vars = dict(c.JupyterHub.get("template_vars", {}))
    template_vars.update(page_template_vars(catalog_path, volume_roots))
    c.JupyterHub.template_vars = template_vars
    print(f"Datalabs catalogue: {len(catalog.datalabs)} datalab(s), {len(catalog.volumes)} archive volume(s)"
          f" from {Path(catalog_path)}", file=sys.stderr)
