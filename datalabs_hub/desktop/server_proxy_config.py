"""The datalab's desktop applications as jupyter-server-proxy entries, for ``proxies/jupyter_server_config.py``.

Pure apart from reading the environment: it computes entries and paths and creates nothing (the
Datalabs server extension makes the private folder and writes the icons when it starts).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

from ..contract import read_desktop_apps
from ..errors import ContractError
from .runtime_dir import icon_dir, runtime_dir
from .server_proxy import server_proxy_entries


def configure_server_proxy(c: Any, env: Mapping[str, str] = os.environ) -> None:
    """Add ``vnc-<id>`` server-proxy entries for DATALABS_DESKTOP_APPS; a bad value is reported, not fatal."""
    try:
        apps = read_desktop_apps(env)
    except ContractError as e:
        # the server extension logs the same problem through the server's log
        print(f"[datalabs-desktop] desktop applications disabled: {e}", file=sys.stderr)
        return
    if not apps:
        return
    base = runtime_dir(env)
    servers = dict(c.ServerProxy.servers) if "servers" in c.ServerProxy else {}
    servers.update(server_proxy_entries(apps, base, icon_dir(base)))
    c.ServerProxy.servers = servers
