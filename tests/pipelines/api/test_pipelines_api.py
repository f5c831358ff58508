"""The pipeline editor's server API (assets, validate) through a real Jupyter server (pytest-jupyter)."""

from __future__ import annotations

import asyncio
import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest_paths import CORPUS
from tornado.httpclient import HTTPClientError

pytestmark = pytest.mark.asyncio(loop_scope="session")

ASSETS = ("datalabs", "api", "pipelines", "assets")
VALIDATE = ("datalabs", "api", "pipelines", "validate")
SHIPPED = {"fits-header", "fits-cutout", "fits-image-png", "plot-lightcurve", "spice-position", "table-convert"}


async def validate(jp_fetch: Any, body: Any, raw: bytes | None = None) -> dict[str, Any]:
    data = raw if raw is not None else json.dumps(body).encode()
    response = await jp_fetch(*VALIDATE, method="POST", body=data)
    assert response.code == 200
    return json.loads(response.body)


async def refused(jp_fetch: Any, raw: bytes) -> tuple[int, str]:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*VALIDATE, method="POST", body=raw)
    body = info.value.response.body.decode()
    assert "Traceback" not in body and 'File "/' not in body
    return info.value.code, json.loads(body)["message"]


def errors(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in result["problems"] if p["severity"] == "error"]


# --- assets -------------------------------------------------------------------------------------


async def test_lists_the_shipped_assets_as_self_contained_tools(jp_fetch, backend) -> None:
    response = await jp_fetch(*ASSETS)
    body = json.loads(response.body)
    assert body["errors"] == []
    by_id = {a["id"]: a for a in body["assets"]}
    assert set(by_id) >= SHIPPED
    for asset in by_id.values():
        assert asset["label"] and asset["description"] and asset["category"]
        tool = asset["tool"]
        assert tool["cwlVersion"] == "v1.2" and tool["class"] == "CommandLineTool"
        text = json.dumps(tool)
        assert "$include" not in text and "$import" not in text and '"run"' not in text
        listing = tool["requirements"]["InitialWorkDirRequirement"]["listing"]
        assert "def main()" in listing[0]["entry"]  # the script itself, inlined
    assert by_id["spice-position"]["category"] == "SPICE"

    one = json.loads((await jp_fetch(*ASSETS, "fits-header")).body)
    assert one == by_id["fits-header"]


async def test_unknown_asset_is_404_with_a_message(jp_fetch, backend) -> None:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*ASSETS, "no-such-tool")
    assert info.value.code == 404
    assert json.loads(info.value.response.body)["message"] == "There is no processing asset 'no-such-tool'."


@pytest.fixture
def operator_assets(tmp_path: Path) -> Path:
    folder = tmp_path / "site-assets"
    folder.mkdir()
    (folder / "hello-site.cwl").write_text(textwrap.dedent("""\
        cwlVersion: v1.2
        class: CommandLineTool
        $namespaces: {dl: "https://datalabs.dev/cwl#"}
        label: Site greeting
        dl:category: Site tools
        baseCommand: echo
        inputs: {who: {type: string, inputBinding: {position: 1}}}
        outputs: {out: stdout}
        """))
    (folder / "broken.cwl").write_text("cwlVersion: v1.2\nclass: CommandLineTool\ninputs: [\n")
    (folder / "nolabel.cwl").write_text("cwlVersion: v1.2\nclass: CommandLineTool\ninputs: {}\noutputs: {}\n")
    return folder


@pytest.fixture
def pipelines_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    if "operator_assets" in request.fixturenames:
        return {"asset_paths": [str(request.getfixturevalue("operator_assets"))]}
    if "slow_validator" in request.fixturenames:
        return {"validate_timeout": 3.0}
    return {}


