"""Web-app datalabs end to end: the shipped JS9 and Voilà entries on the demo volumes, a real hub,
real sandboxes, Debian's Chromium at 1280x800 and 800 px wide; the security of the proxied apps."""

from __future__ import annotations

import ipaddress
import stat
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import requests
import websocket
from astropy.io import fits
from playwright.sync_api import expect, sync_playwright

from datalabs_hub.testing.hub import (
    ARTIFACTS,
    CHECKOUT,
    CHROMIUM,
    CHROMIUM_ARGS,
    DEMO_VOLUMES,
    running_hub,
)
from datalabs_hub.testing.sockets import net_connections

WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 800, "height": 900}
EIT = "soho/eit/efz20040301.000010_s.fits"
STIS = "hubble/stis/o4sp040b0_raw.fits"


def spawn(hub, account, server: str, datalab: str, volumes: list[str]) -> dict:
    token = hub.user_token(account.name)
    r = hub.api("POST", f"/users/{account.name}/servers/{server}", token=token,
                json={"datalab": datalab, "volumes": volumes})
    assert r.status_code in (201, 202), r.text
    return hub.wait_ready(account.name, server, timeout=150)


@pytest.fixture(scope="module")
def webapp_hub(tmp_path_factory, accounts):
    """A hub with the catalogue as shipped in spawner_profiles/ (its JS9 and Voilà entries) on the demo volumes."""
    assert (DEMO_VOLUMES / "heliophysics").is_dir(), "run `bash bootstrap.sh test` to build the demo volumes"
    work = tmp_path_factory.mktemp("webapp-hub")
    with running_hub(work, CHECKOUT / "spawner_profiles", [DEMO_VOLUMES], [a.name for a in accounts.values()],
                     log_name="webapp-hub.log") as hub:
        yield hub


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def js9(webapp_hub, accounts):
    """Alice's JS9 datalab with the heliophysics and astronomy volumes (the entry's defaults)."""
    alice = accounts["alice"]
    spawn(webapp_hub, alice, "images", "js9", ["heliophysics", "astronomy"])
    try:
        yield "images"
    finally:
        webapp_hub.api("DELETE", f"/users/{alice.name}/servers/images")
        webapp_hub.wait_stopped(alice.name, "images")


@pytest.fixture(scope="module")
def stix(webapp_hub, accounts):
    """Alice's Voilà STIX dashboard datalab with the heliophysics volume."""
    alice = accounts["alice"]
    spawn(webapp_hub, alice, "stix", "stix-dashboard", ["heliophysics"])
    try:
        yield "stix"
    finally:
        webapp_hub.api("DELETE", f"/users/{alice.name}/servers/stix")
        webapp_hub.wait_stopped(alice.name, "stix")


