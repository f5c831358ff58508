"""The CWL corpus the editor's round-trip tests use: every workflow is valid CWL v1.2 and really runs."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest
from cwltool.main import main as cwltool_main

from datalabs_hub.pipelines.validation import ReadPolicy, validate_document

CORPUS = Path(__file__).resolve().parent / "corpus"
WORKFLOWS = sorted(CORPUS.glob("[0-9][0-9]-*.cwl"))


def run_cwltool(*args: str) -> tuple[int, dict, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = cwltool_main([*args], stdout=stdout, stderr=stderr)
    out = stdout.getvalue()
    try:
        return code, json.loads(out) if out.strip().startswith("{") else {}, stderr.getvalue() + out
    except ValueError:
        return code, {}, stderr.getvalue() + out


def test_corpus_has_the_features_the_round_trip_covers() -> None:
    text = "\n".join(p.read_text() for p in WORKFLOWS)
    assert len(WORKFLOWS) >= 10
    for feature in ("SubworkflowFeatureRequirement", "StepInputExpressionRequirement", "valueFrom:", "when:",
                    "pickValue:", "linkMerge:", "dotproduct", "flat_crossproduct", "secondaryFiles:",
                    "hints:", "$namespaces:", "dl:layout:", "SchemaDefRequirement", "type: enum", "type: record",
                    "string[]?", "File?", "run: tools/", "papermill", "class: CommandLineTool", "class: ExpressionTool", "# "):
        assert feature in text, feature


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.stem)
def test_workflow_is_valid_for_cwltool_and_for_the_validate_api(workflow: Path) -> None:
    code, _, log = run_cwltool("--validate", str(workflow))
    assert code == 0, log
    assert "is valid CWL" in log
    problems = validate_document(workflow.read_text(), str(workflow), ReadPolicy((str(CORPUS),)))
    assert [p for p in problems if p.severity == "error"] == []


def _text(output: dict) -> str:
    return Path(output["path"]).read_text()


EXPECTED = {
    "01-hello-inline": lambda o: _text(o["greeting"]) == "Hello Datalabs\n",
    "02-scatter-dotproduct": lambda o: [_text(f) for f in o["messages"]] == ["Hello, Ada\n", "Bonjour, Marie\n"],
    "03-scatter-flat-crossproduct": lambda o: len(o["messages"]) == 6 and o["total_lines"] == 6
    and _text(o["messages"][5]) == "Bonjour Grace\n",
    "04-subworkflow": lambda o: _text(o["shouted"]) == "LINE ONE\nLINE TWO\nLINE THREE\n" and o["lines"] == 3,
    "05-valuefrom": lambda o: _text(o["letter"]) == "DEAR ADA LOVELACE\n",
    "06-when-pickvalue": lambda o: _text(o["result"]) == "large\n" and _text(o["joined"]) == "large\n",
    "07-linkmerge": lambda o: _text(o["flattened"]).startswith("line one\n") and o["group_sizes"] == [2, 2]
    and _text(o["flattened"]).endswith("moon,1.0026,0\n"),
    "08-secondaryfiles": lambda o: _text(o["reports"][0]) == "key value\nalpha 1\nbeta 2\nalpha 1\nbeta 2\n",
    "09-requirements-hints": lambda o: _text(o["upper"]) == "LINE ONE\nLINE TWO\nLINE THREE\n"
    and o["upper"]["format"] == "http://edamontology.org/format_2330",
    "10-records-enums": lambda o: _text(o["summary"]) == "MARS in au x2 planet,red\n",
    "11-editor-layout": lambda o: _text(o["result"]) == "HELLO FROM THE EDITOR\n",
    "12-list-syntax": lambda o: o["lines"] == 3 and _text(o["upper"]).startswith("LINE ONE"),
    "13-expressiontool-defaults": lambda o: o["rows"] == 3 and o["columns"] == ["name", "x", "y"],
    "14-directory-nested-scatter": lambda o: o["counts"] == [3, 3],
    "15-notebook-step": lambda o: o["lines"] == 2 and "wrote 2 lines" in _text(o["executed"]),
}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.stem)
def test_workflow_runs_with_its_job_and_gives_the_expected_outputs(
    workflow: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as in a datalab, the environment's programs (python3, papermill) come first on PATH
    monkeypatch.setenv("PATH", f"{Path(sys.prefix) / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    job = workflow.with_suffix(".job.yml")
    code, outputs, log = run_cwltool("--no-container", "--quiet", "--outdir", str(tmp_path / "out"),
                                     "--tmpdir-prefix", str(tmp_path / "tmp") + "/", str(workflow), str(job))
    assert code == 0, log
    assert EXPECTED[workflow.stem](outputs), outputs