async def test_operator_folder_adds_assets_and_reports_broken_files(
    jp_fetch, backend, operator_assets: Path, caplog
) -> None:
    body = json.loads((await jp_fetch(*ASSETS)).body)
    by_id = {a["id"]: a for a in body["assets"]}
    assert set(by_id) >= SHIPPED | {"hello-site"}
    assert by_id["hello-site"]["category"] == "Site tools"
    problems = {Path(e["file"]).name: e for e in body["errors"]}
    assert set(problems) == {"broken.cwl", "nolabel.cwl"}
    assert problems["broken.cwl"]["field"] == "document"
    assert "YAML syntax error at line 4" in problems["broken.cwl"]["error"]
    assert problems["nolabel.cwl"]["field"] == "label"
    assert "broken.cwl" in caplog.text  # and the server log says so

    # fixing a file applies on the next request
    (operator_assets / "nolabel.cwl").write_text(
        "cwlVersion: v1.2\nclass: CommandLineTool\nlabel: Now labelled\ninputs: {}\noutputs: {}\nbaseCommand: 'true'\n")
    body = json.loads((await jp_fetch(*ASSETS)).body)
    assert "nolabel" in {a["id"] for a in body["assets"]}
    assert [Path(e["file"]).name for e in body["errors"]] == ["broken.cwl"]


# --- validate: documents ------------------------------------------------------------------------------


@pytest.fixture
def corpus_in_root(jp_root_dir: Path) -> Path:
    target = jp_root_dir / "pipelines"
    shutil.copytree(CORPUS, target)
    return target


async def test_corpus_documents_are_valid_with_their_relative_tools(jp_fetch, backend, corpus_in_root) -> None:
    for name in ("03-scatter-flat-crossproduct.cwl", "04-subworkflow.cwl", "11-editor-layout.cwl"):
        content = (corpus_in_root / name).read_text()
        result = await validate(jp_fetch, {"content": content, "path": f"pipelines/{name}"})
        assert result == {"valid": True, "problems": []}, name


async def test_unsaved_edit_is_validated_not_the_file_on_disk(jp_fetch, backend, corpus_in_root) -> None:
    path = corpus_in_root / "12-list-syntax.cwl"
    edited = path.read_text().replace("source: upcase/out", "source: upcase/missing")
    result = await validate(jp_fetch, {"content": edited, "path": "pipelines/12-list-syntax.cwl"})
    assert result["valid"] is False
    [problem] = errors(result)
    assert problem["source"] == "cwltool"
    assert "upcase/missing" in problem["message"]
    line = edited.splitlines().index("        source: upcase/missing") + 1
    assert problem["line"] == line


async def test_type_mismatch_names_both_ends(jp_fetch, backend, corpus_in_root) -> None:
    content = textwrap.dedent("""\
        cwlVersion: v1.2
        class: Workflow
        inputs:
          count: int
        outputs: []
        steps:
          shout:
            run: tools/uppercase.cwl
            in:
              file: count
            out: [out]
        """)
    result = await validate(jp_fetch, {"content": content, "path": "pipelines/mismatch.cwl"})
    [problem] = errors(result)
    assert "'count' of type \"int\" is incompatible" in problem["message"]
    assert "sink 'file' of type \"File\"" in problem["message"]
    assert (problem["line"], problem["column"]) == (4, 3)


async def test_unknown_type_has_its_line(jp_fetch, backend) -> None:
    content = "cwlVersion: v1.2\nclass: Workflow\ninputs:\n  x: Fiel\noutputs: []\nsteps: []\n"
    result = await validate(jp_fetch, {"content": content})
    [problem] = errors(result)
    assert "unknown identifier 'Fiel'" in problem["message"]
    assert (problem["line"], problem["column"]) == (4, 3)


async def test_yaml_syntax_error_has_line_and_column(jp_fetch, backend) -> None:
    content = "cwlVersion: v1.2\nclass: Workflow\ninputs:\n  x: [a, b\nsteps: {}\n"
    result = await validate(jp_fetch, {"content": content, "path": "broken.cwl"})
    assert result["valid"] is False
    [problem] = result["problems"]
    assert problem["message"].startswith("YAML syntax error")
    assert (problem["line"], problem["column"]) == (5, 6)
    assert problem["source"] == "datalabs"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("cwlVersion: v1.2\nclass: File\n", "'class: File' is not a CWL process"),
        ("cwlVersion: v2.0\nclass: Workflow\ninputs: {}\noutputs: {}\nsteps: {}\n", "Unknown cwlVersion 'v2.0'"),
        ("class: Workflow\ninputs: {}\noutputs: {}\nsteps: {}\n", "Missing 'cwlVersion'"),
        ("- just\n- a list\n", "must be a mapping"),
        ("", "this one is empty"),
        ('{"cwlVersion": "v1.2", "class": "Workflow", "inputs": {}, "outputs": {}, "steps": 3}', "steps"),
    ],
)
async def test_documents_that_are_not_workflows_get_clear_errors(jp_fetch, backend, content, expected) -> None:
    result = await validate(jp_fetch, {"content": content})
    assert result["valid"] is False
    assert any(expected in p["message"] for p in errors(result)), result


