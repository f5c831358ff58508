"""A real JupyterLab server on a free 127.0.0.1 port, for the pipeline editor's browser test and benchmark.

It runs the venv's ``jupyter-lab`` (with the Datalabs server and lab extensions the venv has installed) on a
temporary root folder, and stops the whole process group on exit.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from datalabs_hub.testing.hub import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: F401 (re-exported for bench/editor.py)


@dataclass
class LabServer:
    root: Path
    port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    proc: subprocess.Popen | None = None
    log_path: Path | None = None
    extra_args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    """Extra environment of the server (e.g. the contract's DATALABS_* variables)."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def lab_url(self, path: str = "") -> str:
        return f"{self.url}/lab/tree/{path}?token={self.token}" if path else f"{self.url}/lab?token={self.token}"

    def start(self, timeout: float = 90) -> "LabServer":
        self.log_path = self.root.parent / f"jupyter-lab-{self.port}.log"
        workspaces = self.root.parent / f"workspaces-{self.port}"  # no layout carried over from another run
        workspaces.mkdir(exist_ok=True)
        log = open(self.log_path, "wb")
        bindir = Path(sys.executable).parent
        env = dict(os.environ, PATH=f"{bindir}:{os.environ.get('PATH', '')}", JUPYTER_NO_CONFIG="", **self.env)
        env.pop("JUPYTERHUB_API_TOKEN", None)
        self.proc = subprocess.Popen(
            [str(bindir / "jupyter-lab"), "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={self.root}", "--LabApp.news_url=", "--LabApp.check_for_updates_class="
             "jupyterlab.NeverCheckForUpdate", "--ServerApp.open_browser=False",
             f"--LabApp.workspaces_dir={workspaces}", *self.extra_args],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True, cwd=self.root,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter-lab exited with {self.proc.returncode}; log: {self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise TimeoutError(f"jupyter-lab did not answer within {timeout} s; log: {self.log_path}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.proc = None

    def __enter__(self) -> "LabServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
