#!/usr/bin/env python3
"""Desktop benchmark: our TOPCAT desktop next to jupyter-remote-desktop-proxy 3.0.1 running TOPCAT alone.

    .venv/bin/python bench/desktop.py [--runs 3] [--clicks 30]

Run as root from the checkout (after `bash bootstrap.sh test`). In ONE run, on the same machine:

  time to first frame  a fresh Jupyter server per run (ours: the Datalabs server extension with the
                       TOPCAT desktop application, started with the server as in a desktop datalab;
                       baseline: jupyter-remote-desktop-proxy 3.0.1 with an xstartup that runs TOPCAT
                       alone). Once the server answers, Debian's Chromium opens the desktop URL;
                       timed from navigation start until the noVNC canvas shows TOPCAT's window.
                       Then the same again with the application already running (a second page).
  click latency        an RFB client clicks TOPCAT's File menu (open/close) and times the next screen
                       update: through our path (websocket -> jupyter-server-proxy raw socket ->
                       Xvnc's unix socket), straight to the unix socket, and through the baseline's path.
  memory               RSS and USS summed over each server's process tree, TOPCAT running.

The baseline package is installed (pip --target, no dependencies: it needs only what our environment
has) into ~/.cache/datalabs-bench/, not into .venv, so it cannot change the datalabs under test.
Everything started is stopped in a finally block (the baseline leaves orphans: its whole tree is killed).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import requests
from playwright.sync_api import sync_playwright

CHECKOUT = Path(__file__).resolve().parent.parent
from rfb import RfbClient, click_latencies, unix_transport, websocket_transport  # noqa: E402

from datalabs_hub.contract import DatalabContract, DesktopAppInfo  # noqa: E402
from datalabs_hub.testing.hub import CHROMIUM_ARGS, free_port  # noqa: E402

VENV = Path(sys.prefix)
BASELINE = "jupyter-remote-desktop-proxy==3.0.1"
BASELINE_DIR = Path.home() / ".cache" / "datalabs-bench" / "jrdp-3.0.1"
VIEWPORT = {"width": 1280, "height": 800}
TOPCAT_ARGS = ["-nohub"]
HEAP = "1G"
# the page sees TOPCAT when >= 10 % of the (sampled) canvas is TOPCAT's Metal grey (Xvnc starts black)
FRAME_CHECK = """() => {
  const c = document.querySelector('#screen canvas');
  if (!c || c.width < 50) return false;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let grey = 0, n = 0;
  for (let i = 0; i < d.length; i += 4 * 37) { n++; if (d[i] === 238 && d[i+1] === 238 && d[i+2] === 238) grey++; }
  return grey / n >= 0.10;
}"""


def install_baseline() -> None:
    if (BASELINE_DIR / "jupyter_remote_desktop_proxy").is_dir():
        return
    print(f"installing {BASELINE} into {BASELINE_DIR} (once)", flush=True)
    subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "--no-deps", "--target", str(BASELINE_DIR), BASELINE],
                   check=True)


class Server:
    """One Jupyter server (ours or the baseline) on a free port with a token."""

    def __init__(self, kind: str, work: Path):
        self.kind, self.work = kind, work
        self.port, self.token = free_port(), secrets.token_hex(24)
        self.url = f"http://127.0.0.1:{self.port}"
        home = work / f"home-{kind}-{self.port}"
        home.mkdir(mode=0o700)
        env = dict(os.environ, HOME=str(home))
        argv = [str(VENV / "bin" / "jupyter"), "server", "--ip=127.0.0.1", f"--port={self.port}", "--no-browser",
                "--allow-root", f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={home}"]
        if kind == "ours":
            app = DesktopAppInfo.model_validate(
                {"id": "topcat", "title": "TOPCAT", "desktop": {"command": ["topcat", *TOPCAT_ARGS], "java_heap": HEAP,
                                                                "main_window": {"title": "TOPCAT*"}, "samp": True}})
            self.desktop_dir = work / f"desktop-{self.port}"
            contract = DatalabContract(datalab="topcat", title="TOPCAT", desktop_apps=[app], desktop_autostart="topcat")
            env.update(contract.to_env(), DATALABS_DESKTOP_DIR=str(self.desktop_dir))
            self.page = f"{self.url}/desktop/topcat/"
            self.ws = f"ws://127.0.0.1:{self.port}/vnc-topcat/"
        else:
            xstartup = work / "xstartup"
            xstartup.write_text(f"#!/bin/sh\nexec topcat -Xmx{HEAP.lower()} {' '.join(TOPCAT_ARGS)}\n")
            xstartup.chmod(0o755)
            env.update(PYTHONPATH=str(BASELINE_DIR), JUPYTER_REMOTE_DESKTOP_PROXY_XSTARTUP=str(xstartup))
            argv.append("--ServerApp.jpserver_extensions=jupyter_remote_desktop_proxy=True")
            self.page = f"{self.url}/desktop/"
            self.ws = f"ws://127.0.0.1:{self.port}/desktop-websockify/"
        self.log = open(work / f"{kind}-{self.port}.log", "wb")
        self.proc = subprocess.Popen(argv, env=env, cwd=home, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        started = time.monotonic()
        # "running" as the hub reports it: the server answers; for our desktop datalab the spawner also
        # waits until the application's window is on screen (DatalabsSpawner.wait_for_desktop)
        ready = f"{self.url}/api/status" if kind == "baseline" else f"{self.url}/desktop/topcat/api/session"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                r = requests.get(ready, headers={"Authorization": f"token {self.token}"}, timeout=2)
                if r.ok and (kind == "baseline" or r.json().get("on_screen")):
                    self.ready_after = time.monotonic() - started
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{kind} server did not get ready; see {self.log.name}")

    def tree(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self.proc.pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    def stop(self) -> None:
        procs = self.tree()
        # the baseline's vncserver daemonises Xvnc: find everything that uses this server's home too
        home = str(self.work / f"home-{self.kind}-{self.port}")
        for p in psutil.process_iter(["environ"]):
            try:
                if (p.info["environ"] or {}).get("HOME") == home and p not in procs:
                    procs.append(p)
            except psutil.Error:
                pass
        for p in procs:
            try:
                p.terminate()
            except psutil.Error:
                pass
        _, alive = psutil.wait_procs(procs, timeout=8)
        for p in alive:
            try:
                p.kill()
            except psutil.Error:
                pass
        self.log.close()


def first_frame(browser, server: Server) -> float:
    """Seconds from navigation start until the canvas shows TOPCAT's window."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"{server.page}?token={server.token}")
        page.wait_for_function(FRAME_CHECK, polling="raf", timeout=60_000)
        return page.evaluate("performance.now()") / 1000
    finally:
        context.close()


