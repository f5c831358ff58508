#!/usr/bin/env python3
"""Spawn benchmark: how long until a datalab answers, compared with plain JupyterHub and the bare server.

    .venv/bin/python bench/spawn.py [--runs 5] [--concurrent 10] [--no-limits]

Run it as root from the checkout. It measures, in ONE run and on the same machine state:

  a  the floor: the single-user server started directly, no hub spawner in between, until its
     REST API answers (GET .../api/status with a token):
       a  = `jupyterhub-singleuser` (the program both hubs start), pointed at hub b's API
            for its start-up check and token checks;
       a' = `jupyter-lab` (the same Jupyter server + JupyterLab, without the hub extension).
  b  plain JupyterHub with its own SimpleLocalProcessSpawner (servers run as root, tmp homes).
  c  our hub: config/jupyterhub_config.py + DatalabsLocalSpawner, a bubblewrap sandbox per
     datalab as a real system account (made by this script and removed at the end), a datalab
     with 3 archive volumes (a small catalogue and volume folders in a temp dir).

For b and c a spawn is timed from `POST /hub/api/users/{u}/servers/{name}` until
`GET /user/{u}/{name}/api/status` answers 200 through the proxy with a token of the user.
Sequential: median/min/max of --runs spawns (the server is stopped in between; the variants
take turns, so background load hits all of them alike). Concurrent: --concurrent users POST at
the same moment (one thread each); the time until all of them answer.

Everything it starts (hubs, proxies, servers, accounts, folders) is removed in a finally block,
and the whole run is bounded by --budget seconds. See bench/README.md for how to read the output.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import psutil
import requests

CHECKOUT = Path(__file__).resolve().parent.parent
from datalabs_hub.hub.state import prepare_hub  # noqa: E402
from datalabs_hub.sandbox.network import namespace_name, pid_file  # noqa: E402
from datalabs_hub.testing.hub import HUB_CONFIG, create_account, delete_account, make_volume  # noqa: E402

VENV = Path(sys.prefix)
BIN = VENV / "bin"
CHP = VENV / "share/chp/node_modules/configurable-http-proxy/bin/configurable-http-proxy"
SERVER = "bench"  # the server name used for every named server
SPAWN_TIMEOUT = 90.0  # one spawn (POST until it answers); the hubs' own start/http timeouts are 60 s
STOP_TIMEOUT = 40.0
MiB = 1024 * 1024


class BenchTimeout(Exception):
    pass


# --- time budget: every wait is bounded by it ---------------------------------------------------

class Budget:
    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def cap(self, seconds: float) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise BenchTimeout("the run's time budget (--budget) is spent")
        return min(seconds, left)


BUDGET = Budget(3600)

_used_ports: set[int] = set()
_ports_lock = threading.Lock()


def free_port() -> int:
    with _ports_lock:
        while True:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            if port not in _used_ports:
                _used_ports.add(port)
                return port


# --- processes -----------------------------------------------------------------------------------

def tree(pid: int) -> list[psutil.Process]:
    """The process and everything below it (empty if it is gone)."""
    try:
        p = psutil.Process(pid)
        return [p, *p.children(recursive=True)]
    except psutil.Error:
        return []


def forwarder(user: str) -> list[psutil.Process]:
    """c: the pasta process of the user's datalab (its private network), counted with the server."""
    try:
        return [psutil.Process(int(Path(pid_file(namespace_name(user, SERVER))).read_text()))]
    except (OSError, ValueError, psutil.Error):
        return []


def rss(procs: list[psutil.Process]) -> int:
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def kill_tree(procs: list[psutil.Process], timeout: float = 5.0) -> None:
    """SIGTERM, then SIGKILL whatever is still alive after ``timeout``."""
    alive = []
    for p in procs:
        try:
            if p.is_running():
                p.terminate()
                alive.append(p)
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(alive, timeout=timeout)
    for p in alive:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=timeout)


#: every process tree the script saw (servers, floors, hubs, proxies): the last sweep kills leftovers
SEEN: dict[int, psutil.Process] = {}


def remember(procs: list[psutil.Process]) -> None:
    for p in procs:
        SEEN.setdefault(p.pid, p)


# --- hubs ------------------------------------------------------------------------------------------

SERVICE_SCOPES = ["admin:users", "admin:servers", "read:users", "tokens", "access:servers"]


