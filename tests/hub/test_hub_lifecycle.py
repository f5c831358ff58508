"""Datalabs over time: several at once, the per-user limit, hub restarts, crashes, catalogue edits."""

from __future__ import annotations

import grp
import os
import signal
import stat
import subprocess
import time
from pathlib import Path
from unittest.mock import patch

import psutil
from test_hub_spawn import server_api, spawn
from traitlets.config import Config

from datalabs_hub.testing.hub import RealHub


def sandbox_processes(user: str) -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["username"]) if p.info["username"] == user]


def test_several_datalabs_at_once_and_the_per_user_limit(hub, accounts):
    bob = accounts["bob"].name
    for name in ("one", "two"):
        assert spawn(hub, bob, name, {"datalab": "lab-test"}).status_code in (201, 202)
    for name in ("one", "two"):
        hub.wait_ready(bob, name)
    r = spawn(hub, bob, "three", {"datalab": "lab-test"})
    assert r.status_code == 409  # Conflict: the request is fine, the user's running datalabs forbid it now
    assert "already run 2 datalabs (one, two)" in r.json()["message"]
    assert "Stop one" in r.json()["message"]
    for name in ("one", "two"):
        hub.api("DELETE", f"/users/{bob}/servers/{name}")
    for name in ("one", "two"):
        hub.wait_stopped(bob, name)
    # stopping leaves no process of the user behind (kernels, helpers, sandbox)
    deadline = time.monotonic() + 10
    while sandbox_processes(bob) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sandbox_processes(bob) == []


def test_hub_restart_keeps_datalabs_running(hub, accounts):
    alice = accounts["alice"].name
    assert spawn(hub, alice, "survivor", {"datalab": "lab-test"}).status_code in (201, 202)
    hub.wait_ready(alice, "survivor")
    token = hub.user_token(alice)
    servers = [p.pid for p in sandbox_processes(alice) if "jupyterhub-singleuser" in " ".join(p.cmdline())]
    assert len(servers) == 1
    hub.stop_hub()
    try:
        time.sleep(1)
        assert psutil.pid_exists(servers[0]), "the datalab must survive the hub"
    finally:
        hub.start()
    model = hub.api("GET", f"/users/{alice}").json()["servers"]["survivor"]
    assert model["ready"]
    r = server_api(hub, token, alice, "survivor", "/contents/data/mission-a")
    assert r.status_code == 200, r.text
    hub.api("DELETE", f"/users/{alice}/servers/survivor")
    hub.wait_stopped(alice, "survivor")


def test_a_datalab_that_dies_shows_as_stopped_and_starts_again(hub, accounts):
    alice = accounts["alice"].name
    assert spawn(hub, alice, "fragile", {"datalab": "lab-test"}).status_code in (201, 202)
    hub.wait_ready(alice, "fragile")
    for p in sandbox_processes(alice):
        p.send_signal(signal.SIGKILL)
    hub.wait_stopped(alice, "fragile", timeout=30)
    assert spawn(hub, alice, "fragile", {"datalab": "lab-test"}).status_code in (201, 202)
    hub.wait_ready(alice, "fragile")
    hub.api("DELETE", f"/users/{alice}/servers/fragile")
    hub.wait_stopped(alice, "fragile")


def test_home_page_shows_the_catalogue_and_follows_edits(hub, accounts):
    alice = accounts["alice"]
    s = hub.login(alice)
    page = s.get(f"{hub.url}/hub/home", timeout=30).text
    assert "Datalab catalogue" in page and "Test JupyterLab" in page and "Mission B archive" in page
    # entries restricted to another group are not shown
    assert "Secret team lab" not in page and "Restricted volume" not in page

    extra = hub.catalog / "more.yaml"
    try:
        extra.write_text("datalabs:\n  - id: lab-new\n    title: Brand new lab\n    kind: jupyterlab\n")
        assert "Brand new lab" in s.get(f"{hub.url}/hub/home", timeout=30).text
        # an invalid edit keeps the last good catalogue and says why in the log
        time.sleep(0.01)
        extra.write_text("datalabs:\n  - id: lab-new\n    title: Broken lab\n    kind: spaceship\n")
        page = s.get(f"{hub.url}/hub/home", timeout=30).text
        assert "Brand new lab" in page and "Broken lab" not in page
        assert "more.yaml: datalab 'lab-new', field 'kind'" in hub.log()
    finally:
        extra.unlink()
    assert "Brand new lab" not in s.get(f"{hub.url}/hub/home", timeout=30).text


