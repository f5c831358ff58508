"""What the hub hands a datalab: one typed contract, written by the hub and read by the datalab's server.

The hub builds a :class:`DatalabContract` from the launch plan and passes it as environment
variables (:meth:`DatalabContract.to_env`); the datalab's server extension, its desktop sessions
and its web app read it back with the same models (:func:`read_volumes`, :func:`read_desktop_apps`,
:func:`read_webapp`). Both sides share the catalogue's id pattern. Pure: no file system, no processes.

==============================  =====================================================
``DATALABS_DATALAB``            the catalogue id of the running datalab
``DATALABS_DATALAB_TITLE``      its title
``DATALABS_VOLUMES``            JSON list of :class:`VolumeInfo` (the archive volumes mounted)
``DATALABS_DESKTOP_APPS``       JSON list of :class:`DesktopAppInfo` (the desktop applications offered)
``DATALABS_DESKTOP_AUTOSTART``  the application a desktop datalab starts with its server
``DATALABS_WEBAPP``             JSON :class:`WebAppInfo`: the web app a web-app datalab serves
==============================  =====================================================
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, TypeAdapter, ValidationError, field_validator

from .catalog.models import ID_HINT, ID_PATTERN, DesktopApp, EntryId, WebApp
from .errors import ContractError

ENV_DATALAB = "DATALABS_DATALAB"
ENV_DATALAB_TITLE = "DATALABS_DATALAB_TITLE"
ENV_VOLUMES = "DATALABS_VOLUMES"
ENV_DESKTOP_APPS = "DATALABS_DESKTOP_APPS"
ENV_DESKTOP_AUTOSTART = "DATALABS_DESKTOP_AUTOSTART"
ENV_WEBAPP = "DATALABS_WEBAPP"

#: A larger value of one variable is refused before parsing (the hub never sends one).
MAX_VALUE_BYTES = 256 * 1024
#: Icons larger than this are not passed to datalabs (environment variables have a size limit); the tile has none.
MAX_ICON_URI_BYTES = 32 * 1024
MAX_VOLUMES = 200
MAX_APPS = 100

Title = Annotated[str, Field(min_length=1, max_length=200)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VolumeInfo(_Wire):
    """One archive volume as the datalab sees it (always read-only today)."""

    id: EntryId
    title: Title
    mission: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=50)
    description: Annotated[str, Field(max_length=4000)] = ""
    mount_path: Annotated[str, Field(min_length=2, max_length=4096)]
    read_only: StrictBool = True  # not lax: a string such as "no" must not turn into a writable mount

    @field_validator("mount_path")
    @classmethod
    def _absolute_normal(cls, value: str) -> str:
        if not value.startswith("/") or ".." in value.split("/") or "\x00" in value:
            raise ValueError("must be an absolute path without '..'")
        return posixpath.normpath(value)


class DesktopAppInfo(_Wire):
    """One desktop application a datalab offers (its own for a desktop datalab, tiles in JupyterLab)."""

    id: EntryId
    title: Title
    icon: Annotated[str, Field(pattern=r"^data:image/", max_length=MAX_ICON_URI_BYTES)] | None = None
    desktop: DesktopApp


class WebAppInfo(_Wire):
    """The web app a web-app datalab serves (its catalogue id, title and ``webapp:`` block)."""

    id: EntryId
    title: Title
    webapp: WebApp


class DatalabContract(_Wire):
    """Everything the hub tells one datalab."""

    datalab: EntryId
    title: Title
    volumes: list[VolumeInfo] = Field(default_factory=list, max_length=MAX_VOLUMES)
    desktop_apps: list[DesktopAppInfo] = Field(default_factory=list, max_length=MAX_APPS)
    desktop_autostart: EntryId | None = None
    webapp: WebAppInfo | None = None

    def to_env(self) -> dict[str, str]:
        """The environment variables that carry the contract into the datalab."""
        env = {
            ENV_DATALAB: self.datalab,
            ENV_DATALAB_TITLE: self.title,
            ENV_VOLUMES: _dump(self.volumes),
        }
        if self.desktop_apps:
            env[ENV_DESKTOP_APPS] = _dump(self.desktop_apps)
        if self.desktop_autostart:
            env[ENV_DESKTOP_AUTOSTART] = self.desktop_autostart
        if self.webapp:
            env[ENV_WEBAPP] = self.webapp.model_dump_json(by_alias=True, exclude_none=True)
        return env


def _dump(items: list[BaseModel]) -> str:
    return json.dumps([i.model_dump(mode="json", by_alias=True, exclude_none=True) for i in items], separators=(",", ":"))


_VOLUMES = TypeAdapter(list[VolumeInfo])
_APPS = TypeAdapter(list[DesktopAppInfo])


def _where(var: str, loc: tuple[Any, ...]) -> str:
    text = var
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _parse_list(var: str, raw: str | None, adapter: TypeAdapter, limit: int) -> list[Any]:
    if raw is None or not raw.strip():
        return []
    if len(raw.encode("utf-8", errors="replace")) > MAX_VALUE_BYTES:
        raise ContractError(var, f"is {len(raw)} bytes long; at most {MAX_VALUE_BYTES}")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as e:
        raise ContractError(var, f"is not valid JSON ({str(e)[:80]})") from None
    if not isinstance(data, list):
        raise ContractError(var, "must be a JSON list")
    if len(data) > limit:
        raise ContractError(var, f"has {len(data)} items; at most {limit}")
    try:
        items = adapter.validate_python(data)
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == ID_PATTERN:
            message = f"{err['input']!r:.60} {ID_HINT}"
        raise ContractError(_where(var, tuple(err["loc"])), message) from None
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            raise ContractError(f"{var}[{i}].id", f"duplicate id '{item.id}'")
        seen.add(item.id)
    return items


def read_volumes(env: Mapping[str, str]) -> list[VolumeInfo]:
    """The archive volumes of this datalab (raises :class:`ContractError` naming the item and field)."""
    return _parse_list(ENV_VOLUMES, env.get(ENV_VOLUMES), _VOLUMES, MAX_VOLUMES)


def read_desktop_apps(env: Mapping[str, str]) -> list[DesktopAppInfo]:
    """The desktop applications this datalab offers (raises :class:`ContractError`)."""
    return _parse_list(ENV_DESKTOP_APPS, env.get(ENV_DESKTOP_APPS), _APPS, MAX_APPS)


def read_desktop_autostart(env: Mapping[str, str]) -> str | None:
    """The application a desktop datalab starts with its server (None for other datalabs)."""
    return env.get(ENV_DESKTOP_AUTOSTART) or None


def read_webapp(env: Mapping[str, str]) -> WebAppInfo | None:
    """The web app of a web-app datalab (None for other datalabs; raises :class:`ContractError` naming the field)."""
    raw = env.get(ENV_WEBAPP)
    if raw is None or not raw.strip():
        return None
    if len(raw.encode("utf-8", errors="replace")) > MAX_VALUE_BYTES:
        raise ContractError(ENV_WEBAPP, f"is {len(raw)} bytes long; at most {MAX_VALUE_BYTES}")
    try:
        return WebAppInfo.model_validate_json(raw)
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        message = err["msg"].removeprefix("Value error, ")
        raise ContractError(_where(ENV_WEBAPP, tuple(err["loc"])), message) from None


def read_contract(env: Mapping[str, str]) -> DatalabContract:
    """The whole contract (raises :class:`ContractError` naming the variable, item and field)."""
    try:
        return DatalabContract(
            datalab=env.get(ENV_DATALAB, ""),
            title=env.get(ENV_DATALAB_TITLE, "") or env.get(ENV_DATALAB, ""),
            volumes=read_volumes(env),
            desktop_apps=read_desktop_apps(env),
            desktop_autostart=read_desktop_autostart(env),
            webapp=read_webapp(env),
        )
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        var = {"datalab": ENV_DATALAB, "title": ENV_DATALAB_TITLE, "desktop_autostart": ENV_DESKTOP_AUTOSTART}.get(
            str(err["loc"][0]), "contract")
        raise ContractError(var, err["msg"]) from None
