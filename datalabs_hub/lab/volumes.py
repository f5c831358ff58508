"""The archive volumes mounted in this datalab: parse ``DATALABS_VOLUMES`` and describe each volume.

The hub sets ``DATALABS_VOLUMES`` to a JSON list when it launches a datalab::

    [{"id": "spice-kernels", "title": "SPICE kernels", "mission": ["BepiColombo"],
      "description": "...", "mount_path": "/data/spice-kernels", "read_only": true}]

:func:`parse_volumes` is pure: it validates the whole value and either returns every volume or none
of them plus one error message that names the entry and the field. :func:`describe_volume` adds what
the side panel needs from the file system (reachability, file browser path, number of entries).
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

ENV_VAR = "DATALABS_VOLUMES"

MAX_ENV_BYTES = 64 * 1024
"""A few hundred volumes fit easily; anything larger is refused before parsing."""
MAX_VOLUMES = 200
MAX_TITLE_CHARS = 200
MAX_DESCRIPTION_CHARS = 4000
MAX_MISSIONS = 50
MAX_PATH_CHARS = 4096

VOLUME_ID = re.compile(r"[a-z0-9](?:[a-z0-9_-]|\.(?!\.)){0,62}", re.IGNORECASE)
"""Letters, digits, ``_``, ``-`` and single dots; no ``/`` and no ``..``."""


class VolumesError(ValueError):
    """``DATALABS_VOLUMES`` is malformed; the message says where and why."""


@dataclass(frozen=True)
class Volume:
    """One archive volume as declared by the hub."""

    id: str
    title: str
    mount_path: str
    mission: list[str] = field(default_factory=list)
    description: str = ""
    read_only: bool = True


@dataclass(frozen=True)
class ParsedVolumes:
    """The outcome of :func:`parse_volumes`: the volumes, or none and an error."""

    volumes: list[Volume]
    error: str | None = None


def parse_volumes(raw: str | None) -> ParsedVolumes:
    """Parse and validate the value of ``DATALABS_VOLUMES``; unset or blank means no volumes."""
    if raw is None or not raw.strip():
        return ParsedVolumes([])
    try:
        return ParsedVolumes(_parse(raw))
    except VolumesError as exc:
        return ParsedVolumes([], f"{ENV_VAR} is invalid: {exc}")


def _parse(raw: str) -> list[Volume]:
    size = len(raw.encode("utf-8", errors="replace"))
    if size > MAX_ENV_BYTES:
        raise VolumesError(f"it is {size} bytes long, the limit is {MAX_ENV_BYTES}")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise VolumesError(f"not valid JSON ({_short(str(exc))})") from None
    if not isinstance(data, list):
        raise VolumesError(f"expected a JSON list of volumes, got {_json_type(data)}")
    if len(data) > MAX_VOLUMES:
        raise VolumesError(f"{len(data)} volumes, the limit is {MAX_VOLUMES}")

    volumes = [_parse_entry(index, entry) for index, entry in enumerate(data)]
    seen: set[str] = set()
    for index, volume in enumerate(volumes):
        if volume.id in seen:
            raise VolumesError(f"volume {index}: duplicate id {volume.id!r}")
        seen.add(volume.id)
    return volumes


def _parse_entry(index: int, entry: Any) -> Volume:
    where = f"volume {index}"
    if not isinstance(entry, dict):
        raise VolumesError(f"{where}: expected an object, got {_json_type(entry)}")

    volume_id = _string(entry, "id", where, max_chars=63)
    if not VOLUME_ID.fullmatch(volume_id):
        raise VolumesError(
            f"{where}: 'id' {_short(volume_id)!r} must be letters, digits, '_', '-' or single dots"
        )
    where = f"volume {index} ({volume_id})"

    missions = entry.get("mission", [])
    if isinstance(missions, str):
        missions = [missions]
    if not isinstance(missions, list) or not all(isinstance(m, str) for m in missions):
        raise VolumesError(f"{where}: 'mission' must be a string or a list of strings")
    if len(missions) > MAX_MISSIONS or any(len(m) > MAX_TITLE_CHARS for m in missions):
        raise VolumesError(f"{where}: 'mission' is too long")

    read_only = entry.get("read_only", True)
    if not isinstance(read_only, bool):
        raise VolumesError(f"{where}: 'read_only' must be true or false")

    return Volume(
        id=volume_id,
        title=_string(entry, "title", where, max_chars=MAX_TITLE_CHARS, default=volume_id),
        mount_path=_mount_path(_string(entry, "mount_path", where, max_chars=MAX_PATH_CHARS), where),
        mission=list(missions),
        description=_string(
            entry, "description", where, max_chars=MAX_DESCRIPTION_CHARS, default=""
        ),
        read_only=read_only,
    )


def _string(
    entry: Mapping[str, Any], key: str, where: str, *, max_chars: int, default: str | None = None
) -> str:
    value = entry.get(key, default)
    if value is None:
        raise VolumesError(f"{where}: missing '{key}'")
    if not isinstance(value, str):
        raise VolumesError(f"{where}: '{key}' must be a string, got {_json_type(value)}")
    if len(value) > max_chars:
        raise VolumesError(f"{where}: '{key}' is longer than {max_chars} characters")
    if "\x00" in value:
        raise VolumesError(f"{where}: '{key}' contains a NUL character")
    return value


def _mount_path(path: str, where: str) -> str:
    if not path.startswith("/"):
        raise VolumesError(f"{where}: 'mount_path' must be an absolute path, got {_short(path)!r}")
    if ".." in path.split("/"):
        raise VolumesError(f"{where}: 'mount_path' must not contain '..'")
    return posixpath.normpath(path)


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- What the panel shows -------------------------------------------------------------------


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
    volume: Volume,
    root_dir: str,
    availability: tuple[bool, int | None, str | None],
) -> dict[str, Any]:
    """The JSON object the API returns for one volume."""
    available, entries, reason = availability
    return {
        **asdict(volume),
        "browser_path": browser_path(volume.mount_path, root_dir),
        "available": available,
        "entries": entries,
        "reason": reason,
    }
