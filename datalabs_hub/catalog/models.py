"""Typed models of the datalab catalogue: datalabs and archive volumes.

The catalogue is data (``spawner_profiles/*.yaml``); these models define what a valid entry is.
Everything here is pure: no file system access beyond what the loader passes in.
"""

from __future__ import annotations

import re
import string
from pathlib import PurePosixPath
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: An id is a lowercase RFC 1123 label, short enough to prefix in Kubernetes names ("vol-<id>").
ID_PATTERN = r"^[a-z0-9]([-a-z0-9]{0,48}[a-z0-9])?$"
ID_RE = re.compile(ID_PATTERN)
ID_HINT = "is not a valid id: use lowercase letters, digits and '-', starting and ending with a letter or digit (at most 50)"

#: The host folder below which archive volumes' local sources lie by default (the demo volumes are built there).
VOLUME_ROOT = "/srv/datalabs/volumes"

#: Archive volumes are mounted below one of these directories inside a datalab.
MOUNT_ROOTS = (PurePosixPath("/data"), PurePosixPath("/mnt"))

EntryId = Annotated[str, Field(pattern=ID_PATTERN, description="lowercase letters, digits and '-', at most 50")]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(max_length=4000)]

_MEMORY_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
_MEMORY_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?$", re.IGNORECASE)


def parse_memory(text: str | int) -> int:
    """Parse a memory size such as ``4G``, ``512Mi`` or ``1073741824`` into bytes."""
    if isinstance(text, int):
        return text
    match = _MEMORY_RE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a memory size such as 512M, 4G or 2Gi")
    number, unit = match.groups()
    return int(float(number) * _MEMORY_UNITS[unit.upper()])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class PvcSource(_Strict):
    claimName: Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]


class NfsSource(_Strict):
    server: ShortText
    path: Annotated[str, Field(pattern=r"^/")]


class HostPathSource(_Strict):
    path: Annotated[str, Field(pattern=r"^/")]


class KubernetesVolumeSource(_Strict):
    """Where an archive volume comes from on Kubernetes: exactly one of PVC, NFS export or hostPath."""

    persistentVolumeClaim: PvcSource | None = None
    nfs: NfsSource | None = None
    hostPath: HostPathSource | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> KubernetesVolumeSource:
        given = [name for name in ("persistentVolumeClaim", "nfs", "hostPath") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of persistentVolumeClaim, nfs, hostPath"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self


class VolumeSource(_Strict):
    """Where an archive volume's files are: a host directory (embedded default) and/or a Kubernetes source."""

    local: PurePosixPath | None = Field(None, description="absolute host directory, below an allowed volume root")
    kubernetes: KubernetesVolumeSource | None = None

    @field_validator("local")
    @classmethod
    def _absolute(cls, value: PurePosixPath | None) -> PurePosixPath | None:
        if value is not None and (not value.is_absolute() or ".." in value.parts):
            raise ValueError(f"{value} must be an absolute path without '..'")
        return value

    @model_validator(mode="after")
    def _at_least_one(self) -> VolumeSource:
        if self.local is None and self.kubernetes is None:
            raise ValueError("give a 'local' directory and/or a 'kubernetes' source")
        return self


class ArchiveVolume(_Strict):
    """A hosted, read-only archive volume (a mission archive, SPICE kernels, ...)."""

    id: EntryId
    title: ShortText
    mission: list[ShortText] = Field(default_factory=list, max_length=50)
    description: LongText = ""
    size: Annotated[str, Field(max_length=40)] | None = None
    tags: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=50)
    source: VolumeSource
    mount_path: PurePosixPath | None = Field(None, description="where it appears in a datalab; default /data/<id>")
    allowed_groups: list[ShortText] = Field(default_factory=list, description="empty: every user")

    @field_validator("mount_path")
    @classmethod
    def _mount_below_roots(cls, value: PurePosixPath | None) -> PurePosixPath | None:
        if value is None:
            return value
        if ".." in value.parts or not any(root in value.parents for root in MOUNT_ROOTS):
            roots = " or ".join(f"{root}/" for root in MOUNT_ROOTS)
            raise ValueError(f"{value} must be an absolute path below {roots} without '..'")
        return value

    @property
    def path_in_datalab(self) -> PurePosixPath:
        """Where the volume appears inside a datalab."""
        return self.mount_path or MOUNT_ROOTS[0] / self.id


class Resources(_Strict):
    """Limits of one datalab; enforced where the back end allows it."""

    cpu: Annotated[float, Field(gt=0, le=1024)] | None = Field(None, description="cores")
    memory: str | int | None = Field(None, description="e.g. 4G, 512Mi")

    @field_validator("memory")
    @classmethod
    def _memory(cls, value: str | int | None) -> str | int | None:
        if value is not None:
            parse_memory(value)
        return value

    @property
    def memory_bytes(self) -> int | None:
        return None if self.memory is None else parse_memory(self.memory)


