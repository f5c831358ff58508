"""The hub's own pages in a real browser (Debian's Chromium via Playwright), at 1280x800 and at 800 px wide.

The home page is one place: the catalogue and the user's datalabs (name, kind, volumes, state; open,
stop, remove), without JupyterHub's stock controls. The spawn form's cards do not overlap and their
titles fit; a refused launch shows the hub's message as it is, keeps the user's choice and leaves
no entry behind; the page shown while a datalab starts says what is starting.
Screenshots go to test-artifacts/ (home-*, spawn-*, spawn-pending-*).
"""

from __future__ import annotations

import concurrent.futures
import html
import re
import time

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from test_hub_spawn import spawn

from datalabs_hub.catalog import load_catalog
from datalabs_hub.testing.hub import ARTIFACTS, CHECKOUT, CHROMIUM, CHROMIUM_ARGS

WIDTHS = [1280, 800]

#: Everything wrong with the pages' layout, in words (empty: nothing): cards that overlap, a card's
#: parts outside its border, titles cut off, tables that need scrolling, a page wider than the window.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const inside = (a, b) => a.left >= b.left - 1 && a.right <= b.right + 1 && a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
  const cards = Array.from(document.querySelectorAll(".dl-card")).filter((c) => c.offsetParent !== null);
  const boxes = cards.map((c) => c.getBoundingClientRect());
  cards.forEach((card, i) => {
    const id = card.dataset.datalabId;
    card.querySelectorAll("input, img, .dl-title, .dl-kind, .dl-description, .dl-tag").forEach((el) => {
      const what = el.className || el.tagName.toLowerCase();
      if (!inside(el.getBoundingClientRect(), boxes[i])) problems.push(`${id}: its ${what} reaches outside the card`);
      if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) problems.push(`${id}: its ${what} is cut off`);
    });
    for (let j = i + 1; j < cards.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) {
        problems.push(`${id} overlaps ${cards[j].dataset.datalabId}`);
      }
    }
  });
  document.querySelectorAll(".dl-volumes, .table-responsive").forEach((box) => {
    if (box.scrollWidth > box.clientWidth + 1) problems.push(`${box.querySelector("table").getAttribute("aria-label")}: cut off at the right`);
  });
  const wide = document.documentElement.scrollWidth;
  if (wide > window.innerWidth + 1) problems.push(`the page is ${wide} px wide in a ${window.innerWidth} px window`);
  return problems;
}"""

STOCK_CONTROLS = ["Start My Server", "Stop My Server", "Named Servers", "Add New Server", "Server Options"]


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def page(request):
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": request.param, "height": 800})
        try:
            yield context.new_page()
        finally:
            browser.close()


def width(page: Page) -> int:
    return page.viewport_size["width"]


def log_in(page: Page, hub, account) -> None:
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", account.name)
    page.fill("#password_input", account.password)
    page.click("#login_submit")
    expect(page.get_by_role("heading", name="Datalab catalogue")).to_be_visible()


def assert_no_stock_controls(page: Page) -> None:
    for text in STOCK_CONTROLS:
        expect(page.get_by_text(text)).to_have_count(0)
    expect(page.locator("#start, .new-server-btn, .new-server-name")).to_have_count(0)


def test_home_page_is_the_catalogue_and_your_datalabs(shipped_hub, accounts, page):
    """The shipped catalogue's cards fit at both widths; no second way to the same form."""
    log_in(page, shipped_hub, accounts["alice"])
    expect(page.get_by_role("heading", name="Your datalabs")).to_be_visible()
    assert_no_stock_controls(page)
    gdl = page.locator('[data-datalab-id="gdl"]')
    expect(gdl.locator(".dl-title")).to_have_text("GNU Data Language (IDL-compatible) session")
    expect(gdl.locator(".dl-kind")).to_have_text("Desktop application")
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    page.screenshot(path=str(ARTIFACTS / f"home-{width(page)}.png"), full_page=True)


def test_spawn_page_cards_do_not_overlap(shipped_hub, accounts, page):
    """The spawn page (the catalogue in JupyterHub's narrow form column) says what it starts; cards fit."""
    log_in(page, shipped_hub, accounts["alice"])
    page.goto(f"{shipped_hub.url}/hub/spawn")
    expect(page.get_by_role("heading", name="Start a datalab")).to_be_visible()
    expect(page.locator("#dl-spawn-target")).to_contain_text("Your default datalab")
    assert_no_stock_controls(page)
    shipped = load_catalog(CHECKOUT / "spawner_profiles", None)
    expect(page.locator(".dl-card")).to_have_count(len(shipped.datalabs))  # every shipped datalab, each a card
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    page.screenshot(path=str(ARTIFACTS / f"spawn-{width(page)}.png"), full_page=True)


@pytest.fixture(scope="module")
def bob_at_the_limit(hub, accounts):
    """bob runs two datalabs, the test hub's per-user limit."""
    bob = accounts["bob"].name
    names = ["limit-one", "limit-two"]
    for name in names:
        r = spawn(hub, bob, name, {"datalab": "lab-test"})
        assert r.status_code in (201, 202), r.text
    for name in names:
        hub.wait_ready(bob, name)
    yield bob
    for name in names:
        hub.api("DELETE", f"/users/{bob}/servers/{name}", json={"remove": True})
    for name in names:
        hub.wait_stopped(bob, name)


