"""Start, watch and stop the desktop sessions of one datalab (runs inside the Jupyter server).

Each application's launcher (:mod:`.launcher`) and the datalab's SAMP hub (:mod:`.samp_hub`) run as
simpervisor ``SupervisedProcess``es, as jupyter-server-proxy runs its servers: a session is ready when its
VNC socket accepts connections, and one that crashes is started again at once. A desktop datalab's own
application is restarted whenever it ends (``always_restart``); an application of a launcher tile that the
user quit starts again on its next page load or viewer reconnect. The server extension's stop hook calls
:meth:`DesktopSupervisor.stop`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
from pathlib import Path

import simpervisor.atexitasync
from simpervisor import SupervisedProcess

from ..contract import DesktopAppInfo
from ..errors import Unavailable
from .runtime_dir import ensure_private_dir
from .samp_hub import lock_url
from .session import ENV_SESSION_SPEC, session_paths, session_spec

log = logging.getLogger("datalabs.desktop")

#: Seconds a session has to end after SIGTERM (its launcher stops its own processes) before it is killed.
STOP_GRACE_S = 8.0


def socket_accepts(path: Path) -> bool:
    """Whether a unix socket at ``path`` accepts a connection (Xvnc is up)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(path))
        except OSError:
            return False
        return True


class DesktopSupervisor:
    """The desktop sessions (one supervised launcher per application) and the SAMP hub of this datalab."""

    def __init__(self, apps: list[DesktopAppInfo], runtime_dir: Path, start_timeout: float = 20.0,
                 autostart: str | None = None):
        self.apps = {a.id: a for a in apps}
        self.runtime_dir = runtime_dir
        self.start_timeout = start_timeout
        self.autostart = autostart
        self._sessions: dict[str, SupervisedProcess] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._samp: SupervisedProcess | None = None
        self._stopped = False
        # jupyter_server handles SIGTERM itself and then calls the extensions' stop hooks (ours stops the
        # sessions); simpervisor's handler, installed on the first start, would replace the server's and
        # exit without that cleanup (kernels and the validation worker included).
        simpervisor.atexitasync.signal_handler_set = True

    @property
    def samp_lockfile(self) -> Path:
        return self.runtime_dir / "samp-hub"

    @property
    def runs_samp_hub(self) -> bool:
        """Whether this datalab runs its own SAMP hub: only where two SAMP clients can meet, a JupyterLab
        datalab whose desktop tiles include a SAMP application (its notebooks and the applications).

        A desktop datalab shows one application alone: nothing else in it is a SAMP peer, so it does not pay
        for a hub (an astropy process, ~50 MiB, and its start-up competing with the application's).
        """
        return self.autostart is None and any(a.desktop.samp for a in self.apps.values())

    def samp_env(self) -> dict[str, str]:
        """SAMP_HUB for every process of the datalab (kernels, terminals, desktop applications). Also where no
        hub runs, so a SAMP application never looks for (or connects to) a hub outside the datalab."""
        if any(a.desktop.samp for a in self.apps.values()):
            return {"SAMP_HUB": lock_url(str(self.samp_lockfile))}
        return {}

    def running(self, app_id: str) -> bool:
        session = self._sessions.get(app_id)
        return session is not None and session.running

    def on_screen(self, app_id: str) -> bool:
        """Whether ``app_id`` runs and its first window is on screen."""
        return self.running(app_id) and session_paths(self.runtime_dir, app_id).ready.exists()

    async def start(self, app_id: str) -> None:
        """Start ``app_id``'s launcher if it does not run (does not wait for it: :meth:`ensure` does).

        One ``SupervisedProcess`` per application until it is stopped: starting it again while simpervisor
        restarts it after a crash is a no-op, never a second session.
        """
        if self._stopped:
            raise Unavailable("The datalab is stopping; open it again from the hub.")
        try:
            ensure_private_dir(self.runtime_dir)
        except OSError as e:
            log.error("Desktop sessions' folder: %s", e)
            raise Unavailable(f"Cannot prepare the desktop sessions' folder: {e}") from None
        await self._start_samp_hub()
        session = self._sessions.get(app_id)
        if session is None:
            sock = session_paths(self.runtime_dir, app_id).socket

            async def vnc_accepts(_: SupervisedProcess) -> bool:
                return socket_accepts(sock)

            session = self._sessions[app_id] = SupervisedProcess(
                f"desktop-{app_id}", sys.executable, "-m", "datalabs_hub.desktop.launcher", app_id,
                always_restart=app_id == self.autostart, ready_func=vnc_accepts, ready_timeout=self.start_timeout,
                log=log, env=dict(os.environ, **self.samp_env(), **{ENV_SESSION_SPEC: session_spec(self.apps[app_id]).to_json()}),
                stdin=asyncio.subprocess.DEVNULL,
            )
        if not session.running:
            log.info("Starting desktop application %s", app_id)
        await session.start()

    async def ensure(self, app_id: str) -> None:
        """Make sure ``app_id``'s session runs and its VNC socket accepts connections.

        Raises :class:`~datalabs_hub.errors.Unavailable` (503) if it is not up within the start timeout;
        the session is then stopped, so an application that cannot start is not restarted in a loop.
        """
        app = self.apps[app_id]
        async with self._locks.setdefault(app_id, asyncio.Lock()):
            if self.running(app_id) and socket_accepts(session_paths(self.runtime_dir, app_id).socket):
                return
            await self.start(app_id)
            session = self._sessions[app_id]
            if await session.ready():
                return
            log.error("Desktop application %s did not start within %.0f s (exit status %s); stopping it",
                      app_id, self.start_timeout, session.returncode)
            await self._stop_process(self._sessions.pop(app_id))
            raise Unavailable(f"{app.title} did not start within {self.start_timeout:.0f} s; the datalab's log "
                              "says why. Reload the page to try again.")

    async def _start_samp_hub(self) -> None:
        """The datalab's SAMP hub, if it has one (:attr:`runs_samp_hub`); not waited for: the applications start
        at the same time and connect when it is up (TOPCAT and DS9 look for a hub again every few seconds)."""
        if not self.runs_samp_hub:
            return
        if self._samp is None:  # one, restarted by simpervisor after a crash and by start() after an exit
            self._samp = SupervisedProcess(
                "samp-hub", sys.executable, "-m", "datalabs_hub.desktop.samp_hub", str(self.samp_lockfile),
                log=log, stdin=asyncio.subprocess.DEVNULL,
            )
        await self._samp.start()

    async def stop(self) -> None:
        """Stop every session and the SAMP hub (each launcher stops its own processes first)."""
        self._stopped = True
        processes = [*self._sessions.values(), *([self._samp] if self._samp else [])]
        self._sessions.clear()
        await asyncio.gather(*(self._stop_process(p) for p in processes))

    @staticmethod
    async def _stop_process(process: SupervisedProcess) -> None:
        """SIGTERM, then SIGKILL after :data:`STOP_GRACE_S`; no restart afterwards."""
        process.always_restart = False
        if not process.running:
            return
        try:
            await asyncio.wait_for(process.terminate(), STOP_GRACE_S)
        except TimeoutError:
            process.proc.send_signal(process.proc.get_kill_signal())
            await process.proc.wait()
