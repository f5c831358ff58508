"""The archive volumes of this datalab: ``GET {base_url}datalabs/api/volumes`` behind the JupyterLab panel.

The hub hands the volumes over in ``DATALABS_VOLUMES``, read with :func:`datalabs_hub.contract.read_volumes`
(all of them or none, with one error naming the item and field). For each volume the API adds what the
panel needs from the file system: whether it can be read, its path in the file browser, its number of
entries. A malformed value gives an empty list and the error, which the panel shows.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler

from ..contract import ENV_VOLUMES, VolumeInfo, read_volumes
from ..errors import ContractError
from .http_errors import DatalabsErrors

CHECK_TIMEOUT_S = 5.0
"""How long one volume may take to answer before it is reported unavailable (hung network mount)."""


def browser_path(mount_path: str, root_dir: str) -> str | None:
    """The mount path relative to the file browser's root (posix, no leading slash), or None.

    ``""`` means the root itself. Symlinks are resolved only when the plain paths do not nest.
    """
    for resolve in (os.path.abspath, os.path.realpath):
        root, path = resolve(root_dir), resolve(mount_path)
        if path == root:
            return ""
        relative = os.path.relpath(path, root)
        if relative != ".." and not relative.startswith(".." + os.sep):
            return relative.replace(os.sep, "/")
    return None


def check_available(mount_path: str) -> tuple[bool, int | None, str | None]:
    """Whether the volume can be read: ``(available, top-level entries, reason if not)``.

    This touches the file system (and may block on a network mount): run it in a thread.
    """
    if not os.path.exists(mount_path):
        return False, None, "Not mounted: the mount path does not exist."
    if not os.path.isdir(mount_path):
        return False, None, "The mount path is not a directory."
    try:
        with os.scandir(mount_path) as entries:
            count = sum(1 for _ in entries)
    except PermissionError:
        return False, None, "Permission denied: the volume cannot be read."
    except OSError as exc:
        return False, None, f"The volume cannot be read: {exc.strerror or exc}."
    return True, count, None


def describe_volume(
    volume: VolumeInfo,
    root_dir: str,
    availability: tuple[bool, int | None, str | None],
) -> dict[str, Any]:
    """The JSON object the API returns for one volume."""
    available, entries, reason = availability
    return {
        **volume.model_dump(mode="json"),
        "browser_path": browser_path(volume.mount_path, root_dir),
        "available": available,
        "entries": entries,
        "reason": reason,
    }


async def _check(mount_path: str) -> tuple[bool, int | None, str | None]:
    try:
        return await asyncio.wait_for(asyncio.to_thread(check_available, mount_path), CHECK_TIMEOUT_S)
    except TimeoutError:
        return False, None, f"The volume did not answer within {CHECK_TIMEOUT_S:g} s."


class VolumesHandler(DatalabsErrors, APIHandler):
    """``GET {base_url}datalabs/api/volumes``: ``{"volumes": [...]}``, plus ``"error"`` if the hub's value is malformed."""

    auth_resource = "contents"

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        body: dict[str, Any] = {}
        try:
            volumes = read_volumes(os.environ)
        except ContractError as e:
            volumes = []
            body["error"] = f"{ENV_VOLUMES} is invalid: {e}"
            self.log.warning("Datalabs: %s", body["error"])
        root_dir = self._root_dir()
        checks = await asyncio.gather(*(_check(v.mount_path) for v in volumes))
        body["volumes"] = [describe_volume(v, root_dir, check) for v, check in zip(volumes, checks, strict=True)]
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body))

    def _root_dir(self) -> str:
        """The directory the file browser shows as ``/``."""
        root = getattr(self.contents_manager, "root_dir", None)
        return str(root or self.settings.get("server_root_dir") or os.getcwd())