class Messages:
    """Everything the page says besides its content: console messages, uncaught errors, dialogs, failed requests."""

    def __init__(self, page):
        self.items: list[str] = []
        page.on("console", lambda m: self.items.append(f"console {m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.items.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.items.append(f"request failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.items.append(f"HTTP {r.status}: {r.url}"))

        def dialog(d):
            self.items.append(f"dialog: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)

    def problems(self) -> list[str]:
        # read and understood: Chromium's performance hint about canvas readbacks (JS9's and this test's own)
        return [m for m in self.items if not m.startswith(("console log", "console info", "console debug"))
                and "willReadFrequently" not in m]


def open_datalab(browser, hub, account, server: str, viewport: dict):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    messages = Messages(page)
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", account.name)
    page.fill("#password_input", account.password)
    page.click("#login_submit")
    page.wait_for_url("**/hub/**")
    page.goto(f"{hub.url}/user/{account.name}/{server}/")
    return context, page, messages


def naxis(path: Path, hdu: int) -> tuple[int, int]:
    header = fits.getheader(path, hdu)
    return header["NAXIS1"], header["NAXIS2"]


CANVAS_LEVELS = """() => {
  const c = document.querySelector('#JS9 canvas.JS9Image');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const levels = new Set();
  for (let i = 0; i < d.length; i += 4) levels.add(d[i]);
  return levels.size;
}"""


@pytest.mark.parametrize("viewport,name", [(WIDE, "wide"), (NARROW, "narrow")])
def test_js9_lists_the_volumes_images_and_displays_one_with_its_naxis(js9, webapp_hub, accounts, browser, viewport, name):
    alice = accounts["alice"]
    context, page, messages = open_datalab(browser, webapp_hub, alice, js9, viewport)
    try:
        # the datalab opens full-page on the app, which lists the FITS images of both volumes
        page.wait_for_url(f"**/user/{alice.name}/{js9}/webapp-js9/")
        expect(page.get_by_role("heading", name="FITS images in your archive volumes")).to_be_visible()
        expect(page.locator("#list h2")).to_have_text(["Heliophysics (demo) (/data/heliophysics)",
                                                      "Astronomy (demo) (/data/astronomy)"], timeout=30_000)
        for rel, volume, hdu in ((EIT, "heliophysics", 0), (STIS, "astronomy", 1)):
            button = page.locator(f'#list button[data-url="files/{volume}/{rel}"]')
            width, height = naxis(DEMO_VOLUMES / volume / rel, hdu)
            expect(button).to_contain_text(f"{width} x {height}")
            button.click()
            # JS9 read the FITS file over HTTP and shows an image of the file's dimensions
            expect(page.locator("#status")).to_have_text(
                f"Showing /data/{volume}/{rel}: {width} x {height} pixels", timeout=60_000)
            assert page.locator("body").get_attribute("data-width") == str(width)
            assert page.locator("body").get_attribute("data-height") == str(height)
            page.screenshot(path=str(ARTIFACTS / f"webapp-js9-{volume}-{name}.png"))
            assert page.evaluate(CANVAS_LEVELS) > 5  # an image (the STIS bias frame has ~10 levels), not an empty display
        # the display fits the tab: no horizontal scrolling
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert messages.problems() == [], messages.items
    finally:
        context.close()


@pytest.mark.parametrize("viewport,name", [(WIDE, "wide"), (NARROW, "narrow")])
def test_voila_dashboard_plots_the_stix_light_curve(stix, webapp_hub, accounts, browser, viewport, name):
    alice = accounts["alice"]
    path = next((DEMO_VOLUMES / "heliophysics").glob("**/*stix-ql-lightcurve*.fits"))
    samples = len(fits.getdata(path, "DATA"))
    context, page, messages = open_datalab(browser, webapp_hub, alice, stix, viewport)
    try:
        page.wait_for_url(f"**/user/{alice.name}/{stix}/webapp-stix-dashboard/")
        expect(page.get_by_role("heading", name="Solar Orbiter STIX: X-ray light curve")).to_be_visible(timeout=90_000)
        expect(page.get_by_text(f"{samples} samples from 2020-05-06")).to_be_visible(timeout=90_000)
        plot = page.locator("img[src^='data:image/png']").first
        expect(plot).to_be_visible()
        size = plot.evaluate("img => [img.naturalWidth, img.naturalHeight]")
        assert size[0] > 500 and size[1] > 200, size
        page.screenshot(path=str(ARTIFACTS / f"webapp-stix-dashboard-{name}.png"), full_page=True)
        assert messages.problems() == [], messages.items
    finally:
        context.close()


# --- security --------------------------------------------------------------------------------


def app_urls(hub, user: str) -> list[str]:
    return [f"{hub.url}/user/{user}/images/webapp-js9/", f"{hub.url}/user/{user}/images/webapp-js9/api/images",
            f"{hub.url}/user/{user}/stix/webapp-stix-dashboard/"]


def test_no_credentials_redirect_to_login(js9, stix, webapp_hub, accounts):
    for url in app_urls(webapp_hub, accounts["alice"].name):
        r = requests.get(url, timeout=30)
        assert r.url.startswith(f"{webapp_hub.url}/hub/login"), (url, r.url)
        assert "JS9" not in r.text and "STIX" not in r.text


def test_another_users_token_is_refused(js9, stix, webapp_hub, accounts):
    alice, bob = accounts["alice"].name, accounts["bob"].name
    bob_token, alice_token = webapp_hub.user_token(bob), webapp_hub.user_token(alice)
    for url in app_urls(webapp_hub, alice):
        r = requests.get(url, headers={"Authorization": f"token {bob_token}"}, timeout=30, allow_redirects=False)
        assert r.status_code == 403, (url, r.status_code)
        # the owner's token reaches the app (the refusal is not a broken path)
        r = requests.get(url, headers={"Authorization": f"token {alice_token}"}, timeout=60)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
    # websockets too (Voila's kernel channels): refused before they reach the app
    ws_url = f"ws://127.0.0.1:{webapp_hub.port}/user/{alice}/stix/webapp-stix-dashboard/api/kernels/x/channels"
    for headers in ([], [f"Authorization: token {bob_token}"]):
        with pytest.raises(websocket.WebSocketBadStatusException) as info:
            websocket.create_connection(ws_url, header=headers, timeout=20)
        assert info.value.status_code in (302, 403)


def processes_of(user: str) -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["username", "cmdline"]) if p.info["username"] == user]


