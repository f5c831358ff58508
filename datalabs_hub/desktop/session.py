"""Pure builders of one desktop session: Xvnc's argv, the X cookie file, the window manager's rules,
the application's argv and environment. No processes here (see :mod:`.launcher`).

The launcher runs for as long as the session and imports this module but not the catalogue's pydantic
models (about 25 MiB per session): the supervisor hands it a :class:`SessionSpec` as JSON.
"""

from __future__ import annotations

import json
import struct
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Protocol
from xml.sax.saxutils import quoteattr

if TYPE_CHECKING:
    from datalabs_hub.catalog.models import DesktopApp
    from datalabs_hub.contract import DesktopAppInfo

#: environment variable that carries the :class:`SessionSpec` from the supervisor to the launcher
ENV_SESSION_SPEC = "DATALABS_DESKTOP_SESSION"

#: Xauthority family that matches every display (the cookie file belongs to one session only).
FAMILY_WILD = 0xFFFF
COOKIE_NAME = b"MIT-MAGIC-COOKIE-1"
#: the loopback-only preload library (built from ``proxies/loopback/loopback_bind.c`` by bootstrap.sh)
LOOPBACK_LIBRARY = Path(__file__).resolve().parent / "lib" / "libdatalabs-loopback.so"


#: JVM options for a Java desktop program (one user, one interactive window, a small heap), measured with
#: TOPCAT (bench/desktop.py, bench/README.md): the serial collector (what the JVM picks itself on a small
#: machine; no parallel GC threads and their memory), the C1 compiler only (less CPU while the program starts,
#: next to Xvnc and Jupyter on shared cores), and Swing's back buffer in the Java heap rather than as an X
#: pixmap in Xvnc (Xvnc renders in software: copying the image is quicker than drawing into its pixmap).
JAVA_DESKTOP_OPTIONS = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dsun.java2d.pmoffscreen=false")


@dataclass(frozen=True)
class SessionPaths:
    """The files of one application's session, all inside its private 0700 folder."""

    folder: Path

    @property
    def socket(self) -> Path:
        return self.folder / "vnc.sock"

    @property
    def xauthority(self) -> Path:
        return self.folder / "Xauthority"

    @property
    def ready(self) -> Path:
        """Written by the launcher once the application's first window is on screen."""
        return self.folder / "ready"

    @property
    def openbox_rc(self) -> Path:
        return self.folder / "openbox-rc.xml"


class ScreenOptions(Protocol):
    """What Xvnc and the application's environment need of an application (a ``DesktopApp`` or a spec)."""

    geometry: str
    loopback_only: bool
    opengl: bool

    @property
    def java_heap_mib(self) -> int | None: ...


@dataclass(frozen=True)
class SessionSpec:
    """Everything the launcher needs to run one application's session, as plain JSON-able data."""

    app_id: str
    title: str
    command: tuple[str, ...]
    geometry: str
    java_heap_mib: int | None
    loopback_only: bool
    opengl: bool
    window_manager_rc: str

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> SessionSpec:
        """The spec written by :meth:`to_json` (ValueError/TypeError/KeyError if it is not one)."""
        data = json.loads(text)
        return cls(**{**data, "command": tuple(data["command"])})


def session_spec(app: DesktopAppInfo) -> SessionSpec:
    """The launcher's spec of ``app``."""
    desktop = app.desktop
    return SessionSpec(app_id=app.id, title=app.title, command=tuple(desktop.command), geometry=desktop.geometry,
                       java_heap_mib=desktop.java_heap_mib, loopback_only=desktop.loopback_only, opengl=desktop.opengl,
                       window_manager_rc=openbox_rc(desktop))


def session_paths(runtime_dir: Path, app_id: str) -> SessionPaths:
    return SessionPaths(runtime_dir / app_id)