async def test_old_version_is_a_warning_not_an_error(jp_fetch, backend) -> None:
    content = "cwlVersion: v1.0\nclass: Workflow\ninputs: {}\noutputs: {}\nsteps: {}\n"
    result = await validate(jp_fetch, {"content": content})
    assert result["valid"] is True
    assert [p["severity"] for p in result["problems"]] == ["warning"]
    assert "v1.0" in result["problems"][0]["message"]


async def test_the_editor_layout_is_not_reported_but_unknown_classes_warn(jp_fetch, backend, corpus_in_root) -> None:
    text = (corpus_in_root / "11-editor-layout.cwl").read_text()
    layout = await validate(jp_fetch, {"content": text, "path": "pipelines/11-editor-layout.cwl"})
    assert layout == {"valid": True, "problems": []}
    # the first editor versions' hint is an unknown class like any other (the editor saves files in the new form)
    old = text[: text.index("\ndl:layout:") + 1] + "hints:\n  - class: dl:Layout\n    nodes: {make: {x: 1, y: 2}}\n"
    legacy = await validate(jp_fetch, {"content": old, "path": "pipelines/11-editor-layout.cwl"})
    assert legacy["valid"] is True, legacy
    [problem] = legacy["problems"]
    assert problem["severity"] == "warning" and "https://datalabs.dev/cwl#Layout" in problem["message"]
    meta = await validate(jp_fetch, {"content": (corpus_in_root / "09-requirements-hints.cwl").read_text(),
                                     "path": "pipelines/09-requirements-hints.cwl"})
    assert meta["valid"] is True
    [problem] = meta["problems"]
    assert problem["severity"] == "warning" and "https://schema.org/Person" in problem["message"]
    assert problem["line"] == 10


# --- validate: hostile references ------------------------------------------------------------------


def workflow_running(run: str) -> str:
    return f"cwlVersion: v1.2\nclass: Workflow\ninputs: {{}}\noutputs: {{}}\nsteps:\n  s:\n    run: {run}\n    in: {{}}\n    out: []\n"


@pytest.mark.parametrize("run", ["https://example.org/tool.cwl", "http://127.0.0.1:1/tool.cwl", "ftp://example.org/t.cwl"])
async def test_network_references_are_refused(jp_fetch, backend, run) -> None:
    result = await validate(jp_fetch, {"content": workflow_running(run)})
    [problem] = errors(result)
    assert "not fetched from the network" in problem["message"]
    assert (problem["line"], problem["column"]) == (7, 10)


async def test_network_import_is_refused(jp_fetch, backend) -> None:
    content = "cwlVersion: v1.2\nclass: Workflow\ninputs:\n  $import: https://example.org/inputs.yml\noutputs: {}\nsteps: {}\n"
    result = await validate(jp_fetch, {"content": content})
    [problem] = errors(result)
    assert "not fetched from the network" in problem["message"] and problem["line"] == 4


@pytest.mark.parametrize("run", ["/etc/shadow", "/etc/passwd", "/dev/zero", "../" * 12 + "etc/passwd"])
async def test_files_outside_the_allowed_folders_are_refused(jp_fetch, backend, run) -> None:
    result = await validate(jp_fetch, {"content": workflow_running(run), "path": "work/p.cwl"})
    [problem] = errors(result)
    assert "outside the folders a pipeline may refer to" in problem["message"]
    assert "root:" not in problem["message"]  # nothing of the file's content
    assert problem["line"] == 7