@dataclass
class Hub:
    label: str
    workdir: Path
    config: str  # the config file's text, after the common header
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.token = secrets.token_hex(32)
        self.port, self.hub_port, self.proxy_api_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.state = self.workdir / "state"
        self.state.mkdir(mode=0o700, exist_ok=True)
        self.config_file = self.workdir / "jupyterhub_config.py"
        self.config_file.write_text(self.config.format(hub=self) + textwrap.dedent(f"""
            c.JupyterHub.services = [{{'name': 'bench', 'api_token': {self.token!r}}}]
            c.JupyterHub.load_roles = [{{'name': 'bench', 'services': ['bench'], 'scopes': {SERVICE_SCOPES!r}}}]
            """))
        self.log_path = self.workdir / "hub.log"
        self.proc: subprocess.Popen | None = None
        self.proxy_procs: list[psutil.Process] = []
        self.start_seconds = float("nan")
        self.rss_idle: tuple[int, int] = (0, 0)  # (hub, proxy) right after start

    def start(self, timeout: float = 60) -> None:
        env = dict(os.environ, PATH=f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}", **self.extra_env)
        t0 = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(self.config_file)], cwd=self.workdir,
                                         env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        remember(tree(self.proc.pid))
        deadline = time.monotonic() + BUDGET.cap(timeout)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hub {self.label} exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=2).ok:
                    self.start_seconds = time.monotonic() - t0
                    break
            except requests.RequestException:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError(f"hub {self.label} did not answer in {timeout} s:\n{self.log_tail()}")
        # the proxy: the pid file names `.venv/bin/node`, a Python wrapper that runs the real node as a
        # child (SIGTERM to the wrapper alone orphans node), so remember the whole tree now
        pid_file = self.state / "proxy.pid"
        for _ in range(50):
            if pid_file.exists() and pid_file.read_text().strip():
                break
            time.sleep(0.1)
        self.proxy_procs = tree(int(pid_file.read_text().strip()))
        remember(self.proxy_procs)

    def log_tail(self, n: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-n:] if self.log_path.exists() else ""

    def api(self, method: str, path: str, timeout: float = 30, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.url}/hub/api{path}", headers={"Authorization": f"token {self.token}"},
                                timeout=BUDGET.cap(timeout), **kwargs)

    def add_user(self, name: str) -> str:
        """Create the hub user and return a new API token of that user."""
        r = self.api("POST", f"/users/{name}")
        if r.status_code not in (201, 409):
            raise RuntimeError(f"hub {self.label}: cannot create user {name}: {r.status_code} {r.text}")
        r = self.api("POST", f"/users/{name}/tokens", json={"note": "bench", "expires_in": 7200})
        if r.status_code != 201:
            raise RuntimeError(f"hub {self.label}: no token for {name}: {r.status_code} {r.text}")
        return r.json()["token"]

    def server_model(self, user: str, name: str = SERVER) -> dict | None:
        return self.api("GET", f"/users/{user}").json().get("servers", {}).get(name)

    def server_pid(self, user: str, name: str = SERVER) -> int | None:
        model = self.server_model(user, name) or {}
        return (model.get("state") or {}).get("pid")

    def stop_server(self, user: str, name: str = SERVER, timeout: float = STOP_TIMEOUT) -> None:
        self.api("DELETE", f"/users/{user}/servers/{name}")
        deadline = time.monotonic() + BUDGET.cap(timeout)
        while time.monotonic() < deadline:
            s = self.server_model(user, name)
            if not s or (not s.get("ready") and not s.get("pending")):
                return
            time.sleep(0.2)
        raise RuntimeError(f"hub {self.label}: {user}/{name} did not stop in {timeout} s")

    def hub_rss(self) -> int:
        return rss([psutil.Process(self.proc.pid)]) if self.proc and self.proc.poll() is None else 0

    def proxy_rss(self) -> int:
        return rss(self.proxy_procs)

    def reported_starts(self) -> list[float]:
        """'User u took N seconds to start' from the hub's log (hub-side spawn time, before the proxy route)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return [float(x) for x in re.findall(r"took (\d+\.\d+) seconds to start", text)]

    def close(self) -> None:
        """Stop every server through the API, stop the hub, kill the proxy (cleanup_* may be False)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                users = self.api("GET", "/users", timeout=10).json()
                running = [(u["name"], n) for u in users for n, s in u.get("servers", {}).items()
                           if s.get("ready") or s.get("pending")]
                with ThreadPoolExecutor(max(1, len(running))) as pool:
                    list(pool.map(lambda un: _quiet(lambda: self.stop_server(*un, timeout=30)), running))
            except Exception as e:  # the budget may be spent: the process sweep below still runs
                print(f"  (hub {self.label}: stopping servers through the API failed: {e})", file=sys.stderr)
            remember(tree(self.proc.pid))
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        kill_tree(self.proxy_procs)


