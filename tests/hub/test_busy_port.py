"""A hub whose port another program holds refuses to start and says so (issue 11, point 6).

The foreign program is a real one (Python's http.server); the hub is the real embedded default.
A hub restart still takes over its own proxy, which outlives the hub by design.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import psutil
import pytest
import requests

from datalabs_hub.testing.hub import RealHub


def wait_listening(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the foreign program exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


def proxies_on(port: int) -> list[psutil.Process]:
    """configurable-http-proxy processes started for a hub with this public port."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if any("configurable-http-proxy" in part for part in cmdline) and str(port) in cmdline:
            found.append(proc)
    return found


def hub_answers(hub: RealHub) -> bool:
    try:
        return requests.get(f"{hub.url}/hub/api/", timeout=5).headers.get("Content-Type") == "application/json"
    except requests.RequestException:
        return False


@pytest.fixture
def new_hub(tmp_path, volume_root):
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "labs.yaml").write_text("datalabs:\n  - id: lab-x\n    title: X\n    kind: jupyterlab\n")
    hub = RealHub(workdir=tmp_path, catalog=catalog, volume_roots=[volume_root])
    try:
        yield hub
    finally:
        hub.close()


@pytest.mark.parametrize("attribute, role, variable", [
    ("port", "the hub's public port", "DATALABS_PORT"),
    ("proxy_api_port", "the proxy's API port", "DATALABS_PROXY_API_PORT"),
    ("hub_port", "the hub's internal port", "DATALABS_HUB_PORT"),
])
def test_a_hub_refuses_a_port_another_program_holds(new_hub, attribute, role, variable):
    port = getattr(new_hub, attribute)
    foreign = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, foreign)
        with pytest.raises(RuntimeError) as failed:
            new_hub.start(timeout=60)
        message = str(failed.value)
        assert "the hub exited with 1" in message
        assert f"The hub cannot start: port {port} on 127.0.0.1 ({role}) is in use by" in message
        assert f"(pid {foreign.pid}: {sys.executable} -m http.server {port}" in message
        assert "Stop that program, or start the hub on another port" in message
        assert f"{variable}={port + 100} bash bootstrap.sh run" in message
        assert "JupyterHub is now running" not in message
        assert "Traceback" not in message
        # the foreign program still has its port, and no proxy was left behind
        assert foreign.poll() is None
        if attribute == "port":
            assert "Directory listing" in requests.get(f"http://127.0.0.1:{port}/", timeout=10).text
        assert proxies_on(new_hub.port) == []
    finally:
        foreign.terminate()
        foreign.wait(10)


def test_the_hubs_own_proxy_is_not_a_foreign_program(new_hub):
    """After a hub restart the new hub takes over its proxy; a proxy that died is started again."""
    new_hub.start()
    first = proxies_on(new_hub.port)
    assert len(first) == 1
    new_hub.stop_hub()
    assert first[0].is_running(), "the proxy outlives the hub (cleanup_proxy = False)"
    new_hub.start()  # the old proxy holds the ports: it is the hub's own, not a foreign program
    second = proxies_on(new_hub.port)
    assert len(second) == 1 and second[0].pid != first[0].pid
    assert f"JupyterHub is now running at http://127.0.0.1:{new_hub.port}/" in new_hub.log()

    second[0].kill()  # the hub notices (check_running) and starts it again, while it holds its own port
    deadline = time.monotonic() + 60
    while not [p for p in proxies_on(new_hub.port) if p.pid != second[0].pid]:
        assert time.monotonic() < deadline, f"the proxy was not started again:\n{new_hub.log()[-3000:]}"
        assert new_hub.proc.poll() is None, f"the hub exited:\n{new_hub.log()[-3000:]}"
        time.sleep(0.2)
    while not hub_answers(new_hub):  # once the hub has given the new proxy its routes again
        assert time.monotonic() < deadline, f"the hub is not reachable again:\n{new_hub.log()[-3000:]}"
        time.sleep(0.2)
    assert new_hub.proc.poll() is None and "cannot start" not in new_hub.log()
