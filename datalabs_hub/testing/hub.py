"""A real JupyterHub for tests: the embedded-default config, system test accounts, a REST client.

Everything it creates (accounts, folders, processes) is removed by :meth:`RealHub.close`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from unittest.mock import patch

import psutil
import requests

from datalabs_hub.catalog import VOLUME_ROOT

CHECKOUT = Path(__file__).resolve().parents[2]
HUB_CONFIG = CHECKOUT / "config" / "jupyterhub_config.py"
#: screenshots and logs the browser tests keep for people to look at
ARTIFACTS = CHECKOUT / "test-artifacts"
#: the demo archive volumes `bash bootstrap.sh` assembles (datalabs see them at /data/<id>)
DEMO_VOLUMES = Path(VOLUME_ROOT)
#: Debian's Chromium, and the flags it needs on a machine without internet access (shared by tests and benches)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Account:
    name: str
    password: str


def create_account(prefix: str, group: str) -> Account:
    """A fresh system account in ``group`` with a random password."""
    from datalabs_hub.hub.accounts import create_account as create

    name = f"{prefix}{secrets.token_hex(3)}"
    password = secrets.token_urlsafe(12)
    create(name, group, password)
    return Account(name, password)


def delete_account(name: str) -> None:
    subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
    subprocess.run(["userdel", "--remove", name], capture_output=True)


@dataclass
class RealHub:
    """A running ``jupyterhub`` subprocess on free 127.0.0.1 ports."""

    workdir: Path
    catalog: Path
    volume_roots: list[Path]
    extra_config: str = ""
    token: str = field(default_factory=lambda: secrets.token_hex(32))
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    def __post_init__(self) -> None:
        self.port = free_port()
        self.hub_port = free_port()
        self.proxy_api_port = free_port()
        self.state = self.workdir / "state"
        self.url = f"http://127.0.0.1:{self.port}"
        self.config_file = self.workdir / "jupyterhub_test_config.py"
        self.config_file.write_text(
            f"load_subconfig({str(HUB_CONFIG)!r})\n"
            "c.JupyterHub.services = [{'name': 'datalabs-tests', 'api_token': %r}]\n"
            "c.JupyterHub.load_roles = [{'name': 'datalabs-tests', 'services': ['datalabs-tests'],\n"
            "    'scopes': ['admin:users', 'admin:servers', 'admin:groups', 'read:users', 'tokens', 'access:servers']}]\n"
            "c.Spawner.poll_interval = 2\n"
            "c.JupyterHub.last_activity_interval = 2\n" % self.token + self.extra_config
        )

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATALABS_STATE_DIR=str(self.state),
            DATALABS_PORT=str(self.port),
            DATALABS_HUB_PORT=str(self.hub_port),
            DATALABS_PROXY_API_PORT=str(self.proxy_api_port),
            DATALABS_CATALOG=str(self.catalog),
            DATALABS_VOLUME_ROOTS=":".join(str(r) for r in self.volume_roots),
        )
        return env

    def start(self, timeout: float = 60) -> None:
        """Prepare the state folder as an operator would (`datalabs prepare-hub`), start the hub, wait for its API."""
        subprocess.run([str(Path(sys.prefix) / "bin" / "datalabs"), "prepare-hub", "--state-dir", str(self.state)],
                       check=True, capture_output=True)
        self.log_path = self.workdir / "hub.log"
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(Path(sys.prefix) / "bin" / "jupyterhub"), "-f", str(self.config_file)],
            cwd=self.workdir, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited with {self.proc.returncode}:\n{self.log()[-4000:]}")
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the hub did not answer in {timeout} s:\n{self.log()[-4000:]}")

    def stop_hub(self) -> None:
        """Stop the hub process only (datalabs and the proxy keep running, as configured)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    # --- REST API -----------------------------------------------------------------------------

    def api(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {token or self.token}"}
        return requests.request(method, f"{self.url}/hub/api{path}", headers=headers, timeout=30, **kwargs)

    def wait_ready(self, user: str, server: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        model: dict = {}
        while time.monotonic() < deadline:
            model = self.api("GET", f"/users/{user}").json()
            s = model.get("servers", {}).get(server)
            if s and s.get("ready"):
                return s
            if s is None and time.monotonic() > deadline - timeout + 5:
                break
            time.sleep(0.3)
        raise AssertionError(f"server {user}/{server} not ready: {json.dumps(model)[:2000]}\n{self.log()[-3000:]}")

    def wait_stopped(self, user: str, server: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.api("GET", f"/users/{user}").json().get("servers", {}).get(server)
            if not s or (not s.get("ready") and not s.get("pending")):
                return
            time.sleep(0.3)
        raise AssertionError(f"server {user}/{server} did not stop")

    def stop_all_servers(self) -> None:
        try:
            users = self.api("GET", "/users").json()
        except Exception:
            return
        for u in users:
            for name in u.get("servers", {}):
                self.api("DELETE", f"/users/{u['name']}/servers/{name}", json={"remove": False})
        for u in users:
            for name in u.get("servers", {}):
                try:
                    self.wait_stopped(u["name"], name, timeout=30)
                except AssertionError:
                    pass

    def user_token(self, name: str) -> str:
        """A new API token of user ``name`` (what a script of that user would use)."""
        r = self.api("POST", f"/users/{name}/tokens", json={"note": "tests", "expires_in": 3600})
        assert r.status_code == 201, r.text
        return r.json()["token"]

    def login(self, account: Account) -> requests.Session:
        """A browser-like session logged in through the real login form."""
        s = requests.Session()
        page = s.get(f"{self.url}/hub/login", timeout=30)
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)
        r = s.post(f"{self.url}/hub/login", data={"username": account.name, "password": account.password, "_xsrf": xsrf},
                   timeout=30, allow_redirects=False)
        assert r.status_code == 302, f"login failed for {account.name}: {r.status_code}"
        s.headers["X-XSRFToken"] = s.cookies.get("_xsrf", xsrf)
        return s

    def close(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.stop_all_servers()
        self.stop_hub()
        # the proxy outlives the hub by design (cleanup_proxy = False): find it by its port
        for proc in psutil.process_iter(["cmdline"]):
            cmdline = proc.info["cmdline"] or []
            if any("configurable-http-proxy" in part for part in cmdline) and str(self.port) in cmdline:
                proc.terminate()
                try:
                    proc.wait(10)
                except psutil.TimeoutExpired:
                    proc.kill()


@contextmanager
def running_hub(workdir: Path, catalog: Path, volume_roots: Iterable[Path], users: Iterable[str] = (),
                extra_config: str = "", log_name: str | None = None,
                env: Mapping[str, str] | None = None) -> Iterator[RealHub]:
    """A started :class:`RealHub` with ``users`` created in it; afterwards it is stopped, its log kept as
    ``ARTIFACTS/log_name`` (if given) and ``workdir`` removed. ``env`` overrides the hub process's environment."""
    hub = RealHub(workdir=workdir, catalog=catalog, volume_roots=list(volume_roots), extra_config=extra_config)
    try:
        with patch.dict(os.environ, dict(env or {})):
            hub.start()
        for name in users:
            r = hub.api("POST", f"/users/{name}")
            assert r.status_code in (201, 409), f"creating hub user {name}: {r.status_code} {r.text}"
        yield hub
    finally:
        hub.close()
        if log_name:
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / log_name).write_text(hub.log())
        cleanup_tree(workdir)


def make_volume(root: Path, name: str, files: dict[str, str]) -> Path:
    d = root / name
    d.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        (d / rel).write_text(text)
    os.chmod(root, 0o755)
    for p in [d, *d.rglob("*")]:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    return d


def cleanup_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
