#!/usr/bin/env python3
"""Validation benchmark: the pipeline editor's validate API against plain ``cwltool --validate``.

    .venv/bin/python bench/pipeline_validate.py [--runs 5]

In ONE run, on the same files, it measures per document:

  api      POST {base_url}datalabs/api/pipelines/validate on a real Jupyter server (the venv's
           ``jupyter-server`` with the Datalabs extension on a free 127.0.0.1 port), the worker warm,
           from request to answer (what the editor waits for on each edit);
  cli      ``cwltool --validate <file>`` as a new process (what a user runs in a terminal);
  ratio    cli / api (above 1: the API answers faster).

Documents: the CWL corpus (tests/pipelines/corpus), the shipped example pipeline, and generated
chains of 50, 300 and 1000 steps (each step runs tools/uppercase.cwl on the previous one's output).
Medians of --runs; the API and the CLI take turns so background load hits both alike. The server and
its worker are stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
BIN = Path(sys.prefix) / "bin"
CORPUS = CHECKOUT / "tests" / "pipelines" / "corpus"
EXAMPLE = CHECKOUT / "datalabs_hub" / "pipelines" / "examples" / "eit-images.cwl"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chain(steps: int) -> str:
    lines = ["cwlVersion: v1.2", "class: Workflow", "inputs:", "  text: File", "outputs:", "  last:",
             "    type: File", f"    outputSource: s{steps - 1}/out", "steps:"]
    for i in range(steps):
        source = "text" if i == 0 else f"s{i - 1}/out"
        lines += [f"  s{i}:", "    run: tools/uppercase.cwl", f"    in: {{file: {source}}}", "    out: [out]"]
    return "\n".join(lines) + "\n"


class Server:
    def __init__(self, root: Path) -> None:
        self.root, self.port, self.token = root, free_port(), secrets.token_hex(16)
        self.log = open(root.parent / "server.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(BIN / "jupyter-server"), f"--port={self.port}", "--ip=127.0.0.1", "--no-browser",
             f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={root}", "--allow-root",
             "--ServerApp.jpserver_extensions=datalabs_hub.lab=True"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "JUPYTER_CONFIG_DIR": str(root.parent / "config")})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                self.request("GET", "api/status")
                return
            except OSError:
                time.sleep(0.2)
        self.close()
        raise RuntimeError(f"jupyter-server did not start; see {root.parent / 'server.log'}")

    def request(self, method: str, path: str, body: bytes | None = None) -> dict:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/{path}", data=body, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=300) as response:
            return json.loads(response.read())

    def close(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-validate-"))
    root = work / "root"
    shutil.copytree(CORPUS, root)
    shutil.copy(EXAMPLE, root / EXAMPLE.name)
    for steps in (50, 300, 1000):
        (root / f"chain-{steps}.cwl").write_text(chain(steps))
    docs = sorted(p.name for p in root.glob("*.cwl"))
    server = Server(root)
    try:
        server.request("POST", "datalabs/api/pipelines/validate", json.dumps({"content": "x: 1"}).encode())  # warm up
        print(f"{'document':34} {'bytes':>8} {'api ms':>9} {'cli ms':>9} {'ratio':>7}  valid")
        ratios = []
        for name in docs:
            content = (root / name).read_text()
            body = json.dumps({"content": content, "path": name}).encode()
            api, cli, valid = [], [], None
            for _ in range(args.runs):
                start = time.perf_counter()
                answer = server.request("POST", "datalabs/api/pipelines/validate", body)
                api.append(time.perf_counter() - start)
                valid = answer["valid"]
                start = time.perf_counter()
                done = subprocess.run([str(BIN / "cwltool"), "--validate", name], cwd=root, capture_output=True)
                cli.append(time.perf_counter() - start)
                if (done.returncode == 0) != valid:
                    print(f"  ! {name}: cwltool exit {done.returncode} but API valid={valid}")
            a, c = statistics.median(api), statistics.median(cli)
            ratios.append(c / a)
            print(f"{name:34} {len(content):8d} {a * 1000:9.0f} {c * 1000:9.0f} {c / a:7.1f}  {valid}")
        print(f"median ratio cli/api over {len(docs)} documents: {statistics.median(ratios):.1f} "
              f"(runs per document: {args.runs})")
    finally:
        server.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