def _quiet(fn: Callable[[], object]) -> None:
    try:
        fn()
    except Exception as e:
        print(f"  ({e})", file=sys.stderr)


PLAIN_CONFIG = """
c = get_config()  # noqa
c.JupyterHub.ip = '127.0.0.1'
c.JupyterHub.port = {hub.port}
c.JupyterHub.hub_ip = '127.0.0.1'
c.JupyterHub.hub_port = {hub.hub_port}
c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{hub.proxy_api_port}'
c.ConfigurableHTTPProxy.command = ['""" + str(BIN / "node") + """', '""" + str(CHP) + """']
c.ConfigurableHTTPProxy.pid_file = '{hub.state}/proxy.pid'
c.JupyterHub.db_url = 'sqlite:///{hub.state}/jupyterhub.sqlite'
c.JupyterHub.cookie_secret_file = '{hub.state}/jupyterhub_cookie_secret'
c.JupyterHub.authenticator_class = 'null'
c.JupyterHub.allow_named_servers = True
c.JupyterHub.spawner_class = 'simple'
c.SimpleLocalProcessSpawner.home_dir_template = '{hub.workdir}/homes/{{username}}'
# the same program, timeouts and (absent) default_url as the Datalabs hub; root needs --allow-root
c.Spawner.cmd = ['""" + str(BIN / "jupyterhub-singleuser") + """']
c.Spawner.args = ['--allow-root']
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60
"""

DATALABS_CONFIG = f"load_subconfig({str(HUB_CONFIG)!r})\n"


# --- one spawn through a hub ------------------------------------------------------------------------

@dataclass
class Result:
    seconds: float | None  # until it answered (through the proxy for b and c)
    error: str = ""
    procs: list[psutil.Process] = field(default_factory=list)
    up: float | None = None  # until the server itself logged that it listens (from its log line)
    cpu: float | None = None  # CPU seconds (user + system) the server's processes used until it answered


def cpu_seconds(procs: list[psutil.Process]) -> float | None:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            return None
    return total if procs else None


_URL_LINE = re.compile(r"^\[I (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.(\d{3}) ServerApp\] http://127\.0\.0\.1:\d+(\S*)", re.M)