async def test_symlink_out_of_the_root_is_refused(jp_fetch, backend, jp_root_dir: Path) -> None:
    (jp_root_dir / "innocent.cwl").symlink_to("/etc/passwd")
    result = await validate(jp_fetch, {"content": workflow_running("innocent.cwl")})
    [problem] = errors(result)
    assert "outside the folders" in problem["message"]


async def test_missing_tool_file_is_an_error_on_its_line(jp_fetch, backend) -> None:
    result = await validate(jp_fetch, {"content": workflow_running("tools/nothere.cwl"), "path": "p.cwl"})
    [problem] = errors(result)
    assert "nothere.cwl" in problem["message"] and problem["line"] == 7


@pytest.fixture
def slow_validator() -> None:
    """Marks a test that runs with a 3 s validation time limit (see pipelines_config)."""


async def test_a_document_that_takes_too_long_is_stopped_and_the_next_one_works(
    jp_fetch, backend, slow_validator
) -> None:
    # "billion laughs": each level refers to the previous one ten times
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]"
               for i in range(1, 9)]
    content = "cwlVersion: v1.2\nclass: Workflow\ninputs: {}\noutputs: {}\nsteps: {}\n" + \
              "\n".join(f"dl:x{i}: {line.split(': ', 1)[1]}" for i, line in enumerate(levels)) + "\n"
    result = await validate(jp_fetch, {"content": content})
    assert result["valid"] is False
    assert "longer than 3 s" in result["problems"][0]["message"]
    again = await validate(jp_fetch, {"content": "cwlVersion: v1.2\nclass: Workflow\ninputs: {}\noutputs: {}\nsteps: {}\n"})
    assert again == {"valid": True, "problems": []}


# --- validate: bad bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"", "The body is empty"),
        (b"not json", "not valid JSON"),
        (b"\xff\xfe", "not"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"path": "a.cwl"}', "'content' must be a string"),
        (b'{"content": 42}', "'content' must be a string"),
        (b'{"content": "x", "path": 7}', "'path' must be a string"),
        (b'{"content": "x", "path": "/etc/passwd"}', "must be relative to the server root"),
        (b'{"content": "x", "path": "../other-user/p.cwl"}', "must not contain '..'"),
        (b'{"content": "x", "path": "a/../../b.cwl"}', "must not contain '..'"),
        (b'{"content": "x", "pth": "a.cwl"}', "Unknown field(s) 'pth'"),
        (b'{"content": "a\\u0000b"}', "NUL"),
        (b"[" * 100000 + b"]" * 100000, "not valid JSON"),
    ],
)
async def test_malformed_bodies_are_400_with_a_message(jp_fetch, backend, raw, expected) -> None:
    code, message = await refused(jp_fetch, raw)
    assert code == 400
    assert expected in message


async def test_oversized_body_is_413(jp_fetch, backend) -> None:
    content = "# padding\n" * (900 * 1024)  # 9 MiB
    code, message = await refused(jp_fetch, json.dumps({"content": content}).encode())
    assert code == 413
    assert "up to 8388608 bytes (8 MiB)" in message


async def test_a_5_mb_document_does_not_block_the_server(jp_fetch, backend, slow_validator) -> None:
    content = "cwlVersion: v1.2\nclass: Workflow\ninputs: {}\noutputs: {}\nsteps: {}\n" + "# comment line\n" * 350_000
    assert len(content) > 5_000_000
    await validate(jp_fetch, {"content": "cwlVersion: v1.2\nclass: Workflow\ninputs: {}\noutputs: {}\nsteps: {}\n"})
    pending = asyncio.ensure_future(validate(jp_fetch, {"content": content}))
    await asyncio.sleep(0.5)
    assets = await jp_fetch(*ASSETS)  # answered while cwltool works on the big document
    assert assets.code == 200 and not pending.done()
    result = await pending
    # cwltool needs about 30 s for this file on this machine; with a 3 s limit the editor is told so
    assert result["valid"] is False
    assert "took longer than 3 s" in result["problems"][0]["message"]


async def test_requests_need_authentication(jp_fetch, backend) -> None:
    for parts, method, body in ((ASSETS, "GET", None), (VALIDATE, "POST", b'{"content": ""}')):
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch(*parts, method=method, body=body, headers={"Authorization": ""})
        assert info.value.code in (401, 403)


