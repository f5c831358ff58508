"""What the hub's pages show of the catalogue (pure view models) and the Jinja templates that show it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import jinja2

from ..catalog import Catalog, allowed_for
from .options import OptionsError, parse_options

TEMPLATES = Path(__file__).parent / "templates"


def group_names(user: Any) -> list[str]:
    """The names of a JupyterHub user's groups (catalogue entries may be restricted to groups)."""
    return [g.name for g in getattr(user, "groups", None) or []]


def catalog_view(catalog: Catalog, groups: Iterable[str], previous: dict[str, Any] | None = None,
                 server_names: Iterable[str] = ()) -> dict[str, Any]:
    """The datalabs and volumes one user may use, with the previous choice preselected when still valid."""
    groups = set(groups)
    datalabs = [
        {
            "id": d.id,
            "title": d.title,
            "description": d.description,
            "kind": d.kind,
            "tags": list(d.tags),
            "icon": catalog.icons.get(d.id),
            "default_volumes": list(d.default_volumes),
        }
        for d in catalog.datalabs.values()
        if allowed_for(groups, d.allowed_groups)
    ]
    volumes = [
        {
            "id": v.id,
            "title": v.title,
            "mission": list(v.mission),
            "description": v.description,
            "size": v.size or "",
            "tags": list(v.tags),
            "mount_path": str(v.path_in_datalab),
        }
        for v in catalog.volumes.values()
        if allowed_for(groups, v.allowed_groups)
    ]
    selected_datalab = datalabs[0]["id"] if datalabs else None
    selected_volumes = list(datalabs[0]["default_volumes"]) if datalabs else []
    if previous:
        try:
            options = parse_options(previous)
        except OptionsError:
            options = None
        ids = {d["id"] for d in datalabs}
        if options and options.datalab in ids:
            selected_datalab = options.datalab
            chosen = options.volumes
            if chosen is None:
                chosen = next(d["default_volumes"] for d in datalabs if d["id"] == options.datalab)
            allowed = {v["id"] for v in volumes}
            selected_volumes = [v for v in chosen if v in allowed]
    return {
        "datalabs": datalabs,
        "volumes": volumes,
        "selected_datalab": selected_datalab,
        "selected_volumes": selected_volumes,
        "server_names": sorted(server_names),
    }


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)


def render_template(name: str, **context: Any) -> str:
    """Render one of our templates outside the hub's own page machinery (e.g. the spawn form)."""
    return _environment().get_template(name).render(**context)
