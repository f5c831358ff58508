"""Desktop applications in the datalab server: the viewer page, its static files and the session API.

``GET {base_url}desktop/<id>/``      the application full-size in the tab (noVNC), started if needed
``POST {base_url}desktop/<id>/api/session``  start it again (the viewer calls it after a disconnect)
``GET {base_url}desktop-static/...``  the bundled viewer (public code, cached by version)

The websocket itself is jupyter-server-proxy's ``vnc-<id>`` entry (see :mod:`datalabs_hub.desktop.server_proxy`).
All pages need the user's Jupyter credentials, like every other page of the server.
"""

from __future__ import annotations

import hashlib
import html
import json
from typing import Any

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.utils import url_path_join

from ..catalog.models import ID_PATTERN
from ..contract import DesktopAppInfo
from ..desktop.supervisor import DesktopSupervisor
from ..desktop.viewer import VIEWER_DIR
from ..errors import NotFound
from .http_errors import DatalabsErrors

#: the catalogue's id pattern as one URL segment (its inner group made non-capturing: one handler argument)
APP_PATTERN = "(" + ID_PATTERN.removeprefix("^").removesuffix("$").replace("(", "(?:") + ")"
#: key of the desktop supervisor in the web app's settings
SETTINGS_KEY = "datalabs_desktop"

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="modulepreload" href="{script}">
<style>
html, body {{ margin: 0; height: 100%; overflow: hidden; background: #202020; font: 14px sans-serif; }}
#screen {{ position: absolute; inset: 0; }}
#status {{ position: absolute; top: 40%; width: 100%; text-align: center; color: #ddd; }}
#clipboard-button {{ position: absolute; top: 0; left: 50%; transform: translateX(-50%); z-index: 2; opacity: .35; border: 0; border-radius: 0 0 4px 4px;
  padding: 1px 8px; background: #444; color: #fff; font-size: 12px; cursor: pointer; }}
#clipboard-button:hover, #clipboard-button:focus {{ opacity: 1; }}
#clipboard-panel {{ position: absolute; top: 22px; left: 50%; transform: translateX(-50%); z-index: 2; background: #333; color: #eee; padding: 8px;
  border-radius: 4px; box-shadow: 0 2px 8px #0008; }}
#clipboard-panel textarea {{ width: 320px; height: 120px; display: block; }}
</style></head>
<body data-app="{app_id}" data-state="loading">
<div id="screen"></div>
<div id="status">Starting {title}...</div>
<button id="clipboard-button" title="Clipboard (Ctrl+C / Ctrl+V work directly where the browser allows it)">Clipboard</button>
<div id="clipboard-panel" hidden><label for="clipboard-text">Clipboard of {title}</label>
<textarea id="clipboard-text" spellcheck="false"></textarea></div>
<script type="module" src="{script}"></script>
</body></html>
"""


def viewer_version() -> str:
    """A version of the bundled viewer for cache busting (its content hash)."""
    try:
        return hashlib.sha256((VIEWER_DIR / "viewer.js").read_bytes()).hexdigest()[:12]
    except OSError:
        return "missing"


class _DesktopMixin(DatalabsErrors):
    @property
    def supervisor(self) -> DesktopSupervisor:
        return self.settings[SETTINGS_KEY]  # type: ignore[attr-defined]

    def app_or_404(self, app_id: str) -> DesktopAppInfo:
        """The application ``app_id`` of this datalab, or a 404 that says it is not one."""
        app = self.supervisor.apps.get(app_id)
        if app is None:
            raise NotFound(f"'{app_id}' is not a desktop application of this datalab")
        return app


class DesktopPageHandler(_DesktopMixin, JupyterHandler):
    """The viewer page of one application; starts the application first if it does not run."""

    auth_resource = "terminals"  # a desktop is as powerful as a terminal of the same account

    @tornado.web.authenticated
    @authorized
    async def get(self, app_id: str) -> None:
        app = self.app_or_404(app_id)
        await self.supervisor.ensure(app_id)
        self.xsrf_token  # noqa: B018 (sets the _xsrf cookie the viewer sends back)
        script = url_path_join(self.base_url, "desktop-static", "viewer.js") + f"?v={self.settings['datalabs_viewer_version']}"
        self.set_header("Cache-Control", "no-store")
        self.finish(PAGE.format(title=html.escape(app.title), app_id=app_id, script=html.escape(script)))


class DesktopSessionHandler(_DesktopMixin, APIHandler):
    """``GET``: whether the application runs and shows a window (the spawner waits for it);
    ``POST``: start the application again if it ended (the viewer's reconnect)."""

    auth_resource = "terminals"

    @tornado.web.authenticated
    @authorized
    async def get(self, app_id: str) -> None:
        self.app_or_404(app_id)
        self.finish(json.dumps({"id": app_id, "running": self.supervisor.running(app_id),
                                "on_screen": self.supervisor.on_screen(app_id)}))

    @tornado.web.authenticated
    @authorized
    async def post(self, app_id: str) -> None:
        self.app_or_404(app_id)
        await self.supervisor.ensure(app_id)
        self.finish(json.dumps({"id": app_id, "running": True}))


class ViewerStaticHandler(tornado.web.StaticFileHandler):
    """The bundled viewer: public code (noVNC), cached for a year under its content hash."""

    def set_extra_headers(self, path: str) -> None:
        if self.get_argument("v", None):
            self.set_header("Cache-Control", "public, max-age=31536000, immutable")


def desktop_handlers() -> list[tuple[Any, ...]]:
    """The desktop routes, relative to the server's base URL (the extension app prepends it)."""
    return [
        (url_path_join("desktop", APP_PATTERN, "api", "session"), DesktopSessionHandler),
        (url_path_join("desktop", APP_PATTERN) + "/?", DesktopPageHandler),
        (url_path_join("desktop-static", "(.*)"), ViewerStaticHandler, {"path": str(VIEWER_DIR)}),
    ]