def test_hub_refuses_to_start_with_a_bad_catalogue(tmp_path, volume_root):
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "labs.yaml").write_text(
        "datalabs:\n  - id: lab-x\n    title: X\n    kind: jupyterlab\n    resources: {memory: lots}\n"
    )
    bad = RealHub(workdir=tmp_path, catalog=catalog, volume_roots=[volume_root])
    try:
        bad.start(timeout=30)
        raise AssertionError("the hub started with an invalid catalogue")
    except RuntimeError as e:
        message = str(e)
    finally:
        bad.close()
    assert "exited with 2" in message
    assert "labs.yaml: datalab 'lab-x', field 'resources.memory'" in message


def test_check_config_command(tmp_path):
    checkout = Path(__file__).resolve().parents[2]
    datalabs = str(Path(os.sys.prefix) / "bin" / "datalabs")
    ok = subprocess.run([datalabs, "check-config", "--catalog", str(checkout / "spawner_profiles")],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "OK:" in ok.stdout
    (tmp_path / "x.yaml").write_text("volumes:\n  - id: Bad_Id\n    title: t\n    source: {local: /etc}\n")
    (tmp_path / "y.yaml").write_text("volumes:\n  - id: etc\n    title: t\n    source: {local: /etc}\n")
    bad = subprocess.run([datalabs, "check-config", "--catalog", str(tmp_path)], capture_output=True, text=True)
    assert bad.returncode == 1
    assert "x.yaml: volume 'Bad_Id', field 'id': 'Bad_Id' is not a valid id" in bad.stderr
    assert "y.yaml: volume 'etc', field 'source.local': /etc is outside the allowed volume roots" in bad.stderr


def test_prepare_hub_makes_what_the_config_file_reads(tmp_path):
    """`datalabs prepare-hub` makes the state folder and the proxy token once; the config file only reads them."""
    datalabs = str(Path(os.sys.prefix) / "bin" / "datalabs")
    state = tmp_path / "state"
    config = Path(__file__).resolve().parents[2] / "config" / "jupyterhub_config.py"

    def load_config():
        c = Config()
        source = config.read_text()
        env = {**os.environ, "DATALABS_STATE_DIR": str(state)}
        with patch.dict(os.environ, env, clear=True):
            exec(compile(source, str(config), "exec"), {"get_config": lambda: c, "__file__": str(config),
                                                        "__name__": "jupyterhub_config"})
        return c

    # before: the config file stops, says what to run, and creates nothing
    try:
        load_config()
        raise AssertionError("the config file loaded without a prepared state folder")
    except SystemExit as e:
        assert f"datalabs prepare-hub --state-dir {state}" in str(e.code)
    assert not state.exists()

    ok = subprocess.run([datalabs, "prepare-hub", "--state-dir", str(state)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    token = (state / "proxy_auth_token").read_text()
    assert len(token) == 64
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert stat.S_IMODE((state / "proxy_auth_token").stat().st_mode) == 0o600
    for group in ("datalabs-users", "datalabs-admins"):
        grp.getgrnam(group)
    # again: nothing changes (the proxy outlives hub restarts with the same token)
    assert subprocess.run([datalabs, "prepare-hub", "--state-dir", str(state)], capture_output=True).returncode == 0
    assert (state / "proxy_auth_token").read_text() == token

    c = load_config()
    assert c.ConfigurableHTTPProxy.auth_token == token
    assert c.DatalabsLocalSpawner.hub_state_dir == str(state)
    assert c.JupyterHub.db_url == f"sqlite:///{state / 'jupyterhub.sqlite'}"
    assert sorted(p.name for p in state.iterdir()) == ["proxy_auth_token"]
