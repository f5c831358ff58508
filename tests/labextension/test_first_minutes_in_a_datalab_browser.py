"""The first minutes in a real JupyterLab datalab launched through the hub, in Debian's Chromium at 1280 and
800 px: the file browser's house button, the archive volumes, New Pipeline where the user cannot write, the
example pipeline from the launcher (laid out, readable) and what Run says.

The datalab is alice's `jupyterlab-astro` from the shipped catalogue: her own account in the bubblewrap
sandbox, the server root `/`, her home the preferred directory and read-only volumes at `/data/<id>`.
"""

from __future__ import annotations

import pwd
import re

import pytest
import requests
from playwright.sync_api import Page, expect, sync_playwright

from datalabs_hub.pipelines.examples import EXAMPLES
from datalabs_hub.testing.hub import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

WIDTHS = [1280, 800]
SERVER = "firstmin"


@pytest.fixture(scope="module")
def datalab(shipped_hub, accounts):
    hub = shipped_hub
    alice = accounts["alice"]
    body = {"datalab": "jupyterlab-astro", "volumes": ["heliophysics", "spice-kernels"]}
    assert hub.api("POST", f"/users/{alice.name}/servers/{SERVER}", json=body).status_code in (201, 202)
    try:
        hub.wait_ready(alice.name, SERVER, timeout=120)
        yield hub, alice
    finally:
        hub.api("DELETE", f"/users/{alice.name}/servers/{SERVER}")
        hub.wait_stopped(alice.name, SERVER)


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def page(request, datalab):
    hub, alice = datalab
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": request.param, "height": 800})
        pg = context.new_page()
        try:
            pg.goto(f"{hub.url}/hub/login")
            pg.fill("#username_input", alice.name)
            pg.fill("#password_input", alice.password)
            pg.click("#login_submit")
            expect(pg.get_by_role("heading", name="Datalab catalogue")).to_be_visible()
            # a workspace of its own, reset: nothing restored from another test
            pg.goto(f"{hub.url}/user/{alice.name}/{SERVER}/lab/workspaces/{request.node.name[:40]}?reset")
            expect(pg.locator("#filebrowser .jp-DirListing-content")).to_be_visible(timeout=90_000)
            yield pg
        finally:
            pg.screenshot(path=str(ARTIFACTS / f"datalab-{request.param}px-{request.node.originalname[5:60]}.png"))
            browser.close()


def home_of(account) -> str:
    return pwd.getpwnam(account.name).pw_dir


def current_folder(page: Page):
    """The file browser's last path crumb (its title is the folder's path without the leading slash)."""
    return page.locator("#filebrowser .jp-BreadCrumbs-item:not(.jp-BreadCrumbs-ellipsis)").last


def close_dialog(page: Page) -> None:
    page.locator(".jp-Dialog .jp-Dialog-footer button").last.click()
    expect(page.locator(".jp-Dialog")).to_have_count(0)


def test_the_house_button_goes_home_and_the_volumes_stay_reachable(datalab, page):
    _, alice = datalab
    home = home_of(alice)
    expect(current_folder(page)).to_have_attribute("title", home.lstrip("/"), timeout=30_000)  # opens at home

    # the file browser's archive volumes button: the folder holding the volumes, /data
    page.locator('#filebrowser [title="Archive volumes (/data)"]').click()
    expect(current_folder(page)).to_have_attribute("title", "data")
    listing = page.locator("#filebrowser .jp-DirListing-content")
    for volume in ("heliophysics", "spice-kernels"):
        expect(listing.locator(f'.jp-DirListing-item[title^="Name: {volume}"]')).to_be_visible()

    house = page.locator("#filebrowser .jp-BreadCrumbs-home")
    expect(house).to_have_attribute("title", f"Your home folder ({home})")
    expect(page.locator("#filebrowser .jp-BreadCrumbs-preferred")).to_be_hidden()  # no second button to the same place
    house.click()
    expect(current_folder(page)).to_have_attribute("title", home.lstrip("/"))

    # the volumes panel's Open still shows /data/<id>
    page.locator('.lm-TabBar-tab[data-id="datalabs-volumes-panel"]').click()
    page.locator('.dl-volume[data-volume-id="heliophysics"] .dl-volume-open').click()
    expect(current_folder(page)).to_have_attribute("title", "data/heliophysics")
    expect(listing.locator('.jp-DirListing-item[title^="Name: soho"]')).to_be_visible()


