"""A real hub, real single-user servers in real sandboxes: what a user and an operator see."""

from __future__ import annotations

import concurrent.futures
import json
import os
import time
from pathlib import Path

import psutil
import pytest
import requests

from datalabs_hub.testing.kernel import run_code


def spawn(hub, user, server, body):
    return hub.api("POST", f"/users/{user}/servers/{server}", json=body)


def server_api(hub, session_or_token, user, server, path, method="GET", **kwargs):
    url = f"{hub.url}/user/{user}/{server}/api{path}"
    if isinstance(session_or_token, requests.Session):
        return session_or_token.request(method, url, timeout=30, allow_redirects=False, **kwargs)
    return requests.request(method, url, headers={"Authorization": f"token {session_or_token}"}, timeout=30,
                            allow_redirects=False, **kwargs)


@pytest.fixture(scope="module")
def alice_lab(hub, accounts):
    """alice's datalab 'lab1' with both mission volumes."""
    alice = accounts["alice"].name
    r = spawn(hub, alice, "lab1", {"datalab": "lab-test", "volumes": ["mission-a", "mission-b"]})
    assert r.status_code in (201, 202), r.text
    hub.wait_ready(alice, "lab1")
    yield alice, "lab1"
    hub.api("DELETE", f"/users/{alice}/servers/lab1")
    hub.wait_stopped(alice, "lab1")


def test_volumes_are_mounted_read_only_at_their_paths(hub, accounts, alice_lab):
    alice = accounts["alice"]
    s = hub.user_token(alice.name)
    listing = server_api(hub, s, alice.name, "lab1", "/contents/data/mission-a")
    assert listing.status_code == 200, listing.text
    assert {e["name"] for e in listing.json()["content"]} == {"README.txt", "products"}
    # the catalogue's mount_path override
    b = server_api(hub, s, alice.name, "lab1", "/contents/data/b-products/index.txt")
    assert b.json()["content"] == "Mission B\n"
    # a write is refused by the kernel: read-only file system, not a permission convention
    w = server_api(hub, s, alice.name, "lab1", "/contents/data/mission-a/new.txt", method="PUT",
                   json={"type": "file", "format": "text", "content": "x"})
    assert w.status_code >= 400
    assert "Read-only file system" in w.text
    # a volume that was not picked is not there
    assert server_api(hub, s, alice.name, "lab1", "/contents/data/restricted").status_code == 404


def test_datalab_sees_only_its_own_home(hub, accounts, alice_lab):
    alice, bob = accounts["alice"], accounts["bob"]
    s = hub.user_token(alice.name)
    home = server_api(hub, s, alice.name, "lab1", "/contents/home")
    assert [e["name"] for e in home.json()["content"]] == [alice.name]
    assert server_api(hub, s, alice.name, "lab1", f"/contents/home/{bob.name}").status_code == 404
    # and alice can write in her home
    w = server_api(hub, s, alice.name, "lab1", f"/contents/home/{alice.name}/notes.txt", method="PUT",
                   json={"type": "file", "format": "text", "content": "hello"})
    assert w.status_code in (200, 201), w.text
    assert open(f"/home/{alice.name}/notes.txt").read() == "hello"
    assert os.stat(f"/home/{alice.name}/notes.txt").st_uid == __import__("pwd").getpwnam(alice.name).pw_uid


def test_operator_popen_kwargs_are_merged_and_the_environment_is_ours(hub, accounts, alice_lab):
    """The session hub sets c.Spawner.popen_kwargs with "env" (conftest.OPERATOR_CONFIG): the datalab
    started (JupyterHub's own start merged them) and runs with the environment the spawner built."""
    alice = accounts["alice"].name
    token = hub.user_token(alice)
    out = run_code(f"{hub.url}/user/{alice}/lab1/", token,
                   "import os; print(os.environ.get('DATALABS_DATALAB'), 'OPERATOR_ONLY' in os.environ,"
                   " os.environ['JUPYTERHUB_SERVER_NAME'])")
    assert out["error"] is None, out
    assert out["stdout"].split() == ["lab-test", "False", "lab1"]