def xauthority_bytes(cookie: bytes) -> bytes:
    """An Xauthority file with one MIT-MAGIC-COOKIE-1 entry valid for any display (FamilyWild)."""
    if len(cookie) != 16:
        raise ValueError("an MIT-MAGIC-COOKIE-1 is 16 bytes")

    def counted(data: bytes) -> bytes:
        return struct.pack(">H", len(data)) + data

    return struct.pack(">H", FAMILY_WILD) + counted(b"") + counted(b"") + counted(COOKIE_NAME) + counted(cookie)


def xvnc_argv(paths: SessionPaths, app: ScreenOptions, title: str, displayfd: int, xvnc: str = "Xvnc") -> list[str]:
    """Xvnc on a unix socket only (no TCP, no abstract socket), clients need the cookie, no VNC password
    (the socket is reachable only through the authenticated Jupyter server). Without GLX unless the program
    needs OpenGL: Xvnc's GLX loads Mesa's software renderer (LLVM), ~50 MiB of the ~70 MiB Xvnc takes alone."""
    return [
        xvnc,
        "-displayfd", str(displayfd),
        "-rfbunixpath", str(paths.socket), "-rfbunixmode", "0600", "-rfbport", "-1",
        "-nolisten", "tcp", "-nolisten", "local",
        "-auth", str(paths.xauthority),
        "-SecurityTypes", "None",
        "-AcceptSetDesktopSize=1", "-AlwaysShared=1",
        "-AcceptCutText=1", "-SendCutText=1", "-SetPrimary=1", "-SendPrimary=1",
        "-geometry", app.geometry, "-depth", "24",
        "-desktop", title,
        *(() if app.opengl else ("-extension", "GLX")),
    ]


def openbox_rc(app: DesktopApp) -> str:
    """Openbox rules: the main window maximised and undecorated; other windows (dialogs, plots) framed and movable."""
    rule = app.main_window
    attrs = 'type="normal"'
    if rule is not None and rule.title:
        attrs += f" title={quoteattr(rule.title)}"
    if rule is not None and rule.window_class:
        attrs += f" class={quoteattr(rule.window_class)}"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<openbox_config xmlns="http://openbox.org/3.4/rc">
  <focus><focusNew>yes</focusNew><followMouse>no</followMouse></focus>
  <placement><policy>Smart</policy><center>yes</center></placement>
  <theme><name>Clearlooks</name><titleLayout>LC</titleLayout></theme>
  <desktops><number>1</number></desktops>
  <keyboard/>
  <mouse><dragThreshold>1</dragThreshold>
    <context name="Frame"><mousebind button="A-Left" action="Drag"><action name="Move"/></mousebind></context>
    <context name="Titlebar"><mousebind button="Left" action="Drag"><action name="Move"/></mousebind>
      <mousebind button="Left" action="Press"><action name="Focus"/><action name="Raise"/></mousebind></context>
    <context name="Client"><mousebind button="Left" action="Press"><action name="Focus"/><action name="Raise"/></mousebind></context>
    <context name="Close"><mousebind button="Left" action="Click"><action name="Close"/></mousebind></context>
  </mouse>
  <applications>
    <application {attrs}>
      <decor>no</decor>
      <maximized>yes</maximized>
      <focus>yes</focus>
    </application>
  </applications>
</openbox_config>
"""


def app_env(base: Mapping[str, str], app: ScreenOptions, display: str, paths: SessionPaths,
            loopback_library: Path = LOOPBACK_LIBRARY) -> dict[str, str]:
    """The application's environment: its display and cookie, the Java heap, the loopback-only preload."""
    env = {k: v for k, v in base.items() if not k.startswith("JUPYTERHUB_") and k not in ("JPY_API_TOKEN", "LD_PRELOAD")}
    env.update(DISPLAY=display, XAUTHORITY=str(paths.xauthority))
    if app.java_heap_mib is not None:
        env["JAVA_TOOL_OPTIONS"] = " ".join((f"-Xmx{app.java_heap_mib}m", *JAVA_DESKTOP_OPTIONS))
    if app.loopback_only:
        env["LD_PRELOAD"] = str(loopback_library)
    return env