def all_servers(hub, user: str) -> dict:
    """All of a user's servers as JupyterHub knows them, stopped ones included."""
    return hub.api("GET", f"/users/{user}?include_stopped_servers").json()["servers"]


def pick_mission_b_only(page: Page) -> None:
    """A choice that differs from the form's defaults (lab-test comes with mission-a)."""
    page.locator('[data-datalab-id="lab-test"]').click()
    page.uncheck("#dl-vol-mission-a")
    page.check("#dl-vol-mission-b")


def expect_mission_b_only(page: Page) -> None:
    expect(page.locator('input[name=datalab][value="lab-test"]')).to_be_checked()
    expect(page.locator("#dl-vol-mission-a")).not_to_be_checked()
    expect(page.locator("#dl-vol-mission-b")).to_be_checked()


def test_a_refused_launch_keeps_the_choice_and_leaves_nothing_behind(hub, accounts, bob_at_the_limit, page):
    bob = bob_at_the_limit
    log_in(page, hub, accounts["bob"])
    # the user's datalabs: name, kind, volumes, state
    one = page.locator('#dl-servers tr[data-server-name="limit-one"]')
    for text in ("limit-one", "Test JupyterLab", "JupyterLab", "Mission A archive", "/data/mission-a", "running"):
        expect(one).to_contain_text(text)
    expect(one.get_by_role("link", name="Open")).to_have_attribute("href", f"/user/{bob}/limit-one/")

    # a third one from the home page is refused: the hub's message as it is, the choice as it was
    name = f"limit-three-{width(page)}"
    pick_mission_b_only(page)
    page.fill("#dl-server-name", name)
    page.click("#dl-launch")
    error = page.locator("#dl-launch-error")
    expect(error).to_contain_text("You already run 2 datalabs (limit-one, limit-two)")
    expect(error).to_contain_text("Stop one on the home page before starting another.")
    expect(error).not_to_contain_text("HTTP 400")
    expect(error).not_to_contain_text("Bad Request")
    expect_mission_b_only(page)
    expect(page.locator("#dl-server-name")).to_have_value(name)
    expect(page.locator("#dl-launch")).to_be_enabled()
    page.screenshot(path=str(ARTIFACTS / f"home-refused-{width(page)}.png"), full_page=True)
    # ... and no stopped entry is left behind, for the hub or on the page
    assert name not in all_servers(hub, bob)
    page.reload()
    expect(page.locator('#dl-servers tr[data-server-name="limit-two"]')).to_contain_text("running")
    expect(page.locator(f'#dl-servers tr[data-server-name="{name}"]')).to_have_count(0)

    # the same on the spawn page of a datalab that never ran
    name = f"limit-four-{width(page)}"
    page.goto(f"{hub.url}/hub/spawn/{bob}/{name}")
    expect(page.locator("#dl-spawn-target")).to_contain_text(f"Your datalab “{name}”")
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    pick_mission_b_only(page)
    page.click("#dl-launch")
    error = page.locator("#dl-launch-error")
    expect(error).to_contain_text("You already run 2 datalabs (limit-one, limit-two)")
    expect(error).not_to_contain_text("HTTP 400")
    expect_mission_b_only(page)
    page.screenshot(path=str(ARTIFACTS / f"spawn-refused-{width(page)}.png"), full_page=True)
    assert name not in all_servers(hub, bob)


def test_a_refused_form_post_shows_the_message_plainly(hub, accounts, bob_at_the_limit):
    """Without the page's script the form posts to JupyterHub's spawn page: its error is shown unwrapped."""
    session = hub.login(accounts["bob"])
    name = "limit-posted"
    try:
        r = session.post(f"{hub.url}/hub/spawn/{bob_at_the_limit}/{name}",
                         data={"datalab": "lab-test", "volumes": ["mission-b"]}, timeout=30)
        assert r.status_code == 409  # the per-user limit is a conflict with what runs, not a bad request
        message = re.search(r'class="spawn-error-msg[^"]*"[^>]*>([^<]*)<', r.text).group(1)
        assert html.unescape(message).startswith("You already run 2 datalabs (limit-one, limit-two)"), message
        assert "HTTP 409" not in r.text and "Conflict" not in r.text
    finally:
        hub.api("DELETE", f"/users/{bob_at_the_limit}/servers/{name}", json={"remove": True})


