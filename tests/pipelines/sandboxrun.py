"""Run cwltool the way a datalab user does: inside the Datalabs sandbox, archive volumes at /data/<id>.

The sandbox comes from the project's own builder (:mod:`datalabs_hub.sandbox`); the process runs as
``nobody`` with a temporary home, the demo volumes from /srv/datalabs/volumes bound read-only.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import datalabs_hub
from datalabs_hub.sandbox import SandboxSpec, build_bwrap_argv, detect_layout, find_tool
from datalabs_hub.testing.hub import DEMO_VOLUMES

VOLUME_IDS = ("spice-kernels", "heliophysics", "astronomy", "planetary-archive")
VENV_BIN = Path(sys.prefix) / "bin"


@dataclass
class Run:
    returncode: int
    outputs: dict
    stderr: str
    outdir: Path


def require_demo_volumes() -> None:
    missing = [v for v in VOLUME_IDS if not (DEMO_VOLUMES / v / "README.txt").exists()]
    assert not missing, f"demo volumes {missing} are missing: run `bash bootstrap.sh test` to build them"


def make_home(tmp_path: Path) -> Path:
    """A home folder the sandbox user owns."""
    account = pwd.getpwnam("nobody")
    home = tmp_path / "home"
    home.mkdir()
    os.chown(home, account.pw_uid, account.pw_gid)
    tmp_path.chmod(0o755)
    return home


def run_cwltool(home: Path, workflow: Path, job: dict | Path | None = None, *, args: tuple[str, ...] = (),
                timeout: float = 300) -> Run:
    """``cwltool --no-container`` on ``workflow`` (and a job) inside the sandbox; outputs go to ``home/out``."""
    require_demo_volumes()
    account = pwd.getpwnam("nobody")
    work = home / "work"
    work.mkdir(exist_ok=True)
    staged = work / workflow.name
    if workflow.resolve() != staged.resolve():
        shutil.copy(workflow, staged)
    command = [str(VENV_BIN / "cwltool"), "--no-container", "--quiet", "--outdir", str(home / "out"), *args, str(staged)]
    if isinstance(job, dict):
        job_file = work / "job.json"
        job_file.write_text(json.dumps(job))
        command.append(str(job_file))
    elif job is not None:
        job_file = work / Path(job).name
        shutil.copy(job, job_file)
        command.append(str(job_file))
    for path in (work, *work.iterdir()):
        os.chown(path, account.pw_uid, account.pw_gid)
    package_root = Path(datalabs_hub.__file__).resolve().parent.parent
    runtime = [PurePosixPath(sys.prefix)]
    if not str(Path(sys.prefix).resolve()).startswith(str(package_root) + "/"):
        runtime.append(PurePosixPath(package_root))
    else:
        runtime = [PurePosixPath(package_root)]
    spec = SandboxSpec(
        user=account.pw_name, uid=account.pw_uid, gid=account.pw_gid, home=PurePosixPath(home),
        command=tuple(command),
        volumes=tuple((PurePosixPath(DEMO_VOLUMES / v), PurePosixPath("/data") / v) for v in VOLUME_IDS),
        runtime_paths=tuple(runtime),
    )
    argv = build_bwrap_argv(spec, detect_layout(), bwrap=find_tool("bwrap"), setpriv=find_tool("setpriv"))
    env = {"PATH": f"{VENV_BIN}:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
    try:
        outputs = json.loads(proc.stdout) if proc.stdout.strip() else {}
    except ValueError:
        outputs = {}
    return Run(proc.returncode, outputs, proc.stderr, home / "out")