async def test_identifiers_that_references_cannot_name_are_warned_about(jp_fetch, backend) -> None:
    content = textwrap.dedent("""\
        cwlVersion: v1.2
        class: Workflow
        inputs:
          "light curve": File
        outputs: []
        steps:
          - id: "plot/it"
            run:
              class: CommandLineTool
              baseCommand: "true"
              inputs: {"x y": string?}
              outputs: []
            in: []
            out: []
        """)
    result = await validate(jp_fetch, {"content": content})
    messages = {(p["line"], p["message"].split(" is not")[0]) for p in result["problems"] if p["source"] == "datalabs"}
    assert messages == {(4, "input id 'light curve'"), (7, "step id 'plot/it'"), (11, "input id 'x y'")}
    assert all(p["severity"] == "warning" for p in result["problems"] if p["source"] == "datalabs")


async def test_import_of_a_file_outside_the_root_is_refused(jp_fetch, backend, tmp_path: Path) -> None:
    other = tmp_path / "other-user" / "inputs.yml"
    other.parent.mkdir()
    other.write_text("secret_input: string\n")
    content = f"cwlVersion: v1.2\nclass: Workflow\ninputs:\n  $import: {other}\noutputs: {{}}\nsteps: {{}}\n"
    result = await validate(jp_fetch, {"content": content})
    [problem] = errors(result)
    assert f"Cannot use file://{other}" in problem["message"] and "outside the folders" in problem["message"]
    assert "secret_input" not in json.dumps(result)


async def test_javascript_syntax_errors_are_warnings_on_their_line(jp_fetch, backend, corpus_in_root) -> None:
    content = textwrap.dedent("""\
        cwlVersion: v1.2
        class: Workflow
        requirements:
          InlineJavascriptRequirement: {}
          StepInputExpressionRequirement: {}
        inputs:
          x: string
        outputs: []
        steps:
          s:
            run: tools/echo.cwl
            in:
              message:
                source: x
                valueFrom: ${ return self +; }
            out: []
        """)
    result = await validate(jp_fetch, {"content": content, "path": "pipelines/js.cwl"})
    assert result["valid"] is True  # as for cwltool --validate
    [problem] = result["problems"]
    assert problem["severity"] == "warning" and problem["line"] == 15
    assert "Expected an identifier and instead saw ';'" in problem["message"]


async def test_a_huge_wrong_value_gives_a_short_message(jp_fetch, backend) -> None:
    content = json.dumps({"cwlVersion": "v1.2", "class": "Workflow", "inputs": {}, "outputs": {},
                          "steps": {"s": {"run": "x" * 3_000_000, "in": {}, "out": []}}})
    result = await validate(jp_fetch, {"content": content})
    assert result["valid"] is False
    assert all(len(p["message"]) <= 2000 for p in result["problems"])


@pytest.mark.parametrize("content", ["[" * 50_000 + "]" * 50_000, "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 3000)),
                                     "\x01\x02\x03 binary \xff", "{{{{"])
async def test_deep_or_garbage_yaml_gets_an_error_and_the_worker_survives(jp_fetch, backend, content) -> None:
    result = await validate(jp_fetch, {"content": content})
    assert result["valid"] is False
    assert result["problems"] and all(p["message"] for p in result["problems"])
    again = await validate(jp_fetch, {"content": workflow_running("tools/x.cwl")})
    assert "x.cwl" in again["problems"][0]["message"]


async def test_a_cancelled_validation_does_not_answer_the_next_one(jp_fetch, backend) -> None:
    service = backend.validator
    slow = "cwlVersion: v1.2\nclass: Workflow\ninputs: {}\noutputs: {}\nsteps: {}\n" + "# comment\n" * 200_000
    task = asyncio.ensure_future(service.validate(slow, "/tmp/slow.cwl", ["/tmp"]))
    await asyncio.sleep(1.0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    bad = "cwlVersion: v1.2\nclass: Workflow\ninputs:\n  x: Fiel\noutputs: []\nsteps: []\n"
    [problem] = await service.validate(bad, "/tmp/next.cwl", ["/tmp"])
    assert "unknown identifier 'Fiel'" in problem.message