def memory(server: Server) -> tuple[float, float, dict[str, float]]:
    rss = uss = 0.0
    parts: dict[str, float] = {}
    for p in server.tree():
        try:
            info = p.memory_full_info()
            name = p.name()
        except psutil.Error:
            continue
        rss += info.rss / 2**20
        uss += info.uss / 2**20
        parts[name] = parts.get(name, 0.0) + info.rss / 2**20
    return rss, uss, parts


def summary(values: list[float], unit: str = "s", digits: int = 2) -> str:
    return (f"{min(values):.{digits}f} / {statistics.median(values):.{digits}f} / {max(values):.{digits}f} {unit}"
            f"  (n={len(values)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="cold starts per variant (default 3)")
    parser.add_argument("--clicks", type=int, default=30, help="clicks per path (default 30)")
    args = parser.parse_args()
    install_baseline()
    for tool in ("Xvnc", "vncserver", "topcat", "openbox"):
        if not shutil.which(tool):
            print(f"{tool} is missing: run `bash bootstrap.sh test` first", file=sys.stderr)
            return 2
    work = Path(tempfile.mkdtemp(prefix="datalabs-bench-desktop-"))
    cold: dict[str, list[float]] = {"ours": [], "baseline": []}
    warm: dict[str, list[float]] = {"ours": [], "baseline": []}
    total: dict[str, list[float]] = {"ours": [], "baseline": []}
    clicks: dict[str, list[float]] = {}
    mem: dict[str, tuple[float, float, dict[str, float]]] = {}
    servers: list[Server] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            try:
                # warm the caches of both (disk, JIT of nothing: each run is a fresh server) with one uncounted run
                for run in range(args.runs + 1):
                    order = ("ours", "baseline") if run % 2 == 0 else ("baseline", "ours")
                    for kind in order:
                        server = Server(kind, work)
                        servers.append(server)
                        seconds = first_frame(browser, server)
                        again = first_frame(browser, server)
                        if run > 0:
                            cold[kind].append(seconds)
                            warm[kind].append(again)
                            total[kind].append(server.ready_after + seconds)
                            print(f"run {run} {kind:8s} server ready after {server.ready_after:.2f} s, first frame "
                                  f"{seconds:.2f} s, app already running {again:.2f} s", flush=True)
                        if run == args.runs:
                            time.sleep(3)
                            mem[kind] = memory(server)
                            if kind == "ours":
                                sock = str(server.desktop_dir / "topcat" / "vnc.sock")
                                clicks["ours: browser path (websocket, raw socket proxy)"] = click_latencies(
                                    RfbClient(websocket_transport(server.ws, server.token)), 18, 9, args.clicks)
                                clicks["ours: straight to the Xvnc unix socket"] = click_latencies(
                                    RfbClient(unix_transport(sock)), 18, 9, args.clicks)
                            else:
                                clicks["baseline: its browser path (websocket, raw socket proxy)"] = click_latencies(
                                    RfbClient(websocket_transport(server.ws, server.token)), 18, 9, args.clicks)
                        server.stop()
                        servers.remove(server)
            finally:
                browser.close()
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)

    print("\nTime to first frame (navigation start -> canvas shows TOPCAT) once the datalab runs, min / median / max")
    for kind in ("ours", "baseline"):
        print(f"  {kind:8s} datalab running, first page  {summary(cold[kind])}")
        print(f"  {kind:8s} second page                   {summary(warm[kind])}")
    ratio = statistics.median(cold["ours"]) / statistics.median(cold["baseline"])
    ratio_warm = statistics.median(warm["ours"]) / statistics.median(warm["baseline"])
    print(f"  ratio ours/baseline (medians): datalab running {ratio:.2f} (target <= 0.80), second page {ratio_warm:.2f}")
    print("Server start -> datalab reported running -> first frame (the whole wait), min / median / max")
    for kind in ("ours", "baseline"):
        print(f"  {kind:8s} {summary(total[kind])}")
    print(f"  ratio ours/baseline (medians): {statistics.median(total['ours']) / statistics.median(total['baseline']):.2f}")
    print("\nClick -> next screen update (ms), min / median / max, p90")
    for name, values in clicks.items():
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"  {name:58s} {summary(values, 'ms', 1)}, p90 {p90:.1f} ms")
    print("  target: median <= 40 ms through our path")
    print("\nMemory with TOPCAT running (process tree of the server), MiB")
    for kind, (rss, uss, parts) in mem.items():
        top = ", ".join(f"{k} {v:.0f}" for k, v in sorted(parts.items(), key=lambda kv: -kv[1]))
        print(f"  {kind:8s} RSS {rss:.0f}, USS {uss:.0f}  (RSS by process: {top})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
