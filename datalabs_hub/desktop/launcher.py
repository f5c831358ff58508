"""Run one desktop application's session: Xvnc on a private unix socket, openbox, the application.

``python -m datalabs_hub.desktop.launcher <app-id>``, with the session's
:class:`~datalabs_hub.desktop.session.SessionSpec` in DATALABS_DESKTOP_SESSION (the supervisor builds it
from the contract; the launcher stays free of pydantic, it lives as long as the session). The launcher becomes a session leader and a child subreaper, so every
process of the session (even ones that detach) is its descendant; when the application ends it stops the
rest and exits with 0 if the application quit normally, non-zero if it or Xvnc crashed (so the server's
supervisor restarts a crashed session), and when it is stopped or its parent dies it stops everything first.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from .runtime_dir import ensure_private_dir, runtime_dir, write_private
from .session import (
    ENV_SESSION_SPEC,
    LOOPBACK_LIBRARY,
    SessionPaths,
    SessionSpec,
    app_env,
    session_paths,
    xauthority_bytes,
    xvnc_argv,
)

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
#: exit status when Xvnc ended or the application was killed by a signal (a crash: the supervisor restarts)
SESSION_CRASHED = 3


def log(message: str) -> None:
    print(f"[datalabs-desktop {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _prctl(option: int, value: int) -> None:
    ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def stop_descendants(timeout: float = 3.0) -> None:
    """SIGTERM every descendant, then SIGKILL what is left after ``timeout``."""
    procs = psutil.Process().children(recursive=True)
    for p in procs:
        try:
            p.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    for p in alive:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=1)


def start_xvnc(paths: SessionPaths, app: SessionSpec, timeout: float = 15.0) -> tuple[subprocess.Popen, str]:
    """Start Xvnc and return it with its display (":N", picked by Xvnc itself with -displayfd)."""
    xvnc = shutil.which("Xvnc")
    if xvnc is None:
        raise RuntimeError("Xvnc is not installed (Debian package tigervnc-standalone-server); ask an administrator")
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(xvnc_argv(paths, app, app.title, write_end, xvnc), pass_fds=[write_end],
                            stdin=subprocess.DEVNULL)
    os.close(write_end)
    deadline = time.monotonic() + timeout
    data = b""
    while not data.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        ready, _, _ = select.select([read_end], [], [], max(remaining, 0))
        if not ready or proc.poll() is not None:
            raise RuntimeError(f"Xvnc did not start within {timeout:.0f} s (exit status {proc.poll()})")
        chunk = os.read(read_end, 64)
        if not chunk:
            raise RuntimeError(f"Xvnc exited before it reported its display (status {proc.wait()})")
        data += chunk
    os.close(read_end)
    return proc, ":" + data.decode().strip()


def has_window(env: dict[str, str]) -> bool:
    """Whether the window manager manages a window yet (the application's first window is mapped)."""
    try:
        out = subprocess.run(["xprop", "-root", "_NET_CLIENT_LIST"], env=env, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "window id # 0x" in out.stdout  # "window id # " alone: the list is still empty


def window_manager_ready(env: dict[str, str]) -> bool:
    """Whether the window manager has taken the screen (it announces itself on the root window)."""
    try:
        out = subprocess.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], env=env, capture_output=True, text=True,
                             timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "window id # 0x" in out.stdout


def wait_for_window_manager(wm: subprocess.Popen, env: dict[str, str], timeout: float = 10.0) -> None:
    """Wait until openbox manages the screen, so the application's first window is managed (maximised,
    undecorated) and not mapped before openbox looks; on a loaded machine that race is otherwise lost."""
    deadline = time.monotonic() + timeout
    pause = 0.005
    while not window_manager_ready(env):
        if wm.poll() is not None or time.monotonic() > deadline:
            log(f"the window manager is not up (status {wm.poll()}); starting the application anyway")
            return
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def run(app: SessionSpec, folder: Path) -> int:
    paths = SessionPaths(folder)
    ensure_private_dir(paths.folder)
    for stale in (paths.socket, paths.ready):
        stale.unlink(missing_ok=True)
    write_private(paths.xauthority, xauthority_bytes(secrets.token_bytes(16)))
    write_private(paths.openbox_rc, app.window_manager_rc)
    if app.loopback_only and not LOOPBACK_LIBRARY.is_file():
        raise RuntimeError(f"{LOOPBACK_LIBRARY} is missing (built by bootstrap.sh); refusing to start "
                           f"{app.app_id} without its loopback-only guard")
    xvnc, display = start_xvnc(paths, app)
    log(f"{app.app_id}: Xvnc on display {display}, socket {paths.socket}")
    env = app_env(os.environ, app, display, paths)
    wm_env = {k: v for k, v in env.items() if k != "LD_PRELOAD"}
    wm = subprocess.Popen(["openbox", "--config-file", str(paths.openbox_rc)], env=wm_env, stdin=subprocess.DEVNULL)
    started = time.monotonic()
    wait_for_window_manager(wm, wm_env)
    program = subprocess.Popen(list(app.command), env=env, cwd=os.path.expanduser("~"), stdin=subprocess.DEVNULL)
    log(f"{app.app_id}: started {app.command[0]} (pid {program.pid})")
    on_screen = False
    while True:
        if not on_screen and has_window(wm_env):
            on_screen = True
            write_private(paths.ready, f"{time.monotonic() - started:.2f}\n")
            log(f"{app.app_id}: window on screen after {time.monotonic() - started:.1f} s")
        for name, proc in (("the application", program), ("Xvnc", xvnc)):
            status = proc.poll()
            if status is not None:
                log(f"{app.app_id}: {name} ended with status {status}; stopping the session")
                stop_descendants()
                if proc is program and status >= 0:
                    return status  # 0: the user quit the application
                return SESSION_CRASHED
        if wm.poll() is not None:  # a window manager that crashed is simply restarted
            wm = subprocess.Popen(["openbox", "--config-file", str(paths.openbox_rc)], env=wm_env,
                                  stdin=subprocess.DEVNULL)
        # until the window is on screen the spawner and the page wait for it: look often (an xprop is ~5 ms)
        time.sleep(0.2 if on_screen else 0.05)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m datalabs_hub.desktop.launcher <desktop-app-id>", file=sys.stderr)
        return 2
    try:
        app = SessionSpec.from_json(os.environ[ENV_SESSION_SPEC])
    except (KeyError, ValueError, TypeError) as e:
        log(f"{argv[0]}: no valid session in {ENV_SESSION_SPEC} ({e!r}); start it through the datalab's server")
        return 2
    if app.app_id != argv[0]:
        log(f"'{argv[0]}' is not the application of {ENV_SESSION_SPEC} ('{app.app_id}')")
        return 2
    if os.getpid() != os.getsid(0):
        os.setsid()
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    def stop(signum, frame):  # noqa: ARG001
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_descendants()
        os._exit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, stop)
    try:
        base = ensure_private_dir(runtime_dir())
        return run(app, session_paths(base, app.app_id).folder)
    except (RuntimeError, OSError) as e:
        log(f"{app.app_id}: {e}")
        stop_descendants()
        return 1


if __name__ == "__main__":
    sys.exit(main())