def test_the_sandbox_hides_the_hubs_state_folder(hub, accounts, alice_lab):
    """c.DatalabsLocalSpawner.hub_state_dir (set by the config file) is an empty folder in the datalab;
    JupyterHub's own start appended the server's arguments to the sandboxed command."""
    alice = accounts["alice"].name
    sandboxes = [p.info["cmdline"] for p in psutil.process_iter(["name", "cmdline"])
                 if p.info["name"] == "bwrap" and f"/home/{alice}" in (p.info["cmdline"] or [])]
    # bubblewrap and its copy that is the sandbox's PID 1, with the same command line
    assert sandboxes and all(argv == sandboxes[0] for argv in sandboxes), sandboxes
    argv = sandboxes[0]
    assert argv[argv.index(str(hub.state)) - 1] == "--tmpfs"
    command = argv[next(i for i, a in enumerate(argv) if a.endswith("jupyterhub-singleuser")):]
    assert "--ServerApp.root_dir=/" in command


def test_other_user_cannot_reach_the_datalab(hub, accounts, alice_lab):
    alice, bob = accounts["alice"], accounts["bob"]
    bob_session = hub.login(bob)
    r = server_api(hub, bob_session, alice.name, "lab1", "/contents")
    assert r.status_code in (302, 403), r.status_code
    if r.status_code == 302:
        # redirected to the hub to log in as alice: bob's cookie does not open it
        follow = bob_session.get(hub.url + r.headers["Location"] if r.headers["Location"].startswith("/") else r.headers["Location"], timeout=30)
        assert follow.status_code == 403 or alice.name not in follow.url or follow.status_code >= 400
    token = hub.user_token(bob.name)
    assert server_api(hub, token, alice.name, "lab1", "/contents").status_code == 403


def test_spawn_progress_is_reported(hub, accounts):
    """The spawn page's event stream tells the user what is happening, in words."""
    bob = accounts["bob"].name
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        posted = pool.submit(spawn, hub, bob, "prog", {"datalab": "lab-test"})
        events = []
        deadline = time.monotonic() + 60
        while not events and time.monotonic() < deadline:
            with hub.api("GET", f"/users/{bob}/servers/prog/progress", stream=True) as stream:
                if stream.status_code != 200:
                    time.sleep(0.05)
                    continue
                for line in stream.iter_lines(decode_unicode=True):
                    if line.startswith("data:"):
                        event = json.loads(line[5:])
                        events.append(event)
                        if event.get("ready") or event.get("failed"):
                            break
        assert posted.result().status_code in (201, 202)
    messages = [e.get("message", "") for e in events]
    assert any("Launching Test JupyterLab" in m for m in messages), messages
    assert any("Mission A archive -> /data/mission-a (read-only)" in m for m in messages), messages
    assert events[-1].get("ready"), events[-1]
    assert [e["progress"] for e in events] == sorted(e["progress"] for e in events)
    # the catalogue's limits (2G, 1 core) are enforced, or the user is told they are not
    if any("Limits: memory 2048 MiB, CPU 1 cores" in m for m in messages):
        procs = [p for p in psutil.process_iter(["username"]) if p.info["username"] == bob]
        cgroups = Path(f"/proc/{procs[0].pid}/cgroup").read_text()
        assert f"datalabs/{bob}-prog" in cgroups
        limit = Path(f"/sys/fs/cgroup/memory/datalabs/{bob}-prog/memory.limit_in_bytes")
        if limit.exists():
            assert int(limit.read_text()) == 2 * 1024**3
    else:
        assert any("Limit not enforced on this machine: memory 2048 MiB" in m for m in messages), messages
    hub.api("DELETE", f"/users/{bob}/servers/prog")
    hub.wait_stopped(bob, "prog")
