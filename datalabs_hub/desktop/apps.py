"""The desktop applications a datalab offers, as the hub describes them (DATALABS_DESKTOP_APPS). Pure."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from pydantic import ValidationError

from datalabs_hub.catalog.loader import field_path
from datalabs_hub.catalog.models import ID_RE, DesktopApp

ENV_APPS = "DATALABS_DESKTOP_APPS"
ENV_AUTOSTART = "DATALABS_DESKTOP_AUTOSTART"
ENV_RUNTIME_DIR = "DATALABS_DESKTOP_DIR"
#: A larger DATALABS_DESKTOP_APPS is refused (the hub never sends one).
MAX_APPS_BYTES = 256 * 1024


class AppsError(ValueError):
    """DATALABS_DESKTOP_APPS is not what the hub sends; the message says where."""


@dataclass(frozen=True)
class AppSpec:
    """One desktop application of this datalab."""

    id: str
    title: str
    desktop: DesktopApp
    icon: str | None = None  # a data: URI


def parse_apps(text: str | None) -> list[AppSpec]:
    """Parse DATALABS_DESKTOP_APPS (a JSON list); raises :class:`AppsError` naming the item and field."""
    if not text:
        return []
    if len(text) > MAX_APPS_BYTES:
        raise AppsError(f"{ENV_APPS} is {len(text)} bytes; at most {MAX_APPS_BYTES}")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise AppsError(f"{ENV_APPS} is not JSON: {e}") from None
    if not isinstance(raw, list):
        raise AppsError(f"{ENV_APPS} must be a JSON list of applications")
    apps: list[AppSpec] = []
    for i, item in enumerate(raw):
        where = f"{ENV_APPS}[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not ID_RE.match(item["id"]):
            raise AppsError(f"{where}: needs an 'id' of lowercase letters, digits and '-'")
        if not isinstance(item.get("title"), str) or not 0 < len(item["title"]) <= 200:
            raise AppsError(f"{where} ('{item['id']}'): needs a 'title' of 1-200 characters")
        icon = item.get("icon")
        if icon is not None and not (isinstance(icon, str) and icon.startswith("data:image/")):
            raise AppsError(f"{where} ('{item['id']}'): 'icon' must be a data:image/ URI")
        try:
            desktop = DesktopApp.model_validate(item.get("desktop"))
        except ValidationError as e:
            err = e.errors(include_url=False)[0]
            raise AppsError(f"{where} ('{item['id']}'), field 'desktop.{field_path(err['loc'])}': {err['msg']}") from None
        if any(a.id == item["id"] for a in apps):
            raise AppsError(f"{where}: duplicate id '{item['id']}'")
        apps.append(AppSpec(id=item["id"], title=item["title"], desktop=desktop, icon=icon))
    return apps


def apps_from_env(env: Mapping[str, str] = os.environ) -> list[AppSpec]:
    return parse_apps(env.get(ENV_APPS))


def runtime_dir(env: Mapping[str, str] = os.environ, uid: int | None = None) -> Path:
    """Where this user's desktop sessions keep their sockets and cookies (a private 0700 folder)."""
    if env.get(ENV_RUNTIME_DIR):
        return Path(env[ENV_RUNTIME_DIR])
    uid = os.getuid() if uid is None else uid
    if env.get("XDG_RUNTIME_DIR"):
        return Path(env["XDG_RUNTIME_DIR"]) / "datalabs-desktop"
    return Path("/tmp") / f"datalabs-desktop-{uid}"


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