def app_process(user: str, marker: str) -> psutil.Process:
    found = [p for p in processes_of(user) if any(marker in part for part in p.info["cmdline"] or [])]
    assert found, f"no process of {user} runs {marker}"
    return found[0]


def test_no_listener_on_a_non_loopback_address(js9, stix, accounts):
    alice = accounts["alice"].name
    listening = []
    for proc in processes_of(alice):
        try:
            listening += [(proc.info["cmdline"][:3], c.laddr) for c in net_connections(proc, "inet")
                          if c.status == psutil.CONN_LISTEN]
        except psutil.Error:
            pass
    assert listening  # the Jupyter servers, Voilà and its kernel
    for who, addr in listening:
        assert ipaddress.ip_address(addr.ip).is_loopback, f"{who} listens on {addr.ip}:{addr.port}"


def test_js9_listens_only_on_a_unix_socket_in_a_private_folder(js9, accounts):
    alice = accounts["alice"].name
    server = app_process(alice, "datalabs_hub.webapp.js9_server")
    assert net_connections(server, "inet") == []
    sockets = [c.laddr for c in net_connections(server, "unix") if c.laddr]
    assert len(sockets) == 1
    # the socket is in the sandbox's private /tmp: look at it through the process's root
    folder = Path(f"/proc/{server.pid}/root") / Path(sockets[0]).parent.relative_to("/")
    mode = folder.stat()
    assert stat.S_IMODE(mode.st_mode) == 0o700 and mode.st_uid == psutil.Process(server.pid).uids().real


def test_voila_refuses_requests_without_its_token(stix, accounts):
    alice = accounts["alice"].name
    voila = app_process(alice, "stix_lightcurve")
    port = next(c.laddr.port for c in net_connections(voila, "inet") if c.status == psutil.CONN_LISTEN)
    prefix = f"/user/{alice}/stix/webapp-stix-dashboard/"
    # from the host (every other account and datalab) the port is not even reachable: the datalab's own network
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}{prefix}", timeout=10, allow_redirects=False)
    # inside the datalab's network, a request without the per-server token is refused
    probe = ("import http.client\n"
             f"c = http.client.HTTPConnection('127.0.0.1', {port}, timeout=20); c.request('GET', '{prefix}')\n"
             "r = c.getresponse(); print(r.status, 'STIX' in r.read().decode(errors='replace'))\n")
    inside = subprocess.run(["nsenter", f"--net=/proc/{voila.pid}/ns/net", sys.executable, "-c", probe],
                            capture_output=True, text=True, timeout=60)
    status, shows_data = inside.stdout.split()
    assert int(status) in (302, 403) and shows_data == "False", inside


def test_apps_do_not_get_the_servers_hub_token(js9, stix, accounts):
    alice = accounts["alice"].name
    for marker in ("datalabs_hub.webapp.js9_server", "stix_lightcurve"):
        env = app_process(alice, marker).environ()
        for name in ("JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN"):
            assert env.get(name, "") == "", f"{marker} sees {name}"
        assert env.get("LD_PRELOAD", "").endswith("libdatalabs-loopback.so")


def test_stopping_the_datalab_stops_the_app(webapp_hub, accounts):
    bob = accounts["bob"]
    spawn(webapp_hub, bob, "js9-stop", "js9", ["heliophysics"])
    assert app_process(bob.name, "datalabs_hub.webapp.js9_server")
    webapp_hub.api("DELETE", f"/users/{bob.name}/servers/js9-stop")
    webapp_hub.wait_stopped(bob.name, "js9-stop")
    deadline = time.monotonic() + 30
    while processes_of(bob.name) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert processes_of(bob.name) == []
