"""Facts about the host that the pure sandbox builder needs (read from the file system)."""

from __future__ import annotations

import os
import shutil

from .bwrap import SYSTEM_DIRS, USR_ALIASES, HostLayout


def detect_layout(root: str = "/") -> HostLayout:
    """Which system directories exist and which /usr aliases are symlinks."""
    system_dirs = tuple(d for d in SYSTEM_DIRS if os.path.isdir(os.path.join(root, d.lstrip("/"))))
    symlinks: dict[str, str] = {}
    alias_dirs: list[str] = []
    for alias in USR_ALIASES:
        path = os.path.join(root, alias.lstrip("/"))
        if os.path.islink(path):
            symlinks[alias] = os.readlink(path)
        elif os.path.isdir(path):
            alias_dirs.append(alias)
    return HostLayout(system_dirs=system_dirs, symlinks=symlinks, alias_dirs=tuple(alias_dirs))


def find_tool(name: str) -> str:
    """Absolute path of a sandbox tool, or an error that says how to install it."""
    path = shutil.which(name)
    if path is None:
        package = {"bwrap": "bubblewrap", "setpriv": "util-linux", "nsenter": "util-linux", "ip": "iproute2",
                   "pasta": "passt"}.get(name, name)
        raise RuntimeError(f"'{name}' is not installed; install it with: apt-get install {package}")
    return path