def wait_pending(hub, user: str, server: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        model = hub.api("GET", f"/users/{user}").json()["servers"].get(server)
        if model and model.get("pending") == "spawn":
            return
        time.sleep(0.05)
    raise AssertionError(f"{user}/{server} did not start")


def test_stop_while_starting(hub, accounts, page):
    """The page shown while a datalab starts stops that datalab (not the user's default server)."""
    alice = accounts["alice"].name
    name = f"halt-{width(page)}"
    log_in(page, hub, accounts["alice"])
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        posted = pool.submit(spawn, hub, alice, name, {"datalab": "lab-test"})
        wait_pending(hub, alice, name)
        page.goto(f"{hub.url}/hub/spawn-pending/{alice}/{name}")
        expect(page.locator("#dl-starting")).to_have_text("Starting Test JupyterLab")
        page.get_by_role("button", name="Stop it").click()
        page.wait_for_url("**/hub/home", timeout=60_000)
        posted.result()
    row = page.locator(f'#dl-servers tr[data-server-name="{name}"]')
    expect(row.locator(".dl-state")).to_have_text("stopped")
    server = all_servers(hub, alice)[name]
    assert not server["ready"] and not server["pending"]
    hub.api("DELETE", f"/users/{alice}/servers/{name}", json={"remove": True})


def test_launch_from_home_says_what_starts_then_open_stop_remove(hub, accounts, page):
    alice = accounts["alice"].name
    # a second browser of alice's (its own cookies, so the two logins into the datalab do not mix)
    watcher = page.context.browser.new_context(viewport=page.viewport_size).new_page()
    log_in(watcher, hub, accounts["alice"])
    log_in(page, hub, accounts["alice"])
    name = f"rows-{width(page)}"
    page.locator('[data-datalab-id="lab-test"]').click()
    page.check("#dl-vol-mission-b")
    page.fill("#dl-server-name", name)
    page.click("#dl-launch")
    # while the hub starts it, the home page says what is starting
    expect(page.locator("#dl-launch-status")).to_have_text(
        f"Starting Test JupyterLab (JupyterLab) as “{name}” with Mission A archive, Mission B archive…")
    expect(page.locator("#dl-launch")).to_be_disabled()
    # so does the page shown while it starts (the second browser opens it as soon as the hub says "starting")
    wait_pending(hub, alice, name)
    watcher.goto(f"{hub.url}/hub/spawn-pending/{alice}/{name}")
    expect(watcher.locator("#dl-starting")).to_have_text("Starting Test JupyterLab")
    details = watcher.locator("#dl-starting-details")
    for text in (f"JupyterLab, your datalab “{name}”", "Mission A archive at /data/mission-a",
                 "Mission B archive at /data/b-products", "(read-only)"):
        expect(details).to_contain_text(text)
    watcher.screenshot(path=str(ARTIFACTS / f"spawn-pending-{width(page)}.png"), full_page=True)
    watcher.context.close()
    # the launch ends in the datalab
    page.wait_for_url(f"**/user/{alice}/{name}/lab**", timeout=90_000)

    # the home page lists it: name, kind, volumes, state; open, stop, remove
    page.goto(f"{hub.url}/hub/home")
    row = page.locator(f'#dl-servers tr[data-server-name="{name}"]')
    for text in (name, "Test JupyterLab", "JupyterLab", "Mission A archive", "/data/mission-a",
                 "Mission B archive", "/data/b-products"):
        expect(row).to_contain_text(text)
    expect(row.locator(".dl-state")).to_have_text("running")
    assert_no_stock_controls(page)
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    page.screenshot(path=str(ARTIFACTS / f"home-datalabs-{width(page)}.png"), full_page=True)
    row.get_by_role("link", name="Open").click()
    page.wait_for_url(f"**/user/{alice}/{name}/lab**")
    page.goto(f"{hub.url}/hub/home")

    row.get_by_role("button", name="Stop").click()
    expect(row.locator(".dl-state")).to_have_text("stopped", timeout=60_000)
    assert not all_servers(hub, alice)[name]["ready"]
    expect(row.get_by_role("button", name="Start again")).to_be_visible()
    row.get_by_role("button", name="Remove").click()
    expect(row).to_have_count(0, timeout=30_000)
    assert name not in all_servers(hub, alice)


@pytest.mark.parametrize("page", [1280], indirect=True, ids=["1280px"])
def test_start_again_uses_the_same_choice(hub, accounts, page):
    """A stopped datalab starts again from its row with the datalab and volumes it had."""
    alice = accounts["alice"].name
    name = "again"
    assert spawn(hub, alice, name, {"datalab": "lab-test", "volumes": ["mission-b"]}).status_code in (201, 202)
    hub.wait_ready(alice, name)
    hub.api("DELETE", f"/users/{alice}/servers/{name}")
    hub.wait_stopped(alice, name)
    try:
        log_in(page, hub, accounts["alice"])
        row = page.locator(f'#dl-servers tr[data-server-name="{name}"]')
        expect(row.locator(".dl-state")).to_have_text("stopped")
        row.get_by_role("button", name="Start again").click()
        expect(page.locator("#dl-servers-status")).to_have_text(
            f"Starting Test JupyterLab (JupyterLab) as “{name}” with Mission B archive…")
        page.wait_for_url(f"**/user/{alice}/{name}/lab**", timeout=90_000)
        options = hub.api("GET", f"/users/{alice}").json()["servers"][name]["user_options"]
        assert options == {"datalab": "lab-test", "volumes": ["mission-b"]}
    finally:
        hub.api("DELETE", f"/users/{alice}/servers/{name}", json={"remove": True})
        hub.wait_stopped(alice, name)