def server_up(log_path: Path, marker: str, wall0: float) -> float | None:
    """Seconds from ``wall0`` until the server logged its URL (it listens then), from its log line.

    The hubs poll a starting server with random exponential backoff (JupyterHub's
    ``exponential_backoff``: gaps up to 5 s), so "answers through the proxy" includes that
    wait; this is the server's own start time, without it.
    """
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return None
    for m in _URL_LINE.finditer(text):
        if marker and marker not in m.group(3):
            continue
        ts = time.mktime(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")) + int(m.group(2)) / 1000
        if ts >= wall0 - 0.5:
            return ts - wall0
    return None


def wait_answer(url: str, token: str, t0: float, timeout: float, interval: float) -> float:
    """Poll ``url`` until it answers 200 with the server's status JSON; seconds since ``t0``."""
    deadline = t0 + BUDGET.cap(timeout)
    last = ""
    while time.monotonic() < deadline:
        try:
            r = requests.get(url, headers={"Authorization": f"token {token}"}, allow_redirects=False, timeout=5)
            if r.status_code == 200 and "started" in r.text:
                return time.monotonic() - t0
            last = f"{r.status_code}"
        except requests.RequestException as e:
            last = type(e).__name__
        time.sleep(interval)
    raise TimeoutError(f"{url} did not answer in {timeout:.0f} s (last: {last})")


def hub_spawn(hub: Hub, user: str, token: str, body: dict | None, interval: float, t0: float | None = None) -> Result:
    t0 = time.monotonic() if t0 is None else t0
    wall0 = time.time() - (time.monotonic() - t0)
    try:
        # a POST waits up to slow_spawn_timeout (10 s) before it answers 202
        r = requests.post(f"{hub.url}/hub/api/users/{user}/servers/{SERVER}", json=body or {},
                          headers={"Authorization": f"token {hub.token}"}, timeout=BUDGET.cap(60))
        if r.status_code not in (201, 202):
            return Result(None, f"POST {r.status_code}: {r.text[:300]}")
        seconds = wait_answer(f"{hub.url}/user/{user}/{SERVER}/api/status", token, t0, SPAWN_TIMEOUT, interval)
    except BenchTimeout:
        raise
    except Exception as e:
        return Result(None, f"{type(e).__name__}: {e}")
    pid = hub.server_pid(user)
    procs = [*tree(pid), *forwarder(user)] if pid else []
    remember(procs)
    return Result(seconds, procs=procs, up=server_up(hub.log_path, f"/user/{user}/{SERVER}/", wall0),
                  cpu=cpu_seconds(procs))


# --- the floor: the server started directly --------------------------------------------------------

@dataclass
class Floor:
    """Start the single-user server directly as root (no hub spawner)."""

    kind: str  # "singleuser" or "lab"
    workdir: Path
    plain: Hub  # singleuser asks this hub's API at start-up and for token checks
    users: dict[str, str] = field(default_factory=dict)  # user -> token (for "lab": a fixed token)
    running: dict[str, tuple[subprocess.Popen, object]] = field(default_factory=dict)

    def prepare(self, user: str) -> None:
        self.users[user] = self.plain.add_user(user) if self.kind == "singleuser" else secrets.token_hex(16)

    def spawn(self, user: str, interval: float, t0: float | None = None) -> Result:
        t0 = time.monotonic() if t0 is None else t0
        wall0 = time.time() - (time.monotonic() - t0)
        port, token = free_port(), self.users[user]
        home = self.workdir / "homes" / user
        home.mkdir(parents=True, exist_ok=True)
        env = {"PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "USER": "root", "SHELL": "/bin/bash",
               "LANG": os.environ.get("LANG", "C.UTF-8")}
        if self.kind == "singleuser":
            prefix = f"/user/{user}/"
            hub_api = f"http://127.0.0.1:{self.plain.hub_port}/hub/api"
            env.update({
                "JUPYTERHUB_API_TOKEN": token, "JUPYTERHUB_API_URL": hub_api, "JUPYTERHUB_USER": user,
                "JUPYTERHUB_SERVER_NAME": "", "JUPYTERHUB_CLIENT_ID": f"jupyterhub-user-{user}",
                "JUPYTERHUB_BASE_URL": "/", "JUPYTERHUB_SERVICE_PREFIX": prefix,
                "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}{prefix}",
                "JUPYTERHUB_OAUTH_CALLBACK_URL": f"{prefix}oauth_callback", "JUPYTERHUB_HOST": "",
                "JUPYTERHUB_OAUTH_ACCESS_SCOPES": json.dumps([f"access:servers!server={user}/", f"access:servers!user={user}"]),
                "JUPYTERHUB_ACTIVITY_URL": f"{hub_api}/users/{user}/activity",
            })
            argv = [str(BIN / "jupyterhub-singleuser"), "--allow-root"]
            url = f"http://127.0.0.1:{port}{prefix}api/status"
        else:
            argv = [str(BIN / "jupyter-lab"), "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
                    f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"]
            url = f"http://127.0.0.1:{port}/api/status"
        log_path = self.workdir / f"{self.kind}-{user}.log"
        log = open(log_path, "ab")
        proc = subprocess.Popen(argv, cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.running[user] = (proc, log)
        remember(tree(proc.pid))
        try:
            seconds = wait_answer(url, token, t0, SPAWN_TIMEOUT, interval)
        except BenchTimeout:
            raise
        except Exception as e:
            return Result(None, f"{type(e).__name__}: {e}")
        procs = tree(proc.pid)
        remember(procs)
        return Result(seconds, procs=procs, up=server_up(log_path, "", wall0), cpu=cpu_seconds(procs))

    def stop(self, user: str) -> None:
        proc, log = self.running.pop(user, (None, None))
        if proc is not None:
            kill_tree(tree(proc.pid), timeout=10)
            proc.wait(10)
            log.close()

    def stop_all(self) -> None:
        for user in list(self.running):
            _quiet(lambda: self.stop(user))


# --- the variants ---------------------------------------------------------------------------------

@dataclass
class Variant:
    key: str
    title: str
    spawn: Callable[[str, float, float | None], Result]  # (user, poll interval, t0) -> Result
    stop: Callable[[str], None]
    seq_user: str
    conc_users: list[str]
    seq: list[Result] = field(default_factory=list)
    warm: list[Result] = field(default_factory=list)
    conc: list[Result] = field(default_factory=list)
    conc_all: float | None = None
    rounds: list[list[Result]] = field(default_factory=list)  # one list per concurrent round
    conc_rss: list[int] = field(default_factory=list)
    hub: Hub | None = None
    hub_rss_loaded: tuple[int, int] = (0, 0)


def run_concurrent(v: Variant, interval: float, settle: float) -> None:
    k = len(v.conc_users)
    barrier = threading.Barrier(k + 1)
    t0_box: list[float] = []

    def one(user: str) -> Result:
        barrier.wait(timeout=30)
        return v.spawn(user, interval, t0_box[0])

    with ThreadPoolExecutor(k) as pool:
        futures = [pool.submit(one, u) for u in v.conc_users]
        t0_box.append(time.monotonic())
        barrier.wait(timeout=30)
        results = [f.result(timeout=BUDGET.cap(SPAWN_TIMEOUT + 90)) for f in futures]
    v.rounds.append(results)
    v.conc = [r for rnd in v.rounds for r in rnd]
    ok = [r.seconds for r in results if r.seconds is not None]
    v.conc_all = max(ok) if len(ok) == k else None
    time.sleep(settle)  # let the servers finish settling before reading memory
    v.conc_rss = [rss(r.procs) for r in results if r.seconds is not None]
    if v.hub:
        v.hub_rss_loaded = (v.hub.hub_rss(), v.hub.proxy_rss())
    with ThreadPoolExecutor(k) as pool:
        list(pool.map(lambda u: _quiet(lambda: v.stop(u)), v.conc_users))


# --- report ---------------------------------------------------------------------------------------

def fmt(x: float | None, nd: int = 2) -> str:
    return "—" if x is None else f"{x:.{nd}f}"


def med(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def ratio(x: float | None, y: float | None) -> str:
    return "—" if x is None or y is None or y == 0 else f"{x / y:.2f}"


def mib(n: int | float | None) -> str:
    return "—" if not n else f"{n / MiB:.0f}"


def report(variants: list[Variant], args, loads: list[tuple[float, float, float]], started: float) -> None:
    by = {v.key: v for v in variants}
    k = args.concurrent

    def ok(rs: list[Result], attr: str = "seconds") -> list[float]:
        return [getattr(r, attr) for r in rs if getattr(r, attr) is not None]

    def seqmed(key: str, attr: str = "seconds") -> float | None:
        return med(ok(by[key].seq, attr)) if key in by else None

    def conc(key: str, attr: str = "seconds") -> float | None:
        if key not in by:
            return None
        alls = [round_all(rnd, attr) for rnd in by[key].rounds]
        return None if not alls or None in alls else med(alls)  # type: ignore[arg-type]

    def round_all(rnd: list[Result], attr: str = "seconds") -> float | None:
        xs = ok(rnd, attr)
        return max(xs) if len(xs) == k else None

    def n_ready(v: Variant) -> int:
        return min((len(ok(rnd)) for rnd in v.rounds), default=0)

    print()
    print(f"Datalabs spawn benchmark, {time.strftime('%Y-%m-%d %H:%M:%S')}: {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB, jupyterhub {_version('jupyterhub')}, "
          f"jupyterlab {_version('jupyterlab')}, jupyter-server {_version('jupyter-server')}, bwrap {_bwrap_version()}")
    print(f"runs={args.runs} (+{args.warmup} warm-up each, not counted), concurrent={k}, datalab limits: "
          f"{'none (--no-limits)' if args.no_limits else 'cpu 2, memory 4G'}"
          f"{f', hub c extra config {args.c_extra_config}' if args.c_extra_config else ''}; "
          f"load average at start {loads[0][0]:.2f}, at end {loads[-1][0]:.2f}")
    print()
    print(f"{'':3} {'':54} {'sequential: answers':^22}  {'server up':^9}   {f'{k} concurrent':^28}  {'memory':^10}")
    head = (f"{'':3} {'variant':54} {'median':>7}{'min':>7}{'max':>7}   {'median':>7}   "
            f"{'all answer':>10}{'ready':>7}{'all up':>8}   {'RSS/server':>10}")
    print(head)
    print("-" * len(head))
    for v in variants:
        s = ok(v.seq)
        print(f"{v.key:3} {v.title:54} {fmt(med(s)):>7}{fmt(min(s) if s else None):>7}{fmt(max(s) if s else None):>7}   "
              f"{fmt(seqmed(v.key, 'up')):>7}   {fmt(conc(v.key), 1):>10}{f'{n_ready(v)}/{k}':>7}{fmt(conc(v.key, 'up'), 1):>8}   "
              f"{mib(med(v.conc_rss)) + ' MiB':>10}")
    print("seconds. answers: POST (b, c) or process start (a, a') until GET .../api/status answers 200 with a user token,")
    print("  through the proxy for b and c. server up: until the server logged 'http://127.0.0.1:PORT/...' (it listens),")
    print("  without the hub's polling wait. all answer / all up: the last of the concurrent ones"
          + (f" (median of {args.concurrent_rounds} rounds)." if args.concurrent_rounds > 1 else "."))
    print(f"  RSS/server: median over the {k} concurrent servers of the sum over each server's processes.")
    print()
    print(f"Ratios            sequential median   {k} concurrent, all answer   |  same, server up   target")
    for name, x, y, target in (("c/b", "c", "b", "<= 1.0"), ("c/a", "c", "a", "<= 1.2"), ("c/a'", "c", "a'", ""),
                               ("b/a", "b", "a", "")):
        print(f"  {name:15} {ratio(seqmed(x), seqmed(y)):>17}   {ratio(conc(x), conc(y)):>26}   |  "
              f"{ratio(seqmed(x, 'up'), seqmed(y, 'up')):>5} {ratio(conc(x, 'up'), conc(y, 'up')):>5}   {target}")
    print()
    print(f"Memory, RSS MiB      hub idle  hub with {k:<2}  proxy idle  proxy with {k:<2}  per server (min-max)")
    for v in variants:
        lo_hi = f"({mib(min(v.conc_rss))}-{mib(max(v.conc_rss))})" if v.conc_rss else ""
        h = (f"{mib(v.hub.rss_idle[0]):>8}  {mib(v.hub_rss_loaded[0]):>11}  {mib(v.hub.rss_idle[1]):>10}  "
             f"{mib(v.hub_rss_loaded[1]):>13}" if v.hub else f"{'-':>8}  {'-':>11}  {'-':>10}  {'-':>13}")
        print(f"  {v.key:18} {h}  {mib(med(v.conc_rss)):>8} {lo_hi}")
    print("  (proxy = the .venv/bin/node wrapper + node; c's per-server sum = bwrap + bwrap's PID 1 + the server + its pasta)")
    print()
    for v in variants:
        if v.hub:
            starts = v.hub.reported_starts()
            print(f"  hub {v.key}: answered {v.hub.start_seconds:.1f} s after its start; its log's 'took N seconds to start' "
                  f"(start() until its poll saw the server): median {fmt(med(starts))} s of {len(starts)} spawns")
    print("  warm-up (not counted): " + ", ".join(f"{v.key} {fmt(v.warm[0].seconds) if v.warm else '-'}" for v in variants))
    print("  CPU seconds per server until it answered (user+system over its processes), median: " + ", ".join(
        f"{v.key} {fmt(med(ok(v.seq, 'cpu')))} sequential / {fmt(med(ok(v.conc, 'cpu')))} concurrent" for v in variants))
    for v in variants:
        waits = [r.seconds - r.up for r in [*v.seq, *v.conc] if r.seconds is not None and r.up is not None]
        print(f"  {v.key:3} sequential answers: {' '.join(fmt(r.seconds) for r in v.seq):36} "
              f"server up: {' '.join(fmt(r.up) for r in v.seq):36} "
              f"answers - up: median {fmt(med(waits))}, max {fmt(max(waits) if waits else None)} (all spawns)")
    for v in variants:
        for i, rnd in enumerate(v.rounds, 1):
            print(f"  {v.key:3} concurrent round {i}: all answer {fmt(round_all(rnd), 1)}, all up {fmt(round_all(rnd, 'up'), 1)};"
                  f" each: {' '.join(fmt(r.seconds, 1) for r in sorted(rnd, key=lambda r: r.seconds or 1e9))}")
    errors = [(v.key, r.error) for v in variants for r in [*v.warm, *v.seq, *v.conc] if r.error]
    for key, err in errors[:20]:
        print(f"  ERROR {key}: {err}")
    print()
    conc_ok = n_ready(by["c"]) if "c" in by else 0
    print("Targets (answers through the proxy):")
    print(f"  c/b <= 1.0   sequential {_pass(_r(seqmed('c'), seqmed('b')), 1.0)}   concurrent {_pass(_r(conc('c'), conc('b')), 1.0)}")
    print(f"  c/a <= 1.2   sequential {_pass(_r(seqmed('c'), seqmed('a')), 1.2)}   concurrent {_pass(_r(conc('c'), conc('a')), 1.2)}")
    print(f"  all {k} concurrent datalabs ready: {'PASS' if conc_ok == k else 'FAIL'} ({conc_ok}/{k})")
    print(f"Total run time {time.monotonic() - started:.0f} s.")


def _r(x, y):
    return None if x is None or y is None or y == 0 else x / y


def _pass(x: float | None, limit: float) -> str:
    return "n/a " if x is None else (f"PASS ({x:.2f})" if x <= limit else f"FAIL ({x:.2f})")


def _version(dist: str) -> str:
    from importlib.metadata import version
    try:
        return version(dist)
    except Exception:
        return "?"


def _bwrap_version() -> str:
    try:
        return subprocess.run(["bwrap", "--version"], capture_output=True, text=True, timeout=5).stdout.split()[-1]
    except Exception:
        return "?"


# --- main -----------------------------------------------------------------------------------------

CATALOG = """
datalabs:
  - id: bench-lab
    title: Benchmark JupyterLab
    description: The datalab the spawn benchmark launches.
    kind: jupyterlab
{resources}
volumes:
{volumes}
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="sequential spawns per variant (median/min/max)")
    ap.add_argument("--concurrent", type=int, default=10, help="users spawning at the same time")
    ap.add_argument("--concurrent-rounds", type=int, default=1,
                    help="repeat the concurrent measurement, rotating which variant goes first (median reported)")
    ap.add_argument("--warmup", type=int, default=1, help="uncounted spawns per variant first")
    ap.add_argument("--no-limits", action="store_true", help="catalogue entry without cpu/memory (no cgroups)")
    ap.add_argument("--only", default="a,a',b,c", help="variants to run (comma-separated; a needs b's hub)")
    ap.add_argument("--budget", type=float, default=1200, help="upper bound of the whole run in seconds")
    ap.add_argument("--keep-logs", type=Path, help="copy the hub and server logs to this folder at the end")
    ap.add_argument("--c-extra-config", type=Path, metavar="FILE",
                    help="append this file to hub c's jupyterhub_config.py (to try a spawner change; see README.md)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("Run as root: our hub starts sandboxes as other accounts and the script creates accounts.", file=sys.stderr)
        return 2
    global BUDGET
    BUDGET = Budget(args.budget)
    started = time.monotonic()

    def on_alarm(signum, frame):
        raise BenchTimeout("hard time limit reached")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(args.budget) + 60)

    accounts_before = {p.pw_name for p in pwd.getpwall() if p.pw_name.startswith("dlbench")}
    work = Path(tempfile.mkdtemp(prefix="datalabs-bench-"))
    os.chmod(work, 0o755)
    accounts: list[str] = []
    hubs: list[Hub] = []
    floors: list[Floor] = []
    loads = [os.getloadavg()]
    k = args.concurrent
    only = set(args.only.split(","))
    try:
        # --- plain JupyterHub (b); also serves the singleuser floor's hub API
        plain = Hub("b", work / "plain", PLAIN_CONFIG)
        hubs.append(plain)
        # --- our hub (c): catalogue with one datalab and 3 archive volumes in a temp dir
        vol_root = work / "volumes"
        vols = [f"bench-vol-{i}" for i in (1, 2, 3)]
        for i, vid in enumerate(vols, 1):
            make_volume(vol_root, vid, {"README.txt": f"volume {i}\n", "products/obs.csv": "t,flux\n0,1\n1,2\n"})
        catalog = work / "catalog"
        catalog.mkdir()
        resources = "" if args.no_limits else "    resources:\n      cpu: 2\n      memory: 4G"
        volumes = "\n".join(f"  - id: {vid}\n    title: Bench volume {i}\n    source:\n      local: {vol_root / vid}"
                            for i, vid in enumerate(vols, 1))
        (catalog / "catalog.yaml").write_text(CATALOG.format(resources=resources, volumes=volumes))
        extra = args.c_extra_config.read_text().replace("{", "{{").replace("}", "}}") if args.c_extra_config else ""
        ours = Hub("c", work / "datalabs", DATALABS_CONFIG + extra)
        ours.extra_env = {
            "DATALABS_STATE_DIR": str(ours.state), "DATALABS_PORT": str(ours.port),
            "DATALABS_HUB_PORT": str(ours.hub_port), "DATALABS_PROXY_API_PORT": str(ours.proxy_api_port),
            "DATALABS_CATALOG": str(catalog), "DATALABS_VOLUME_ROOTS": str(vol_root),
        }
        hubs.append(ours)
        prepare_hub(ours.state)  # as an operator does before the hub starts (`datalabs prepare-hub`)

        print(f"Setting up in {work}: {k + 1} system accounts, two hubs ...", flush=True)
        for _ in range(k + 1):
            accounts.append(create_account("dlbench", "datalabs-users").name)
        for hub in hubs:
            hub.start()
        for hub in hubs:
            hub.rss_idle = (hub.hub_rss(), hub.proxy_rss())

        variants: list[Variant] = []
        interval_seq, interval_conc = 0.1, 0.25

        # a: jupyterhub-singleuser direct, a': jupyter-lab direct
        for key, kind, title in (("a", "singleuser", "floor: jupyterhub-singleuser direct (root)"),
                                 ("a'", "lab", "floor: jupyter-lab direct (root)")):
            f = Floor(kind, work / f"floor-{kind}", plain)
            floors.append(f)
            seq_user, conc_users = f"floor{kind}-s", [f"floor{kind}-c{i:02d}" for i in range(k)]
            for u in [seq_user, *conc_users]:
                f.prepare(u)
            variants.append(Variant(key, title, f.spawn, f.stop, seq_user, conc_users))

        # b: plain JupyterHub
        b_tokens = {u: plain.add_user(u) for u in ["plain-s", *[f"plain-c{i:02d}" for i in range(k)]]}
        variants.append(Variant(
            "b", "JupyterHub 6.1.1 + SimpleLocalProcessSpawner (root)",
            lambda u, iv, t0=None: hub_spawn(plain, u, b_tokens[u], None, iv, t0),
            lambda u: plain.stop_server(u), "plain-s", [f"plain-c{i:02d}" for i in range(k)], hub=plain))

        # c: our hub
        c_tokens = {u: ours.add_user(u) for u in accounts}
        body = {"datalab": "bench-lab", "volumes": vols}
        variants.append(Variant(
            "c", "Datalabs hub + DatalabsLocalSpawner (bwrap, 3 volumes)",
            lambda u, iv, t0=None: hub_spawn(ours, u, c_tokens[u], body, iv, t0),
            lambda u: ours.stop_server(u), accounts[0], accounts[1:], hub=ours))

        variants = [v for v in variants if v.key in only]
        # warm-up, then sequential runs; the variants take turns (rotated order each round)
        for rnd in range(args.warmup + args.runs):
            order = variants[rnd % len(variants):] + variants[:rnd % len(variants)]
            for v in order:
                r = v.spawn(v.seq_user, interval_seq, None)
                (v.warm if rnd < args.warmup else v.seq).append(r)
                tag = "warm-up" if rnd < args.warmup else f"run {rnd - args.warmup + 1}/{args.runs}"
                print(f"  {tag:9} {v.key:3} {fmt(r.seconds)} s {r.error}", flush=True)
                _quiet(lambda: v.stop(v.seq_user))
                time.sleep(1.0)
        # concurrent: one variant at a time; each round starts with the next variant (order effects cancel)
        for rnd in range(args.concurrent_rounds):
            order = variants[rnd % len(variants):] + variants[:rnd % len(variants)]
            for v in order:
                print(f"  concurrent {v.key}: {k} spawns ...", flush=True)
                run_concurrent(v, interval_conc, settle=3.0)
                print(f"  concurrent {v.key}: all ready in {fmt(v.conc_all, 1)} s "
                      f"({sum(r.seconds is not None for r in v.rounds[-1])}/{k})", flush=True)
                time.sleep(2.0)
        loads.append(os.getloadavg())
        report(variants, args, loads, started)
        return 0
    except BenchTimeout as e:
        print(f"\nABORTED: {e}; cleaning up", file=sys.stderr)
        return 3
    finally:
        signal.alarm(0)
        BUDGET.end = time.monotonic() + 120  # cleanup gets its own bounded time
        print("Cleaning up ...", file=sys.stderr, flush=True)
        for f in floors:
            f.stop_all()
        for hub in reversed(hubs):
            _quiet(hub.close)
        leftovers = [p for p in SEEN.values() if _alive(p)]
        if leftovers:
            print(f"  killing {len(leftovers)} leftover process(es): {[p.pid for p in leftovers]}", file=sys.stderr)
            kill_tree(leftovers)
        # also an account whose creation failed half-way (useradd done, chpasswd not)
        made = {p.pw_name for p in pwd.getpwall() if p.pw_name.startswith("dlbench")} - accounts_before
        for name in sorted(set(accounts) | made):
            delete_account(name)
            for controller in ("memory", "cpu"):
                for d in Path(f"/sys/fs/cgroup/{controller}/datalabs").glob(f"{name}-*"):
                    _quiet(d.rmdir)
        if args.keep_logs:
            args.keep_logs.mkdir(parents=True, exist_ok=True)
            for log in work.rglob("*.log"):
                shutil.copy(log, args.keep_logs / f"{log.parent.name}-{log.name}")
        shutil.rmtree(work, ignore_errors=True)
        print("Cleaned up: hubs, proxies, servers, accounts and temp folder removed.", file=sys.stderr)


def _alive(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


if __name__ == "__main__":
    sys.exit(main())
