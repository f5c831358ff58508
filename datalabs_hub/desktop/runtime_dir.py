"""The private folder of this user's desktop sessions (sockets, cookies, icons): where it is and how it is made."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

ENV_RUNTIME_DIR = "DATALABS_DESKTOP_DIR"


def runtime_dir(env: Mapping[str, str] = os.environ, uid: int | None = None) -> Path:
    """Where this user's desktop sessions keep their sockets and cookies (a private 0700 folder). Pure."""
    if env.get(ENV_RUNTIME_DIR):
        return Path(env[ENV_RUNTIME_DIR])
    uid = os.getuid() if uid is None else uid
    if env.get("XDG_RUNTIME_DIR"):
        return Path(env["XDG_RUNTIME_DIR"]) / "datalabs-desktop"
    return Path("/tmp") / f"datalabs-desktop-{uid}"


def icon_dir(runtime: Path) -> Path:
    """Where the launcher tiles' icons are written (inside the private folder). Pure."""
    return runtime / "icons"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` as a 0700 folder of this user, or check an existing one is exactly that.

    Refuses (PermissionError) a folder owned by someone else, a symlink or one others can enter,
    so nobody can pre-create it in a shared /tmp to reach the sockets.
    """
    try:
        path.mkdir(mode=0o700, parents=False)
    except FileExistsError:
        pass
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077:
        raise PermissionError(
            f"{path} must be a folder owned by uid {os.getuid()} with mode 0700 (found uid {info.st_uid}, "
            f"mode {stat.S_IMODE(info.st_mode):o}); remove it and restart the datalab"
        )
    return path


def write_private(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path``, readable by this user only (0600)."""
    raw = data.encode() if isinstance(data, str) else data
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(raw)
