"""Add the datalab's web app to a Jupyter server's config (one call in proxies/jupyter_server_config.py)."""

from __future__ import annotations

import os
import secrets
import sys
from typing import Any

from ..contract import read_webapp
from ..errors import ContractError
from .server_proxy import proxy_name, server_proxy_entry


def loopback_library():
    """The preload library binding listening sockets to 127.0.0.1 (built by bootstrap.sh; None if absent)."""
    from ..desktop.session import LOOPBACK_LIBRARY

    return LOOPBACK_LIBRARY if LOOPBACK_LIBRARY.is_file() else None


def configure_webapp(c: Any) -> None:
    """Add a ``webapp-<id>`` server-proxy entry for DATALABS_WEBAPP; a bad value is reported, not fatal."""
    try:
        app = read_webapp(os.environ)
    except ContractError as e:
        print(f"[datalabs-webapp] web app disabled: {e}", file=sys.stderr)
        return
    if app is None:
        return
    library = loopback_library()
    if app.webapp.loopback_only and library is None:
        print(f"[datalabs-webapp] {app.id}: the loopback-only library is not built (bash bootstrap.sh); "
              "the app binds where its command says", file=sys.stderr)
    servers = dict(c.ServerProxy.servers) if "servers" in c.ServerProxy else {}
    servers[proxy_name(app.id)] = server_proxy_entry(app, secrets.token_urlsafe(32), os.environ, library)
    c.ServerProxy.servers = servers
