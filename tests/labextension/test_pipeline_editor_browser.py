"""The pipeline editor in a real browser (Debian's Chromium driven by Playwright) on a real JupyterLab server.

A person builds a 3-step pipeline by drag and drop from the palette on the demo archive data, saves it, and
cwltool validates and runs the saved file. Files the editor cannot read show why and stay as they were.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect, sync_playwright

from datalabs_hub.testing.hub import CHECKOUT
from datalabs_hub.testing.lab import CHROMIUM, CHROMIUM_ARGS, LabServer

ARTIFACTS = CHECKOUT / "test-artifacts"
CORPUS = CHECKOUT / "tests" / "pipelines" / "corpus"
FIXTURES = CHECKOUT / "labextension" / "test" / "pipeline" / "fixtures"
IMAGE = Path("/srv/datalabs/volumes/astronomy/integral/isgri-mosaic/ISGRI_0727_88601650001_28_40_mosaic_smooth.fits")
CWLTOOL = str(Path(sys.executable).parent / "cwltool")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline-lab") / "root"
    root.mkdir()
    with LabServer(root) as server:
        yield server


@pytest.fixture
def page(request):
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1500, "height": 950})
        try:
            yield pg
        finally:
            pg.screenshot(path=str(ARTIFACTS / f"pipeline-{request.node.name[:60]}.png"))
            browser.close()


def node(page: Page, node_id: str):
    return page.locator(f'.react-flow__node[data-id="{node_id}"]')


def drag_link(page: Page, source: str, out_port: str, target: str, in_port: str) -> None:
    """Drag from an output port to an input port, as a person does with the mouse."""
    src = node(page, source).locator(f'.react-flow__handle.source[data-handleid="{out_port}"]')
    dst = node(page, target).locator(f'.react-flow__handle.target[data-handleid="{in_port}"]')
    a, b = src.bounding_box(), dst.bounding_box()
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move((a["x"] + b["x"]) / 2, (a["y"] + b["y"]) / 2, steps=5)
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=5)
    page.mouse.up()


def show_file_browser(page: Page) -> None:
    """Open the file browser panel at the root (a layout restored from another test may differ)."""
    tab = page.locator('li[data-id="filebrowser"]')
    expect(tab).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1000)  # let the restored layout settle
    if tab.get_attribute("aria-selected") != "true":
        tab.click()
    expect(page.locator("#filebrowser")).to_be_visible()
    page.locator("#filebrowser .jp-BreadCrumbs-home").click()  # start from the server root


def save(page: Page, path: Path, before: str) -> str:
    """Ctrl+S in the editor; returns the file's new text once it is on disk."""
    page.locator(".dl-pipeline-canvas .react-flow__pane").click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    while path.read_text() == before:
        assert time.monotonic() < deadline, f"{path.name} was not saved within 30 s"
        time.sleep(0.1)
    # the server writes the file in place: read it once Lab has its answer (the tab is no longer dirty)
    expect(page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty")).to_have_count(0, timeout=30_000)
    return path.read_text()


def test_build_a_three_step_pipeline_by_drag_and_drop_and_run_it_with_cwltool(lab, page, tmp_path):
    assert IMAGE.is_file(), f"demo data missing: {IMAGE} (bootstrap.sh installs it)"
    page.goto(lab.lab_url())
    page.locator(".jp-LauncherCard", has_text="Pipeline").first.click(timeout=60_000)
    editor = page.locator('.dl-pipeline-widget[data-state="ready"]')
    expect(editor).to_be_visible(timeout=30_000)
    saved = lab.root / "untitled-pipeline.cwl"
    assert saved.is_file()

    canvas = editor.locator(".dl-pipeline-canvas")
    page.locator('li[data-id="filebrowser"]').click()  # hide the file browser: more room for the canvas
    expect(page.locator("#filebrowser")).to_be_hidden()
    for asset_id, x, y in [("#input", 40, 200), ("fits-cutout", 300, 200), ("fits-header", 600, 60), ("fits-image-png", 600, 360)]:
        item = editor.locator(f'.dl-palette-item[data-asset-id="{asset_id}"]')
        expect(item).to_be_visible(timeout=30_000)
        item.drag_to(canvas, target_position={"x": x, "y": y})
    for node_id in ["input:input", "fits-cutout", "fits-header", "fits-image-png"]:
        expect(node(page, node_id)).to_be_visible()
    editor.locator(".dl-tb-layout").click()  # auto-layout: no node covers another
    page.wait_for_timeout(500)
    # unconnected required inputs are errors, on the node and in the problems list
    expect(node(page, "fits-cutout").locator(".dl-node-error")).to_be_visible()
    expect(editor.locator(".dl-problems")).to_contain_text('Required input "image" (File)')

    # a File cannot go into an int port: refused with a message, nothing linked
    drag_link(page, "input:input", "input", "fits-cutout", "size")
    expect(editor.locator(".dl-pipeline-status")).to_contain_text("File cannot feed int")

    drag_link(page, "input:input", "input", "fits-cutout", "image")
    drag_link(page, "fits-cutout", "cutout", "fits-header", "fits")
    drag_link(page, "fits-cutout", "cutout", "fits-image-png", "image")
    expect(page.locator(".react-flow__edge")).to_have_count(3)
    # a link back from a later step would make a cycle: refused
    drag_link(page, "fits-header", "cards", "fits-cutout", "hdu")
    expect(editor.locator(".dl-pipeline-status")).to_contain_text("cycle")

    # the workflow input gets the demo image as its default; a cutout parameter is set in the properties panel
    node(page, "input:input").locator(".dl-node-title").click()
    props = editor.locator(".dl-properties")
    props.locator('input[name="default"]').fill(str(IMAGE))
    props.locator('input[name="default"]').press("Enter")
    node(page, "fits-cutout").locator(".dl-node-title").click()
    props.locator('input[name="default-size"]').fill("forty")
    props.locator('input[name="default-size"]').press("Enter")
    expect(props.locator(".dl-field-error")).to_contain_text("not a whole number")
    props.locator('input[name="default-size"]').fill("40")
    props.locator('input[name="default-size"]').press("Enter")
    node(page, "fits-header").locator(".dl-node-title").click()
    props.locator('.dl-prop-port[data-port="cards"] .dl-expose-output').click()
    node(page, "fits-image-png").locator(".dl-node-title").click()
    props.locator('.dl-prop-port[data-port="preview"] .dl-expose-output').click()
    expect(editor.locator(".dl-problems .dl-section-title")).to_contain_text("0 errors")

    editor.locator(".dl-tb-validate").click()
    expect(editor.locator(".dl-server-result")).to_contain_text("cwltool: valid", timeout=60_000)
    expect(editor.locator(".dl-tb-run")).to_have_attribute("aria-disabled", "true")

    text = save(page, saved, saved.read_text())
    doc = yaml.safe_load(text)
    assert doc["class"] == "Workflow" and doc["cwlVersion"] == "v1.2"
    assert set(doc["steps"]) == {"fits-cutout", "fits-header", "fits-image-png"}
    assert doc["steps"]["fits-cutout"]["in"] == {"image": "input", "size": {"default": 40}}
    assert doc["steps"]["fits-header"]["in"] == {"fits": "fits-cutout/cutout"}
    assert "hints" not in doc, "the layout is no CWL hint"
    assert {node for node, x, y in doc["dl:layout"]["nodes"]} == {
        "fits-cutout", "fits-header", "fits-image-png", "input:input", "output:cards", "output:preview"}
    shutil.copy(saved, ARTIFACTS / "pipeline-built-in-browser.cwl")

    check = subprocess.run([CWLTOOL, "--validate", str(saved)], capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stderr
    assert "not recognized" not in check.stderr and "WARNING" not in check.stderr, check.stderr
    out = tmp_path / "out"
    run = subprocess.run(
        [CWLTOOL, "--no-container", "--outdir", str(out), str(saved)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
        env=dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}"),  # the assets' python3
    )
    assert run.returncode == 0, run.stderr[-4000:]
    results = json.loads(run.stdout)
    cards = Path(results["cards"]["path"]).read_text()
    assert cards.startswith("SIMPLE  =                    T")
    assert "NAXIS1  =                   40" in cards, "the header read is the 40-pixel cutout's"
    assert Path(results["preview"]["path"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_moving_a_node_of_a_hand_written_workflow_changes_only_the_layout(lab, page):
    src = CORPUS / "09-requirements-hints.cwl"
    target = lab.root / "hand-written.cwl"
    shutil.copy(src, target)
    before = yaml.safe_load(target.read_text())
    page.goto(lab.lab_url("hand-written.cwl"))
    expect(page.locator('.dl-pipeline-widget[data-state="ready"]')).to_be_visible(timeout=60_000)
    title = node(page, "upcase").locator(".dl-node-title")
    box = title.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 105, steps=8)
    page.mouse.up()
    after_text = save(page, target, target.read_text())
    after = yaml.safe_load(after_text)
    moved = {node: (x, y) for node, x, y in after["dl:layout"]["nodes"]}["upcase"]
    assert all(isinstance(v, int) for v in moved)
    del after["dl:layout"]
    del after["$namespaces"]["dl"]
    assert after == before
    for comment in ["# Requirements and hints at workflow, step and tool level, and fields in", "# plain text"]:
        assert comment in after_text


def test_a_file_with_the_old_layout_hint_is_saved_in_the_new_format(lab, page):
    target = lab.root / "old-layout.cwl"
    shutil.copy(FIXTURES / "legacy-layout-map-form.cwl", target)
    before = target.read_text()
    page.goto(lab.lab_url("old-layout.cwl"))
    expect(page.locator('.dl-pipeline-widget[data-state="ready"]')).to_be_visible(timeout=60_000)
    expect(node(page, "shout")).to_be_visible()
    text = save(page, target, before)  # no edit: saving alone moves the layout out of the hint
    after = yaml.safe_load(text)
    assert after["hints"] == {"ResourceRequirement": {"coresMin": 1}}
    assert {n: (x, y) for n, x, y in after["dl:layout"]["nodes"]} == {"make": (10, 20), "shout": (300, 20)}
    assert "# inputs follow" in text
    del after["dl:layout"]
    old = yaml.safe_load(before)
    del old["hints"]["dl:Layout"]
    assert after == old


BAD_FILES = {
    "malformed.cwl": ("cwlVersion: v1.2\nclass: Workflow\nsteps: {a: [1, 2}\n", "not valid YAML"),
    "a-tool.cwl": ("cwlVersion: v1.2\nclass: CommandLineTool\nbaseCommand: echo\ninputs: []\noutputs: []\n",
                   "is a CWL CommandLineTool, not a Workflow"),
    "plain.cwl": ("title: notes\nitems: [1, 2, 3]\n", "has no `class`"),
    "future.cwl": ("cwlVersion: v2.0\nclass: Workflow\ninputs: {}\noutputs: {}\nsteps: {}\n",
                   'cwlVersion "v2.0" is not supported'),
    "huge.cwl": (None, "5.0 MB"),
}


def huge_workflow() -> str:
    """A valid workflow padded with comments to 5 MiB."""
    head = (CORPUS / "01-hello-inline.cwl").read_text()
    line = "# padding " + "x" * 89 + "\n"  # 100 bytes
    return head + line * ((5 * 1024 * 1024 - len(head.encode())) // len(line))


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_file_the_editor_cannot_read_shows_why_and_is_never_overwritten(lab, page, name):
    content, message = BAD_FILES[name]
    path = lab.root / name
    path.write_text(content if content is not None else huge_workflow())
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    page.goto(lab.lab_url(name))
    error = page.locator('.dl-pipeline-widget[data-state="error"] .dl-pipeline-error')
    expect(error).to_be_visible(timeout=60_000)
    expect(error).to_contain_text(message)
    expect(error).to_contain_text("The file was not changed")
    error.click()
    page.keyboard.press("Control+s")
    page.wait_for_timeout(1500)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, "the editor wrote a file it could not read"
    error.locator(".dl-open-as-text").click()
    expect(page.locator(".jp-FileEditor .cm-content").first).to_be_visible(timeout=30_000)


def test_a_script_dragged_from_the_file_browser_becomes_a_step_that_runs(lab, page, tmp_path):
    scripts = lab.root / "scripts"
    scripts.mkdir(exist_ok=True)
    (scripts / "hello.py").write_text("print('hello from a dragged script')\n")
    target = lab.root / "from-files.cwl"
    target.write_text("cwlVersion: v1.2\nclass: Workflow\ninputs: {}\noutputs: {}\nsteps: {}\n")
    page.goto(lab.lab_url("from-files.cwl"))
    editor = page.locator('.dl-pipeline-widget[data-state="ready"]')
    expect(editor).to_be_visible(timeout=60_000)
    show_file_browser(page)
    listing = page.locator(".jp-FileBrowser .jp-DirListing-content")
    listing.locator('.jp-DirListing-item[title^="Name: scripts"]').dblclick()
    item = listing.locator('.jp-DirListing-item[title^="Name: hello.py"]')
    expect(item).to_be_visible(timeout=30_000)
    a = item.bounding_box()
    b = editor.locator(".dl-pipeline-canvas").bounding_box()
    page.mouse.move(a["x"] + 30, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(a["x"] + 60, a["y"] + 20, steps=5)
    page.mouse.move(b["x"] + 200, b["y"] + 200, steps=10)
    page.mouse.up()
    expect(node(page, "hello")).to_contain_text("hello.py", timeout=10_000)
    text = save(page, target, target.read_text())
    step = yaml.safe_load(text)["steps"]["hello"]["run"]
    assert step["baseCommand"] == ["python"]
    assert step["inputs"]["script"]["default"] == {"class": "File", "location": "scripts/hello.py"}
    run = subprocess.run(
        [CWLTOOL, "--no-container", "--outdir", str(tmp_path / "out"), str(target)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env=dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}"),
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "[job hello] completed success" in run.stderr


def test_copy_paste_delete_undo_redo_with_the_keyboard(lab, page):
    target = lab.root / "keys.cwl"
    shutil.copy(CORPUS / "01-hello-inline.cwl", target)
    original = target.read_text()
    page.goto(lab.lab_url("keys.cwl"))
    expect(page.locator('.dl-pipeline-widget[data-state="ready"]')).to_be_visible(timeout=60_000)
    steps = page.locator(".react-flow__node .dl-node-step")
    expect(steps).to_have_count(1)
    step_id = steps.first.get_attribute("data-node-id")
    node(page, step_id).locator(".dl-node-title").click()
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(steps).to_have_count(2)
    page.keyboard.press("Control+z")
    expect(steps).to_have_count(1)
    page.keyboard.press("Control+Shift+z")
    expect(steps).to_have_count(2)
    node(page, f"{step_id}_2").locator(".dl-node-title").click()
    page.keyboard.press("Delete")
    expect(steps).to_have_count(1)
    page.keyboard.press("Control+z")
    expect(steps).to_have_count(2)
    text = save(page, target, original)
    assert set(yaml.safe_load(text)["steps"]) == {step_id, f"{step_id}_2"}


ELYRA_PIPELINE = {
    "doc_type": "pipeline", "version": "3.0", "id": "e1", "primary_pipeline": "main",
    "pipelines": [{
        "id": "main",
        "app_data": {"properties": {"name": "Elyra hello", "runtime": "Generic"}},
        "nodes": [
            {"id": "a", "type": "execution_node", "op": "execute-python-node",
             "app_data": {"label": "write", "component_parameters": {"filename": "write.py", "outputs": ["out.txt"],
                                                                     "env_vars": ["WORD=hello"]},
                          "ui_data": {"x_pos": 50, "y_pos": 50}},
             "inputs": [{"id": "inPort", "links": []}], "outputs": [{"id": "outPort"}]},
            {"id": "b", "type": "execution_node", "op": "execute-python-node",
             "app_data": {"label": "shout", "component_parameters": {"filename": "shout.py", "outputs": ["loud.txt"]},
                          "ui_data": {"x_pos": 350, "y_pos": 50}},
             "inputs": [{"id": "inPort", "links": [{"id": "l", "node_id_ref": "a", "port_id_ref": "outPort"}]}],
             "outputs": [{"id": "outPort"}]},
        ],
    }],
}


def test_an_elyra_pipeline_is_imported_as_cwl_that_runs(lab, page, tmp_path):
    folder = lab.root / "elyra"
    folder.mkdir(exist_ok=True)
    (folder / "write.py").write_text("import os\nopen('out.txt', 'w').write(os.environ['WORD'] + '\\n')\n")
    (folder / "shout.py").write_text("open('loud.txt', 'w').write(open('out.txt').read().upper())\n")
    (folder / "hello.pipeline").write_text(json.dumps(ELYRA_PIPELINE))
    page.goto(lab.lab_url())
    show_file_browser(page)
    listing = page.locator(".jp-FileBrowser .jp-DirListing-content")
    listing.locator('.jp-DirListing-item[title^="Name: elyra"]').dblclick()
    listing.locator('.jp-DirListing-item[title^="Name: hello.pipeline"]').click(button="right")
    page.locator(".lm-Menu-item", has_text="Import Elyra Pipeline as CWL").click()
    editor = page.locator('.dl-pipeline-widget[data-state="ready"]')
    expect(editor).to_be_visible(timeout=30_000)
    expect(node(page, "write")).to_be_visible()
    expect(node(page, "shout")).to_be_visible()
    expect(page.locator(".react-flow__edge")).to_have_count(2)  # write -> shout, shout -> its workflow output
    saved = folder / "hello.cwl"
    assert saved.is_file() and (folder / "hello.pipeline").is_file()
    run = subprocess.run(
        [CWLTOOL, "--no-container", "--outdir", str(tmp_path / "out"), str(saved)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env=dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}"),
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert Path(json.loads(run.stdout)["shout_loud_txt"]["path"]).read_text() == "HELLO\n"
