"""Apply the datalab's desktop applications to a Jupyter server's config (used by jupyter_server_config.py)."""

from __future__ import annotations

import os
import sys
from typing import Any

from .apps import AppsError, apps_from_env, ensure_private_dir, runtime_dir
from .server_proxy import icon_file, server_proxy_entries


def configure_server_proxy(c: Any) -> None:
    """Add ``vnc-<id>`` server-proxy entries for DATALABS_DESKTOP_APPS; a bad value is reported, not fatal."""
    try:
        apps = apps_from_env()
    except AppsError as e:
        print(f"[datalabs-desktop] desktop applications disabled: {e}", file=sys.stderr)
        return
    if not apps:
        return
    base = ensure_private_dir(runtime_dir())
    icon_dir = ensure_private_dir(base / "icons")
    for app in apps:
        icon = icon_file(app, icon_dir)
        if icon is not None:
            fd = os.open(icon[0], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(icon[1])
    servers = dict(c.ServerProxy.servers) if "servers" in c.ServerProxy else {}
    servers.update(server_proxy_entries(apps, base, icon_dir))
    c.ServerProxy.servers = servers
