"""The desktop side of the Datalabs server extension in a real Jupyter server (no hub, no browser).

A desktop datalab's application (an xterm in Xvnc) starts with the server, fills the screen (the window
manager manages it), comes back after a crash (simpervisor), and the extension's stop hook ends it and the CWL
validation worker before the server exits.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
import requests

from datalabs_hub.contract import DatalabContract, DesktopAppInfo
from datalabs_hub.testing.lab import LabServer

APP = DesktopAppInfo.model_validate(
    {"id": "term", "title": "Terminal", "desktop": {"command": ["xterm", "-title", "Term"], "geometry": "800x600"}})


def wait_for(condition: Callable[[], object], what: str, timeout: float = 60) -> object:
    """Poll ``condition`` until it is truthy (the processes under test are not ours to await)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def descendants(pid: int, name: str) -> list[psutil.Process]:
    """Processes called ``name`` below ``pid`` (a launcher is its own session leader but still a child)."""
    try:
        return [p for p in psutil.Process(pid).children(recursive=True) if p.name() == name]
    except psutil.Error:
        return []


@pytest.fixture
def desktop_server(tmp_path: Path) -> Iterator[LabServer]:
    root = tmp_path / "root"
    root.mkdir()
    contract = DatalabContract(datalab="term", title="Terminal", desktop_apps=[APP], desktop_autostart="term")
    server = LabServer(root, env={**contract.to_env(), "DATALABS_DESKTOP_DIR": str(tmp_path / "desktop")})
    with server:
        yield server


def session(server: LabServer) -> dict:
    r = requests.get(f"{server.url}/desktop/term/api/session?token={server.token}", timeout=30)
    r.raise_for_status()
    return r.json()


def test_application_starts_with_the_server_and_comes_back_after_a_crash(desktop_server: LabServer):
    wait_for(lambda: session(desktop_server)["on_screen"], "the xterm on screen")
    [xterm] = descendants(desktop_server.proc.pid, "xterm")
    xterm.send_signal(signal.SIGKILL)
    xterm.wait(10)
    again = wait_for(lambda: [p for p in descendants(desktop_server.proc.pid, "xterm") if p.pid != xterm.pid],
                     "a new xterm")
    assert len(again) == 1
    assert wait_for(lambda: session(desktop_server)["on_screen"], "the new xterm on screen")
    # an unknown application is a 404 whose page says why
    r = requests.get(f"{desktop_server.url}/desktop/nope/?token={desktop_server.token}", timeout=30)
    assert r.status_code == 404 and "not a desktop application of this datalab" in r.text


def test_stop_hook_ends_sessions_and_validator_before_the_server_exits(desktop_server: LabServer):
    wait_for(lambda: session(desktop_server)["on_screen"], "the xterm on screen")
    r = requests.post(f"{desktop_server.url}/datalabs/api/pipelines/validate?token={desktop_server.token}",
                      data=json.dumps({"content": "cwlVersion: v1.2\nclass: Workflow\n", "path": "a.cwl"}), timeout=120)
    assert r.status_code == 200, r.text
    server = psutil.Process(desktop_server.proc.pid)
    children = [p for p in server.children(recursive=True) if p.name() in ("Xvnc", "xterm", "openbox")
                or "datalabs_hub.pipelines.worker" in " ".join(p.cmdline())]
    assert {p.name() for p in children} >= {"Xvnc", "xterm", "openbox"} and len(children) >= 4, children
    server.send_signal(signal.SIGTERM)
    desktop_server.proc.wait(30)
    # already gone when the server has exited: the stop hook waited for them (not their parent-death signal)
    left = [p for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not left, left
    assert "Datalabs server extension stopped" in desktop_server.log_path.read_text()
