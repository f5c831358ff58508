"""A person in a real browser (Debian's Chromium driven by Playwright): log in, launch, see the volumes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from datalabs_hub.testing.hub import ARTIFACTS, CHROMIUM_ARGS


@pytest.fixture
def page():
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        pg = context.new_page()
        try:
            yield pg
        finally:
            pg.screenshot(path=str(ARTIFACTS / "browser-last.png"))
            browser.close()


def test_login_launch_and_see_the_volumes(hub, accounts, page):
    alice = accounts["alice"]
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", alice.name)
    page.fill("#password_input", "wrong password")
    page.click("#login_submit")
    expect(page.locator(".login_error, .alert-danger").first).to_be_visible()
    page.fill("#username_input", alice.name)
    page.fill("#password_input", alice.password)
    page.click("#login_submit")

    # the catalogue is the first thing after login
    expect(page.get_by_role("heading", name="Datalab catalogue")).to_be_visible()
    card = page.locator('[data-datalab-id="lab-test"]')
    expect(card).to_contain_text("Test JupyterLab")
    # search narrows the catalogue; the volume that does not match is hidden
    page.fill("#dl-search", "testing")
    expect(page.locator('tr[data-volume-id="mission-b"]')).to_be_hidden()
    page.fill("#dl-search", "")
    expect(page.locator('tr[data-volume-id="mission-b"]')).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "catalogue.png"), full_page=True)

    card.click()
    page.check("#dl-vol-mission-b")
    page.fill("#dl-server-name", "browserlab")
    page.click("#dl-launch")

    # the spawn page shows our progress messages, then JupyterLab opens
    expect(page.locator("body")).to_contain_text("read-only", timeout=30_000)
    page.wait_for_url(f"**/user/{alice.name}/browserlab/lab**", timeout=90_000)
    tab = page.locator('li[data-id="datalabs-volumes-panel"]')
    expect(tab).to_be_visible(timeout=60_000)
    tab.click()
    panel = page.locator('#datalabs-volumes-panel[data-state="ready"]')
    expect(panel).to_be_visible(timeout=30_000)
    volume = panel.locator('li.dl-volume[data-volume-id="mission-b"]')
    expect(volume).to_contain_text("Mission B archive")
    expect(volume).to_contain_text("/data/b-products")
    expect(volume).to_contain_text("read-only")
    expect(panel.locator('li.dl-volume[data-volume-id="mission-a"]')).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "lab-volumes-panel.png"))
    volume.locator("button.dl-volume-open").click()
    expect(page.locator(".jp-FileBrowser .jp-DirListing-content")).to_contain_text("index.txt", timeout=30_000)
    expect(page.locator(".jp-FileBrowser .jp-BreadCrumbs")).to_contain_text("b-products")

    hub.api("DELETE", f"/users/{alice.name}/servers/browserlab")
    hub.wait_stopped(alice.name, "browserlab")
