"""Start, watch and stop the desktop sessions of one datalab (runs inside the Jupyter server).

A desktop datalab starts its application together with the server, so opening the tab only loads
the viewer and connects; other applications (launcher tiles) start on their first page load. A
session whose application ended is started again on the next page load or viewer reconnect; the
autostarted one is started again at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

from .apps import AppSpec, ensure_private_dir
from .samp_hub import lock_url
from .session import session_paths

log = logging.getLogger("datalabs.desktop")


class SessionError(RuntimeError):
    """A desktop session could not be started; the message says why and what to do."""


def socket_accepts(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(path))
        except OSError:
            return False
        return True


class DesktopSupervisor:
    """The desktop sessions (one launcher process per application) of this datalab."""

    def __init__(self, apps: list[AppSpec], runtime_dir: Path, start_timeout: float = 20.0):
        self.apps = {a.id: a for a in apps}
        self.runtime_dir = runtime_dir
        self.start_timeout = start_timeout
        self._procs: dict[str, subprocess.Popen] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._samp: subprocess.Popen | None = None
        self._watchers: list[asyncio.Task] = []
        self._stopping = False

    @property
    def samp_lockfile(self) -> Path:
        return self.runtime_dir / "samp-hub"

    def samp_env(self) -> dict[str, str]:
        """SAMP_HUB for every process of the datalab (kernels, terminals, desktop applications)."""
        if any(a.desktop.samp for a in self.apps.values()):
            return {"SAMP_HUB": lock_url(str(self.samp_lockfile))}
        return {}

    def on_screen(self, app_id: str) -> bool:
        """Whether ``app_id`` runs and its first window is on screen."""
        return self.running(app_id) and session_paths(self.runtime_dir, app_id).ready.exists()

    def running(self, app_id: str) -> bool:
        proc = self._procs.get(app_id)
        return proc is not None and proc.poll() is None

    def start_samp_hub(self) -> None:
        """Start the datalab's SAMP hub if an application uses SAMP (not waited for: the applications
        start at the same time and connect when it is up; TOPCAT and DS9 look for a hub again every few seconds)."""
        if not self.samp_env() or (self._samp is not None and self._samp.poll() is None):
            return
        self._samp = subprocess.Popen([sys.executable, "-m", "datalabs_hub.desktop.samp_hub", str(self.samp_lockfile)],
                                      stdin=subprocess.DEVNULL)

    async def ensure(self, app_id: str) -> None:
        """Make sure ``app_id``'s session runs and its VNC socket accepts connections."""
        app = self.apps.get(app_id)
        if app is None:
            raise KeyError(app_id)
        lock = self._locks.setdefault(app_id, asyncio.Lock())
        async with lock:
            sock = session_paths(self.runtime_dir, app_id).socket
            if self.running(app_id) and socket_accepts(sock):
                return
            if not self.running(app_id):
                self.start(app_id)
            proc = self._procs[app_id]
            deadline = asyncio.get_running_loop().time() + self.start_timeout
            while not socket_accepts(sock):
                if proc.poll() is not None:
                    raise SessionError(
                        f"{app.title} exited while starting (status {proc.returncode}); "
                        "the datalab's log says why. Reload the page to try again."
                    )
                if asyncio.get_running_loop().time() > deadline:
                    raise SessionError(f"{app.title} did not start within {self.start_timeout:.0f} s; reload to try again.")
                await asyncio.sleep(0.02)

    def start(self, app_id: str) -> None:
        """Start ``app_id``'s launcher now (does not wait; :meth:`ensure` waits for its socket).

        Synchronous so a desktop datalab can start its application while the server is still
        loading (the Java start-up of TOPCAT then overlaps Jupyter's own).
        """
        if self.running(app_id):
            return
        try:
            ensure_private_dir(self.runtime_dir)
        except OSError as e:
            raise SessionError(f"Cannot prepare the desktop sessions' folder: {e}") from None
        self.start_samp_hub()
        env = dict(os.environ, **self.samp_env())
        log.info("Starting desktop application %s", app_id)
        self._procs[app_id] = subprocess.Popen([sys.executable, "-m", "datalabs_hub.desktop.launcher", app_id], env=env,
                                               stdin=subprocess.DEVNULL)

    def autostart(self, app_id: str) -> None:
        """Start ``app_id`` now and again whenever it ends, until the server stops."""

        async def keep_running() -> None:
            while not self._stopping:
                try:
                    await self.ensure(app_id)
                    while self.running(app_id):
                        await asyncio.sleep(0.2)
                    log.warning("Desktop application %s ended; starting it again", app_id)
                except SessionError as e:
                    log.error("%s", e)
                await asyncio.sleep(0.5)

        self._watchers.append(asyncio.ensure_future(keep_running()))

    def terminate(self) -> None:
        """Ask every session and the SAMP hub to stop (at server exit); the launchers clean up themselves."""
        self._stopping = True
        for proc in [*self._procs.values(), self._samp]:
            if proc is not None and proc.poll() is None:
                proc.terminate()

    async def stop(self) -> None:
        """Stop every session and the SAMP hub (each launcher stops its own processes)."""
        self._stopping = True
        for task in self._watchers:
            task.cancel()
        procs = [p for p in [*self._procs.values(), self._samp] if p is not None and p.poll() is None]
        for proc in procs:
            proc.terminate()
        deadline = asyncio.get_running_loop().time() + 8
        while any(p.poll() is None for p in procs) and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.1)
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