class Environment(_Strict):
    """What runs: a command on the embedded default, an image (plus optional command) on Kubernetes."""

    command: list[Annotated[str, Field(min_length=1, max_length=4096)]] | None = Field(
        None, description="argv of the single-user server; default: the spawner's cmd (jupyterhub-singleuser)"
    )
    image: Annotated[str, Field(max_length=512)] | None = None
    env: dict[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")], Annotated[str, Field(max_length=4096)]] = (
        Field(default_factory=dict)
    )
    default_url: Annotated[str, Field(pattern=r"^/[^\s]*$", max_length=512)] | None = Field(
        None, description="page the datalab opens on, e.g. /lab"
    )


#: Window geometry of a desktop application: WIDTHxHEIGHT in pixels.
GEOMETRY_PATTERN = r"^[1-9][0-9]{2,3}x[1-9][0-9]{2,3}$"
#: A window-manager match pattern (openbox: ``*`` and ``?`` wildcards); no markup characters.
WindowPattern = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^<>&\"\x00-\x1f]+$")]
CommandArg = Annotated[str, Field(min_length=1, max_length=4096, pattern=r"^[^\x00]+$")]


class MainWindow(_Strict):
    """Which window is the application's main window: kept maximised and undecorated (dialogs stay movable)."""

    title: WindowPattern | None = Field(None, description="window title pattern, e.g. 'TOPCAT'")
    window_class: WindowPattern | None = Field(None, alias="class", description="WM_CLASS pattern, e.g. 'Ds9'")

    @model_validator(mode="after")
    def _one_rule(self) -> MainWindow:
        if self.title is None and self.window_class is None:
            raise ValueError("give 'title' and/or 'class' (or leave main_window out to maximise every normal window)")
        return self


class DesktopApp(_Strict):
    """The ``desktop:`` block of a desktop datalab: an X11 program shown in the browser through noVNC."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, populate_by_name=True)

    command: list[CommandArg] = Field(min_length=1, max_length=64, description="argv of the program")
    geometry: Annotated[str, Field(pattern=GEOMETRY_PATTERN)] = Field(
        "1600x1000", description="initial screen size WIDTHxHEIGHT; the screen then follows the browser window"
    )
    java_heap: str | None = Field(None, description="maximum Java heap (-Xmx), e.g. 1G, for Java programs")
    main_window: MainWindow | None = None
    samp: bool = Field(False, description="connect to the datalab's own SAMP hub (loopback only)")
    loopback_only: bool = Field(True, description="bind the program's listening sockets to the loopback address")
    opengl: bool = Field(
        False, description="offer OpenGL (GLX, software rendering) to the program; costs ~50 MiB per session"
    )

    @field_validator("geometry")
    @classmethod
    def _geometry(cls, value: str) -> str:
        width, height = (int(n) for n in value.split("x"))
        if not (320 <= width <= 7680 and 200 <= height <= 4320):
            raise ValueError(f"{value} is outside 320x200 .. 7680x4320")
        return value

    @field_validator("java_heap")
    @classmethod
    def _heap(cls, value: str | None) -> str | None:
        if value is not None:
            size = parse_memory(value)
            if not 64 * 1024**2 <= size <= 1024**4:
                raise ValueError(f"{value} is outside 64M .. 1T")
        return value

    @property
    def java_heap_mib(self) -> int | None:
        return None if self.java_heap is None else parse_memory(self.java_heap) // 1024**2

    @property
    def size(self) -> tuple[int, int]:
        width, height = self.geometry.split("x")
        return int(width), int(height)


#: Placeholders of a web app's command, env and headers: jupyter-server-proxy's, plus ``{prefix}`` (the app's own
#: URL path) and ``{token}`` (a secret made when the datalab's server starts, for apps that check a token).
WEBAPP_PLACEHOLDERS = ("port", "unix_socket", "base_url", "prefix", "token")
HeaderName = Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{1,64}$")]
EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
AppPath = Annotated[str, Field(pattern=r"^/[^\s#]*$", max_length=512)]


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders of ``text`` (``{{`` and ``}}`` are literal braces); raises ValueError if malformed."""
    names = set()
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if name not in WEBAPP_PLACEHOLDERS or spec or conversion:
            known = ", ".join(f"{{{n}}}" for n in WEBAPP_PLACEHOLDERS)
            raise ValueError(f"unknown placeholder {{{name}}} in {text!r}; use {known} (write {{{{ and }}}} for braces)")
        names.add(name)
    return names


