"""What the hub's pages show: the catalogue and the user's datalabs (pure view models), and the templates.

The hub's home page is the one place to launch: the catalogue on top, the user's datalabs below.
JupyterHub's own templates are overridden by ours in ``templates/`` (home, spawn, spawn_pending);
:func:`page_template_vars` hands them their data through JupyterHub's ``template_vars``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Literal

import jinja2

from ..catalog import Catalog, allowed_for, shared_store
from ..errors import InvalidOptions
from .options import parse_options

TEMPLATES = Path(__file__).parent / "templates"

#: how the pages name each kind of datalab
KIND_LABELS = {"jupyterlab": "JupyterLab", "desktop": "Desktop application", "webapp": "Web application"}

ServerState = Literal["running", "starting", "stopping", "stopped"]


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
            "kind_label": KIND_LABELS.get(d.kind, d.kind),
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
        except InvalidOptions:
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


@dataclass(frozen=True)
class ServerInfo:
    """What the pages need to know of one of the user's servers (read from JupyterHub's spawner)."""

    name: str
    user_options: dict[str, Any] | None
    state: ServerState
    url: str


def server_info(user: Any, spawner: Any) -> ServerInfo:
    """Read a JupyterHub spawner (the running wrapper or the stored ``orm.Spawner``) into a :class:`ServerInfo`."""
    pending = getattr(spawner, "pending", None)
    if pending == "spawn":
        state: ServerState = "starting"
    elif pending == "stop":
        state = "stopping"
    elif getattr(spawner, "ready", False):
        state = "running"
    else:
        state = "stopped"
    options = getattr(spawner, "user_options", None)
    if not options and getattr(spawner, "orm_spawner", None) is not None:
        options = spawner.orm_spawner.user_options
    return ServerInfo(name=spawner.name, user_options=options or None, state=state, url=user.server_url(spawner.name))


def launch_summary(catalog: Catalog, user_options: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a launch asks for, in the catalogue's words: the datalab's title and kind, the volumes and their paths.

    ``None`` when the options name no datalab (a server that was never launched).
    """
    if not user_options or not isinstance(user_options.get("datalab"), str):
        return None
    datalab_id = user_options["datalab"]
    datalab = catalog.datalabs.get(datalab_id)
    volume_ids = user_options.get("volumes")
    if not isinstance(volume_ids, list):
        volume_ids = list(datalab.default_volumes) if datalab else []
    volumes = []
    for vid in volume_ids:
        volume = catalog.volumes.get(vid) if isinstance(vid, str) else None
        volumes.append({"id": str(vid), "title": volume.title if volume else str(vid),
                        "mount_path": str(volume.path_in_datalab) if volume else ""})
    return {
        "datalab": datalab_id,
        "title": datalab.title if datalab else datalab_id,
        "kind": datalab.kind if datalab else "",
        "kind_label": KIND_LABELS.get(datalab.kind, datalab.kind) if datalab else "no longer in the catalogue",
        "volumes": volumes,
    }


def datalab_rows(catalog: Catalog, servers: Iterable[ServerInfo]) -> list[dict[str, Any]]:
    """The home page's list of the user's datalabs: name, kind, volumes, state and where to open it.

    Servers that were never launched (no datalab chosen) are left out: they have nothing to show.
    """
    rows = []
    for server in sorted(servers, key=lambda s: s.name):
        summary = launch_summary(catalog, server.user_options)
        if summary is None:
            continue
        rows.append({**summary, "name": server.name, "label": server.name or "(default)",
                     "state": server.state, "url": server.url})
    return rows


def spawn_form_html(catalog: Catalog, groups: Iterable[str], previous: dict[str, Any] | None = None) -> str:
    """The catalogue as the spawn page's form (``Spawner.options_form``), the previous choice preselected."""
    return render_template("catalog_form.html", catalog=catalog_view(catalog, groups, previous=previous))


def page_template_vars(catalog_path: str, volume_roots: Iterable[str]) -> dict[str, Callable[[Any], Any]]:
    """JupyterHub ``template_vars`` for our pages, each a function of the page's user (None when logged out).

    ``datalabs_catalog``: the catalogue view; ``datalabs_servers``: the user's datalabs by server name
    (:func:`datalab_rows`); ``datalabs_describe``: a function of a spawner, its row (for any user's spawner).
    """
    roots = list(volume_roots)

    def catalog() -> Catalog:
        return shared_store(catalog_path, roots).get()

    def catalog_var(user: Any) -> dict[str, Any] | None:
        if user is None:
            return None
        names = [name for name in getattr(user, "orm_spawners", {}) if name]
        return catalog_view(catalog(), group_names(user), server_names=names)

    def servers_var(user: Any) -> dict[str, dict[str, Any]] | None:
        if user is None:
            return None
        infos = [server_info(user, sp) for sp in user.all_spawners(include_default=True)]
        return {row["name"]: row for row in datalab_rows(catalog(), infos)}

    def describe_var(user: Any) -> Callable[[Any], dict[str, Any] | None]:
        def describe(spawner: Any) -> dict[str, Any] | None:
            rows = datalab_rows(catalog(), [server_info(spawner.user, spawner)])
            return rows[0] if rows else None

        return describe

    return {"datalabs_catalog": catalog_var, "datalabs_servers": servers_var, "datalabs_describe": describe_var}


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)


def render_template(name: str, **context: Any) -> str:
    """Render one of our templates outside the hub's own page machinery (e.g. the spawn form)."""
    return _environment().get_template(name).render(**context)
