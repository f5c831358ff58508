"""The jupyter-server-proxy entry of a web-app datalab, built from its ``webapp:`` block. Pure.

The app is served at ``<server base URL>/webapp-<id>/``: jupyter-server-proxy starts the command on
the first request (with the user's Jupyter/hub login in front), waits until the app answers and
proxies HTTP and websockets to it, on a unix socket in a private folder or a 127.0.0.1 port.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..catalog.models import WebApp
from ..contract import WebAppInfo

#: the Jupyter server's variables that hold credentials: a web app gets them empty
SECRET_ENV = ("JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN", "JUPYTERHUB_OAUTH_CLIENT_SECRET")


def proxy_name(app_id: str) -> str:
    """The server-proxy entry (and first URL segment below the server's base URL) of a web app."""
    return f"webapp-{app_id}"


def webapp_page(app: WebAppInfo) -> str:
    """The page a web-app datalab opens on, relative to the server's base URL (its ``default_url``)."""
    return f"/{proxy_name(app.id)}{app.webapp.path}"


def ready_path(app: WebAppInfo) -> str:
    """The path the spawner asks (relative to the server's base URL) to know the app is up."""
    return f"{proxy_name(app.id)}{app.webapp.ready_path}"


def _escape(text: str) -> str:
    # jupyter-server-proxy formats what a callable returns once more: keep its braces literal
    return text.replace("{", "{{").replace("}", "}}")


def render(text: str, *, port: int, unix_socket: str, base_url: str, app_id: str, token: str) -> str:
    """Fill in the placeholders of one command argument, env value or header (braces of the result escaped)."""
    prefix = f"{base_url.rstrip('/')}/{proxy_name(app_id)}/"
    return _escape(text.format(port=port, unix_socket=unix_socket, base_url=base_url, prefix=prefix, token=token))


def app_command(app: WebAppInfo, token: str) -> Callable[..., list[str]]:
    """The entry's ``command``: a callable, so ``{prefix}`` and ``{token}`` are filled in besides server-proxy's."""

    def command(port: int, unix_socket: str, base_url: str) -> list[str]:
        return [render(a, port=port, unix_socket=unix_socket, base_url=base_url, app_id=app.id, token=token)
                for a in app.webapp.command]

    return command


def app_environment(app: WebAppInfo, token: str, server_env: Mapping[str, str],
                    loopback_library: Path | None) -> Callable[..., dict[str, str]]:
    """The entry's ``environment``: the block's env, credentials of the Jupyter server blanked, the loopback guard."""
    webapp: WebApp = app.webapp

    def environment(port: int, unix_socket: str, base_url: str) -> dict[str, str]:
        env = {name: "" for name in SECRET_ENV if name in server_env}
        if webapp.loopback_only and loopback_library is not None:
            env["LD_PRELOAD"] = str(loopback_library)
        for name, value in webapp.env.items():
            env[name] = render(value, port=port, unix_socket=unix_socket, base_url=base_url, app_id=app.id, token=token)
        return env

    return environment


def app_headers(app: WebAppInfo, token: str) -> Callable[..., dict[str, str]]:
    """The entry's ``request_headers_override``: the block's headers (e.g. the app's token)."""

    def headers(port: int, unix_socket: str, base_url: str) -> dict[str, str]:
        return {name: render(value, port=port, unix_socket=unix_socket, base_url=base_url, app_id=app.id, token=token)
                for name, value in app.webapp.headers.items()}

    return headers


def server_proxy_entry(app: WebAppInfo, token: str, server_env: Mapping[str, str],
                       loopback_library: Path | None) -> dict[str, Any]:
    """One ``c.ServerProxy.servers`` value for ``app``; ``token`` fills ``{token}`` (a fresh secret per server)."""
    webapp = app.webapp
    entry: dict[str, Any] = {
        "command": app_command(app, token),
        "environment": app_environment(app, token, server_env, loopback_library),
        "request_headers_override": app_headers(app, token),
        "timeout": float(webapp.timeout),
        "absolute_url": webapp.absolute_url,
        "new_browser_tab": True,
        "launcher_entry": {"title": app.title, "path_info": webapp_page(app).lstrip("/")},
    }
    if webapp.listen == "unix":
        entry["unix_socket"] = True  # a socket in a new private (0700) temporary folder
    return entry
