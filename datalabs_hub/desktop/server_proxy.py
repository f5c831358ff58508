"""jupyter-server-proxy entries generated from the datalab's desktop applications. Pure.

Each application gets one raw-socket entry ``vnc-<id>``: the websocket of its viewer page, proxied
as a byte stream to Xvnc's unix socket (no websockify). Its launcher tile opens the viewer page
``desktop/<id>/`` served by the Datalabs server extension, which starts the session on demand.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any

from ..contract import DesktopAppInfo
from .session import session_paths

#: JupyterLab's launcher draws a tile's image (``icon_url``) only in its kernel sections, "Notebook" and "Console";
#: in any other section it shows the command's icon, and jupyter-server-proxy's open command has none (a blank
#: tile). So the desktop applications' tiles go beside the notebook kernels, as jupyter-server-proxy's own default.
LAUNCHER_CATEGORY = "Notebook"


def proxy_name(app_id: str) -> str:
    """The server-proxy entry (and URL segment) of an application's VNC websocket."""
    return f"vnc-{app_id}"


def viewer_path(app_id: str) -> str:
    """The viewer page of an application, relative to the server's base URL."""
    return f"desktop/{app_id}/"


def icon_file(app: DesktopAppInfo, icon_dir: Path) -> tuple[Path, bytes] | None:
    """Where the application's icon goes for the launcher tile, and its bytes (None: no usable icon)."""
    if not app.icon:
        return None
    header, _, data = app.icon.partition(",")
    suffix = {"data:image/svg+xml;base64": ".svg", "data:image/png;base64": ".png"}.get(header)
    if suffix is None:
        return None
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None
    return icon_dir / f"{app.id}{suffix}", raw


def server_proxy_entries(apps: list[DesktopAppInfo], runtime_dir: Path, icon_dir: Path) -> dict[str, dict[str, Any]]:
    """``c.ServerProxy.servers`` for ``apps``."""
    servers: dict[str, dict[str, Any]] = {}
    for app in apps:
        icon = icon_file(app, icon_dir)
        launcher: dict[str, Any] = {
            "title": app.title,
            "path_info": viewer_path(app.id),
            "category": LAUNCHER_CATEGORY,
        }
        if icon is not None:
            launcher["icon_path"] = str(icon[0])
        servers[proxy_name(app.id)] = {
            # no command: the Datalabs server extension supervises the session (started with the
            # datalab for a desktop datalab, on the first page load otherwise)
            "unix_socket": str(session_paths(runtime_dir, app.id).socket),
            "raw_socket_proxy": True,
            "new_browser_tab": True,
            "launcher_entry": launcher,
        }
    return servers