class WebApp(_Strict):
    """The ``webapp:`` block of a web-app datalab: an HTTP server started and proxied by jupyter-server-proxy."""

    command: list[CommandArg] = Field(
        min_length=1, max_length=64,
        description="argv of the server; {port}, {unix_socket}, {base_url} and {prefix} are filled in",
    )
    listen: Literal["unix", "tcp"] = Field(
        "tcp", description="unix: a socket in a private folder ({unix_socket}); tcp: a port on 127.0.0.1 ({port})"
    )
    path: AppPath = Field("/", description="the page the datalab opens on, relative to the app's root")
    ready_path: AppPath = Field("/", description="a path that answers once the app is up (the spawner asks it)")
    timeout: Annotated[int, Field(ge=1, le=600)] = Field(60, description="seconds the app may take to answer")
    absolute_url: bool = Field(
        False, description="the app is told its full URL path ({prefix}) and receives requests with it"
    )
    env: dict[EnvName, Annotated[str, Field(max_length=4096)]] = Field(default_factory=dict)
    headers: dict[HeaderName, Annotated[str, Field(max_length=4096, pattern=r"^[^\r\n\x00]*$")]] = Field(
        default_factory=dict, description="headers the proxy adds to every request, e.g. Authorization: token {token}"
    )
    loopback_only: bool = Field(True, description="bind the app's listening sockets to the loopback address")

    @field_validator("command")
    @classmethod
    def _command_placeholders(cls, value: list[str]) -> list[str]:
        for arg in value:
            placeholders(arg)
        return value

    @field_validator("env", "headers")
    @classmethod
    def _env_placeholders(cls, value: dict[str, str]) -> dict[str, str]:
        for text in value.values():
            placeholders(text)
        return value

    @model_validator(mode="after")
    def _listens_where_told(self) -> WebApp:
        used = set().union(*(placeholders(a) for a in [*self.command, *self.env.values(), *self.headers.values()]))
        needed = "unix_socket" if self.listen == "unix" else "port"
        if needed not in used:
            raise ValueError(f"listen: {self.listen} needs {{{needed}}} in command or env (where the app listens)")
        if self.absolute_url and "prefix" not in used and "base_url" not in used:
            raise ValueError("absolute_url: true needs {prefix} in command or env (the app must know its URL path)")
        if "token" in used and not any("token" in placeholders(v) for v in self.headers.values()):
            raise ValueError("{token} in command or env needs a header that sends it, e.g. Authorization: token {token}")
        return self


class Datalab(_Strict):
    """An entry of the datalab catalogue: a JupyterLab environment, a desktop application or a web app."""

    id: EntryId
    title: ShortText
    description: LongText = ""
    kind: Literal["jupyterlab", "desktop", "webapp"]
    tags: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=50)
    icon: Annotated[str, Field(max_length=200)] | None = Field(
        None, description="an SVG or PNG file next to the catalogue file (relative path)"
    )
    environment: Environment = Field(default_factory=Environment)
    resources: Resources = Field(default_factory=Resources)
    default_volumes: list[EntryId] = Field(default_factory=list, max_length=100)
    allowed_groups: list[ShortText] = Field(default_factory=list, description="empty: every user")
    desktop: DesktopApp | None = Field(None, description="the X11 program of a desktop datalab")
    webapp: WebApp | None = Field(None, description="the web server of a web-app datalab")

    @model_validator(mode="after")
    def _desktop_block(self) -> Datalab:
        if self.kind == "desktop" and self.desktop is None:
            raise ValueError("a datalab of kind 'desktop' needs a 'desktop:' block with at least 'command'")
        if self.kind != "desktop" and self.desktop is not None:
            raise ValueError(f"only datalabs of kind 'desktop' have a 'desktop:' block (this one is '{self.kind}')")
        return self

    @model_validator(mode="after")
    def _webapp_block(self) -> Datalab:
        if self.kind == "webapp" and self.webapp is None:
            raise ValueError("a datalab of kind 'webapp' needs a 'webapp:' block with at least 'command'")
        if self.kind != "webapp" and self.webapp is not None:
            raise ValueError(f"only datalabs of kind 'webapp' have a 'webapp:' block (this one is '{self.kind}')")
        return self


class CatalogFile(_Strict):
    """The top level of one ``spawner_profiles/*.yaml`` file."""

    datalabs: list[Datalab] = Field(default_factory=list)
    volumes: list[ArchiveVolume] = Field(default_factory=list)


def allowed_for(groups: frozenset[str] | set[str], allowed_groups: list[str]) -> bool:
    """Whether a user in ``groups`` may use an entry restricted to ``allowed_groups`` (empty: everyone)."""
    return not allowed_groups or bool(set(allowed_groups) & set(groups))