def test_new_pipeline_where_the_user_cannot_write_says_why(datalab, page):
    page.locator('.lm-TabBar-tab[data-id="datalabs-volumes-panel"]').click()
    page.locator('.dl-volume[data-volume-id="heliophysics"] .dl-volume-open').click()
    expect(current_folder(page)).to_have_attribute("title", "data/heliophysics")
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^File$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile("^New$")).hover()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Pipeline$")).click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("Cannot create a pipeline", timeout=30_000)
    expect(dialog).to_contain_text(
        "You cannot create files in /data/heliophysics: the archive volumes under /data are read-only.")
    expect(dialog).to_contain_text("Go to your home folder")
    expect(dialog).to_contain_text("Read-only file system")  # the server's reason
    page.screenshot(path=str(ARTIFACTS / f"datalab-new-pipeline-refused-{page.viewport_size['width']}px.png"))
    close_dialog(page)
    expect(page.locator(".dl-pipeline-widget")).to_have_count(0)


def test_the_example_pipeline_from_the_launcher_opens_laid_out_and_readable(datalab, page):
    hub, alice = datalab
    home = home_of(alice)
    width = page.viewport_size["width"]
    # the File menu offers it too
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^File$")).click()
    expect(page.locator(".lm-Menu-itemLabel", has_text="Example Pipeline: SOHO EIT Images")).to_be_visible()
    page.keyboard.press("Escape")
    # the launcher a fresh workspace opens: the example's tile in its own section
    section = page.locator(".jp-Launcher-section", has_text="Example Pipelines")
    section.locator(".jp-LauncherCard", has_text="SOHO EIT Images").click(timeout=60_000)

    editor = page.locator('.dl-pipeline-widget[data-state="ready"]')
    expect(editor).to_be_visible(timeout=60_000)
    expect(page.locator(".lm-TabBar-tab.jp-mod-current")).to_contain_text("eit-images.cwl")
    # the copy (workflow and job file) is in the user's home, as shipped
    token = hub.user_token(alice.name)
    base = f"{hub.url}/user/{alice.name}/{SERVER}/api/contents{home}/pipeline-examples"
    for name in ("eit-images.cwl", "eit-images.job.yml"):
        got = requests.get(f"{base}/{name}", headers={"Authorization": f"token {token}"}, timeout=30)
        assert got.status_code == 200, got.text
        assert got.json()["content"] == (EXAMPLES / name).read_text()

    nodes = page.locator(".react-flow__node")
    expect(nodes).to_have_count(12)  # 4 steps, 3 inputs, 5 outputs
    page.wait_for_function("document.querySelectorAll('.react-flow__node').length === 12"
                           " && [...document.querySelectorAll('.react-flow__node')].every(n => n.offsetWidth > 0)")
    page.screenshot(path=str(ARTIFACTS / f"example-pipeline-first-opened-{width}px.png"))

    # laid out: no node is drawn on another
    boxes = {n.get_attribute("data-id"): n.bounding_box() for n in nodes.all()}
    for a, ba in boxes.items():
        for b, bb in boxes.items():
            if a < b:
                apart = (ba["x"] + ba["width"] <= bb["x"] or bb["x"] + bb["width"] <= ba["x"]
                         or ba["y"] + ba["height"] <= bb["y"] or bb["y"] + bb["height"] <= ba["y"])
                assert apart, f"{a} {ba} overlaps {b} {bb}"
    # readable: the node titles are drawn at 8.8 px or more (11 px at zoom >= 0.8), the start of the pipeline in view
    zoom = page.locator(".react-flow__viewport").evaluate("v => new DOMMatrix(getComputedStyle(v).transform).a")
    assert zoom >= 0.8, f"opened at zoom {zoom:.2f}: text too small to read"
    label = page.locator('.react-flow__node[data-id="read_date"] .dl-node-label')
    size = label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size * zoom >= 8.8
    canvas = editor.locator(".dl-pipeline-canvas").bounding_box()
    first = page.locator('.react-flow__node[data-id="input:metakernel"]').bounding_box()
    assert canvas["x"] <= first["x"] and first["x"] + first["width"] <= canvas["x"] + canvas["width"]

    # Run explains itself: a tooltip, and a click or Enter shows how to run the pipeline in a terminal
    run = editor.locator(".dl-tb-run")
    expect(run).to_have_attribute("title", re.compile("not available yet"))
    expect(run).to_have_attribute("aria-disabled", "true")
    run.focus()
    page.keyboard.press("Enter")
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("Run this pipeline in a terminal")
    expect(dialog.locator(".dl-run-commands")).to_have_text(
        f"cd {home}/pipeline-examples\ncwltool eit-images.cwl eit-images.job.yml")
    page.screenshot(path=str(ARTIFACTS / f"example-pipeline-run-help-{width}px.png"))
    close_dialog(page)
