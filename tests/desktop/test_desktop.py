"""Desktop datalabs end to end: a real hub, TOPCAT and DS9 in sandboxes, Debian's Chromium with noVNC.

One hub for the module and one launched datalab per application; the security checks run against
the running TOPCAT datalab.
"""

from __future__ import annotations

import ipaddress
import pwd
import signal
import subprocess
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import psutil
import pytest
import requests
import websocket
from astropy.io import fits
from astropy.table import Table
from playwright.sync_api import expect, sync_playwright

from datalabs_hub.testing.hub import ARTIFACTS, CHROMIUM_ARGS, make_volume, running_hub
from datalabs_hub.testing.kernel import run_code
from datalabs_hub.testing.sockets import net_connections

CATALOG = textwrap.dedent(
    """
    datalabs:
      - id: topcat-test
        title: TOPCAT test
        kind: desktop
        icon: icons/topcat.svg
        default_volumes: [sky]
        desktop:
          command: [topcat, -nohub, /data/sky/stars.vot]
          java_heap: 512M
          main_window: {title: TOPCAT*}
          samp: true
      - id: ds9-test
        title: DS9 test
        kind: desktop
        icon: icons/ds9.png
        default_volumes: [sky]
        desktop:
          command: [ds9, /data/sky/gradient.fits]
          main_window: {title: SAOImage*}
      - id: gdl-test
        title: GDL test
        kind: desktop
        desktop:
          command: [xterm, -title, GDL, -fa, Monospace, -fs, '11', -e, gdl]
          main_window: {title: GDL}
      - id: lab-with-tiles
        title: JupyterLab with desktop tiles
        kind: jupyterlab
        default_volumes: [sky]
    volumes:
      - id: sky
        title: Sky test products
        source: {local: ROOT/sky}
    """
)
VIEWPORT = {"width": 1280, "height": 800}
#: the catalogue's icons: an orange SVG and a 2x2 blue PNG (the launcher tiles must show these pixels)
TOPCAT_ICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8" width="64" height="64">'
               '<rect width="8" height="8" fill="#ff8000"/></svg>')
DS9_ICON_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a730000000f49444154789c636070f80f42100a001e"
    "f604fd8a76f4a40000000049454e44ae426082")
TOPCAT_GREY = (238, 238, 238)

# canvas statistics of a region: size, share of one colour, distinct colours, dark pixels, a hash
CANVAS_STATS = """([x, y, w, h, rgb]) => {
  const c = document.querySelector('#screen canvas');
  if (!c || c.width < 10) return null;
  const d = c.getContext('2d').getImageData(x, y, Math.min(w, c.width - x), Math.min(h, c.height - y)).data;
  let same = 0, dark = 0; const colours = new Set(); let hash = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (Math.abs(d[i] - rgb[0]) < 6 && Math.abs(d[i+1] - rgb[1]) < 6 && Math.abs(d[i+2] - rgb[2]) < 6) same++;
    if (d[i] + d[i+1] + d[i+2] < 240) dark++;
    colours.add((d[i] << 16) | (d[i+1] << 8) | d[i+2]);
    hash = (hash * 31 + d[i] + 7 * d[i+1] + 13 * d[i+2]) | 0;
  }
  return {width: c.width, height: c.height, same: same / (d.length / 4), dark, colours: colours.size, hash};
}"""


@pytest.fixture(scope="module")
def desktop_hub(tmp_path_factory, accounts):
    work = tmp_path_factory.mktemp("desktop-hub")
    volumes = work / "volumes"
    sky = make_volume(volumes, "sky", {})
    Table({"ra": np.linspace(10, 20, 50), "dec": np.linspace(-5, 5, 50), "mag": np.arange(50.0)}).write(
        sky / "stars.vot", format="votable")
    fits.PrimaryHDU(np.add.outer(np.arange(256.0), np.arange(256.0))).writeto(sky / "gradient.fits")
    for f in sky.iterdir():
        f.chmod(0o644)
    catalog = work / "catalog"
    catalog.mkdir()
    (catalog / "catalog.yaml").write_text(CATALOG.replace("ROOT", str(volumes)))
    (catalog / "icons").mkdir()
    (catalog / "icons" / "topcat.svg").write_text(TOPCAT_ICON)
    (catalog / "icons" / "ds9.png").write_bytes(DS9_ICON_PNG)
    with running_hub(work, catalog, [volumes], [a.name for a in accounts.values()], log_name="desktop-hub.log") as hub:
        yield hub


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def account_processes(name: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["username", "name"]):
        if proc.info["username"] == name:
            found.append(proc)
    return found


def find_process(user: str, name: str, timeout: float = 30) -> psutil.Process:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in account_processes(user):
            if proc.info["name"] == name:
                return proc
        time.sleep(0.2)
    raise AssertionError(f"no {name} process of {user}")


def wait_canvas(page, check, region=(0, 0, 4000, 4000), rgb=TOPCAT_GREY, timeout=60):
    deadline = time.monotonic() + timeout
    stats = None
    while time.monotonic() < deadline:
        stats = page.evaluate(CANVAS_STATS, [*region, list(rgb)])
        if stats and check(stats):
            return stats
        time.sleep(0.25)
    raise AssertionError(f"the canvas never showed the application: {stats}")


def login(page, hub, account):
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", account.name)
    page.fill("#password_input", account.password)
    page.click("#login_submit")
    expect(page.get_by_role("heading", name="Datalab catalogue")).to_be_visible()


@pytest.fixture(scope="module")
def topcat(desktop_hub, accounts, browser):
    """Alice launches the TOPCAT datalab from the catalogue page; yields (page, server name)."""
    alice = accounts["alice"]
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    login(page, desktop_hub, alice)
    page.locator('[data-datalab-id="topcat-test"]').click()
    page.fill("#dl-server-name", "topcat")
    page.click("#dl-launch")
    page.wait_for_url(f"**/user/{alice.name}/topcat/desktop/topcat-test/**", timeout=90_000)
    expect(page.locator("body[data-state=connected]")).to_be_visible(timeout=30_000)
    try:
        yield page, "topcat"
    finally:
        context.close()
        desktop_hub.api("DELETE", f"/users/{alice.name}/servers/topcat")
        desktop_hub.wait_stopped(alice.name, "topcat")


def test_topcat_fills_the_tab_opens_the_volume_and_answers_clicks(topcat):
    page, _ = topcat
    # the TOPCAT window (Metal grey) fills the canvas, which has the size of the browser tab
    # (under load the first frames can come at the catalogue's geometry before the resize to the tab lands)
    stats = wait_canvas(page, lambda s: s["same"] > 0.4 and abs(s["width"] - VIEWPORT["width"]) <= 2
                        and abs(s["height"] - VIEWPORT["height"]) <= 2)
    assert abs(stats["width"] - VIEWPORT["width"]) <= 2 and abs(stats["height"] - VIEWPORT["height"]) <= 2
    # the table from the archive volume is in TOPCAT's table list (dark text on the white list)
    wait_canvas(page, lambda s: s["dark"] > 30, region=(14, 88, 180, 24))
    page.screenshot(path=str(ARTIFACTS / "desktop-topcat.png"))
    before = page.evaluate(CANVAS_STATS, [0, 20, 400, 300, list(TOPCAT_GREY)])
    page.mouse.click(18, 9)  # the File menu
    wait_canvas(page, lambda s: s["hash"] != before["hash"], region=(0, 20, 400, 300))
    page.screenshot(path=str(ARTIFACTS / "desktop-topcat-menu.png"))
    page.keyboard.press("Escape")


def test_topcat_window_follows_the_browser_size(topcat):
    page, _ = topcat
    page.set_viewport_size({"width": 1000, "height": 700})
    try:
        wait_canvas(page, lambda s: abs(s["width"] - 1000) <= 2 and abs(s["height"] - 700) <= 2 and s["same"] > 0.4)
        # the maximised main window follows: the bottom-right corner is TOPCAT, not the black root window
        wait_canvas(page, lambda s: s["same"] > 0.5, region=(900, 600, 100, 100))
    finally:
        page.set_viewport_size(VIEWPORT)


def x_display(xvnc: psutil.Process) -> tuple[str, str]:
    """The display number and cookie file of a session's Xvnc (seen through its sandbox's root)."""
    root = Path(f"/proc/{xvnc.pid}/root")
    [sock] = [p.name for p in (root / "tmp/.X11-unix").iterdir()]
    cmd = xvnc.cmdline()
    return ":" + sock.removeprefix("X"), cmd[cmd.index("-auth") + 1]


def in_sandbox(xvnc: psutil.Process, uid: int, gid: int, argv: list[str], env: dict[str, str], **kwargs):
    """Run ``argv`` as ``uid`` inside the datalab's mount and PID namespaces (where its /tmp is)."""
    ids = ["--reuid", str(uid), "--regid", str(gid), "--clear-groups"]
    envs = [f"{k}={v}" for k, v in env.items()]
    return subprocess.run(["nsenter", "-t", str(xvnc.pid), "-m", "-p", "--", "setpriv", *ids, "env", "-i", *envs, *argv],
                          capture_output=True, text=True, timeout=20, **kwargs)


def test_copy_and_paste_between_browser_and_topcat(topcat, desktop_hub, accounts):
    page, _ = topcat
    alice = pwd.getpwnam(accounts["alice"].name)
    xvnc = find_process(alice.pw_name, "Xvnc")
    display, xauth = x_display(xvnc)
    x_env = {"DISPLAY": display, "XAUTHORITY": xauth, "PATH": "/usr/bin:/bin"}
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=desktop_hub.url)
    # browser -> application: Ctrl+V sends the browser's clipboard to X's CLIPBOARD, then the keys
    page.evaluate("navigator.clipboard.writeText('pasted from the browser')")
    page.mouse.click(640, 300)
    page.keyboard.press("Control+V")
    got, deadline = "", time.monotonic() + 15
    while got != "pasted from the browser" and time.monotonic() < deadline:
        got = in_sandbox(xvnc, alice.pw_uid, alice.pw_gid, ["xclip", "-o", "-selection", "clipboard"], x_env).stdout
        time.sleep(0.3)
    assert got == "pasted from the browser"
    # application -> browser: text copied in X lands on the browser's clipboard (no panel needed)
    owner = subprocess.Popen(
        ["nsenter", "-t", str(xvnc.pid), "-m", "-p", "--", "setpriv", "--reuid", str(alice.pw_uid), "--regid",
         str(alice.pw_gid), "--clear-groups", "env", "-i", *[f"{k}={v}" for k, v in x_env.items()],
         "timeout", "10", "xclip", "-quiet", "-i", "-selection", "clipboard"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    owner.stdin.write("copied in the application")
    owner.stdin.close()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if page.evaluate("navigator.clipboard.readText()") == "copied in the application":
            break
        time.sleep(0.3)
    assert page.evaluate("navigator.clipboard.readText()") == "copied in the application"
    assert page.locator("#clipboard-text").input_value() == "copied in the application"  # the fallback panel too
    owner.kill()
    owner.wait()


# --- security: each point against the running TOPCAT datalab ---------------------------------------


def desktop_url(hub, user, server, app="topcat-test"):
    return f"{hub.url}/user/{user}/{server}/desktop/{app}/"


def vnc_ws_url(hub, user, server, app="topcat-test"):
    return f"ws://127.0.0.1:{hub.port}/user/{user}/{server}/vnc-{app}/"


def test_no_credentials_redirects_to_login_and_refuses_the_websocket(topcat, desktop_hub, accounts):
    alice = accounts["alice"].name
    r = requests.get(desktop_url(desktop_hub, alice, "topcat"), timeout=30)
    assert r.url.startswith(f"{desktop_hub.url}/hub/login"), r.url
    assert "TOPCAT" not in r.text
    with pytest.raises(websocket.WebSocketBadStatusException) as info:
        websocket.create_connection(vnc_ws_url(desktop_hub, alice, "topcat"), timeout=20)
    assert info.value.status_code in (302, 403)


def test_another_users_token_is_refused(topcat, desktop_hub, accounts):
    alice, bob = accounts["alice"].name, accounts["bob"].name
    bob_token = desktop_hub.user_token(bob)
    r = requests.get(desktop_url(desktop_hub, alice, "topcat"), headers={"Authorization": f"token {bob_token}"},
                     timeout=30, allow_redirects=False)
    assert r.status_code == 403
    with pytest.raises(websocket.WebSocketBadStatusException) as info:
        websocket.create_connection(vnc_ws_url(desktop_hub, alice, "topcat"), header=[f"Authorization: token {bob_token}"],
                                    timeout=20)
    assert info.value.status_code == 403
    # the owner's own token opens the VNC stream (the refusals above are not a broken path)
    alice_token = desktop_hub.user_token(alice)
    ws = websocket.create_connection(vnc_ws_url(desktop_hub, alice, "topcat"),
                                     header=[f"Authorization: token {alice_token}"], timeout=20)
    try:
        assert ws.recv().startswith(b"RFB 003.")
    finally:
        ws.close()


def test_unknown_or_hostile_application_names_get_a_clear_404(topcat, desktop_hub, accounts):
    alice = accounts["alice"].name
    headers = {"Authorization": f"token {desktop_hub.user_token(alice)}"}
    base = f"{desktop_hub.url}/user/{alice}/topcat/desktop/"
    for path in ("nosuchapp/", "nosuchapp/api/session"):
        r = requests.get(base + path, headers=headers, timeout=30)
        assert r.status_code == 404 and "is not a desktop application of this datalab" in r.text, r.text[-500:]
    r = requests.post(base + "nosuchapp/api/session", headers=headers, timeout=30)
    assert r.status_code == 404 and "is not a desktop application" in r.text
    for hostile in ("..%2F..%2Fetc%2Fpasswd/", "%3Cscript%3E/", "A" * 5000 + "/"):
        r = requests.get(base + hostile, headers=headers, timeout=30)
        assert r.status_code in (404, 414), (hostile[:40], r.status_code)
        assert "<script>" not in r.text and "root:" not in r.text
    # the real application is untouched by all this
    r = requests.get(base + "topcat-test/api/session", headers=headers, timeout=30)
    assert r.ok and r.json()["running"] is True, r.text


def test_vnc_listens_only_on_a_unix_socket_in_a_private_folder(topcat, accounts):
    alice = pwd.getpwnam(accounts["alice"].name)
    xvnc = find_process(alice.pw_name, "Xvnc")
    assert net_connections(xvnc, "inet") == []
    listening = [c.laddr for c in net_connections(xvnc, "unix") if c.laddr]
    vnc = [a for a in listening if a.endswith("/topcat-test/vnc.sock")]
    assert vnc, listening
    folder = Path(f"/proc/{xvnc.pid}/root") / Path(vnc[0]).parent.relative_to("/")
    for path in (folder, folder.parent):
        info = path.stat()
        assert (info.st_uid, info.st_mode & 0o777) == (alice.pw_uid, 0o700), path
    assert (folder / "vnc.sock").stat().st_mode & 0o777 == 0o600


def test_other_accounts_cannot_open_the_display(topcat, accounts):
    alice = pwd.getpwnam(accounts["alice"].name)
    bob = pwd.getpwnam(accounts["bob"].name)
    xvnc = find_process(alice.pw_name, "Xvnc")
    display, xauth = x_display(xvnc)
    # from outside the sandbox (no TCP, no abstract socket): nothing to connect to
    outside = subprocess.run(["su", "nobody", "-s", "/bin/sh", "-c", f"DISPLAY={display} xdpyinfo"],
                             capture_output=True, text=True, timeout=20)
    assert outside.returncode != 0 and "unable to open display" in outside.stderr
    # inside the sandbox's /tmp, at the X socket itself, without the cookie: refused by the X server
    for other in (bob, pwd.getpwnam("nobody")):
        inside = in_sandbox(xvnc, other.pw_uid, other.pw_gid, ["xdpyinfo"], {"DISPLAY": display, "PATH": "/usr/bin"})
        assert inside.returncode != 0 and "unable to open display" in inside.stderr, inside
    # the cookie file is the user's alone; with it, the user's own programs connect
    assert in_sandbox(xvnc, bob.pw_uid, bob.pw_gid, ["cat", xauth], {}).returncode != 0
    own = in_sandbox(xvnc, alice.pw_uid, alice.pw_gid, ["xdpyinfo"],
                     {"DISPLAY": display, "XAUTHORITY": xauth, "PATH": "/usr/bin"})
    assert own.returncode == 0 and "VNC-EXTENSION" in own.stdout


def test_application_ports_are_loopback_only(topcat, accounts):
    name = accounts["alice"].name
    java = find_process(name, "java")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not [c for c in net_connections(java, "inet") if c.status == psutil.CONN_LISTEN]:
        time.sleep(0.5)
    listening = []
    for proc in account_processes(name):
        try:
            listening += [(proc.info["name"], c.laddr) for c in net_connections(proc, "inet") if c.status == psutil.CONN_LISTEN]
        except psutil.Error:
            pass
    assert any(n == "java" for n, _ in listening), "TOPCAT (SAMP client) should listen somewhere: nothing to check"
    for proc_name, addr in listening:
        ip = ipaddress.ip_address(addr.ip)
        if getattr(ip, "ipv4_mapped", None):
            ip = ip.ipv4_mapped
        assert ip.is_loopback, f"{proc_name} listens on {addr.ip}:{addr.port}"


SAMP_FROM_NOTEBOOK = textwrap.dedent("""
    import os, time, warnings
    warnings.simplefilter("ignore")
    from astropy.samp import SAMPIntegratedClient
    client = SAMPIntegratedClient(name="notebook")
    for _ in range(60):  # the hub starts with the first SAMP tile
        try:
            client.connect()
            break
        except Exception:
            time.sleep(0.5)
    names = []
    for _ in range(60):
        names = [client.get_metadata(c).get("samp.name") for c in client.get_registered_clients()]
        if "topcat" in names:
            break
        time.sleep(0.5)
    print(os.environ["SAMP_HUB"].startswith("std-lockurl:file:///tmp/"), names)
    client.disconnect()
""")


def test_a_desktop_datalab_alone_runs_no_samp_hub(topcat, accounts):
    """A desktop datalab shows one application: no second SAMP client can join, so no hub process runs."""
    alice = accounts["alice"].name
    find_process(alice, "java")
    commands = [" ".join(p.cmdline()) for p in account_processes(alice) if p.is_running()]
    assert any("datalabs_hub.desktop.launcher" in c for c in commands), commands
    assert not [c for c in commands if "samp_hub" in c], commands


def test_no_token_in_the_logs(topcat, desktop_hub, accounts):
    alice = accounts["alice"].name
    token = desktop_hub.user_token(alice)
    # a request with the token in the URL, and a failing one (their log lines must not show it)
    assert requests.get(desktop_url(desktop_hub, alice, "topcat") + f"?token={token}", timeout=30).ok
    requests.get(f"{desktop_hub.url}/user/{alice}/topcat/desktop/nothing/?token={token}", timeout=30)
    secrets = {token, desktop_hub.token}
    for proc in account_processes(alice):
        try:
            env = proc.environ()
        except psutil.Error:
            continue
        if env.get("JUPYTERHUB_API_TOKEN"):
            secrets.add(env["JUPYTERHUB_API_TOKEN"])
    assert len(secrets) >= 3
    time.sleep(1)
    log = desktop_hub.log()
    assert "desktop/topcat-test" in log and "Xvnc on display" in log  # the datalab's log is there
    for secret in secrets:
        assert secret not in log


def test_closed_application_is_back_when_the_tab_reopens(topcat, accounts):
    page, _ = topcat
    name = accounts["alice"].name
    java = find_process(name, "java")
    java.send_signal(signal.SIGKILL)
    started = time.monotonic()
    page.reload()
    expect(page.locator("body[data-state=connected]")).to_be_visible(timeout=30_000)
    wait_canvas(page, lambda s: s["same"] > 0.4, timeout=30)
    back_after = time.monotonic() - started
    assert find_process(name, "java").pid != java.pid
    assert back_after < 20, f"TOPCAT came back after {back_after:.1f} s"
    page.screenshot(path=str(ARTIFACTS / "desktop-topcat-restarted.png"))


@contextmanager
def opened_desktop(hub, account, server: str, datalab: str, browser):
    """Launch ``datalab`` as ``server`` of ``account``, log in, open its desktop page; stop it afterwards."""
    r = hub.api("POST", f"/users/{account.name}/servers/{server}", json={"datalab": datalab})
    assert r.status_code in (201, 202), r.text
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        hub.wait_ready(account.name, server, timeout=90)
        login(page, hub, account)
        page.goto(desktop_url(hub, account.name, server, datalab))
        expect(page.locator("body[data-state=connected]")).to_be_visible(timeout=30_000)
        yield page
    finally:
        context.close()
        hub.api("DELETE", f"/users/{account.name}/servers/{server}")
        hub.wait_stopped(account.name, server)


def test_ds9_shows_a_fits_image_from_the_volume(desktop_hub, accounts, browser):
    bob = accounts["bob"]
    with opened_desktop(desktop_hub, bob, "ds9", "ds9-test", browser) as page:
        # DS9 fills the tab (its grey Tk window) and shows the gradient image: many grey levels
        wait_canvas(page, lambda s: s["same"] > 0.15, rgb=(217, 217, 217))
        stats = wait_canvas(page, lambda s: s["colours"] > 40, region=(300, 330, 680, 300))
        assert stats["colours"] > 40
        page.screenshot(path=str(ARTIFACTS / "desktop-ds9.png"))
        before = page.evaluate(CANVAS_STATS, [0, 20, 400, 300, [0, 0, 0]])
        page.mouse.click(15, 10)  # the File menu
        wait_canvas(page, lambda s: s["hash"] != before["hash"], region=(0, 20, 400, 300))
        page.screenshot(path=str(ARTIFACTS / "desktop-ds9-menu.png"))
    assert_no_processes_left(bob.name)


def assert_no_processes_left(name: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    left = account_processes(name)
    while left and time.monotonic() < deadline:
        time.sleep(0.3)
        left = account_processes(name)
    described = []
    for p in left:
        try:
            described.append((p.pid, p.info["name"], p.cmdline(), p.ppid()))
        except psutil.Error:
            pass
    assert not described, described


def test_legacy_gdl_session_runs_idl_code_in_the_browser(desktop_hub, accounts, browser):
    bob = accounts["bob"]
    with opened_desktop(desktop_hub, bob, "gdl", "gdl-test", browser) as page:
        # the xterm fills the tab (white) and shows GDL's banner and prompt (dark text at the top)
        wait_canvas(page, lambda s: s["same"] > 0.9, region=(0, 300, 1280, 500), rgb=(255, 255, 255))
        wait_canvas(page, lambda s: s["dark"] > 500, region=(0, 0, 700, 150))
        below = page.evaluate(CANVAS_STATS, [0, 160, 700, 60, [255, 255, 255]])
        assert below["same"] > 0.99  # nothing below the prompt yet
        page.mouse.click(300, 500)
        page.keyboard.type("print, total(findgen(10)), n_elements(findgen(10))\n", delay=10)
        # the command and GDL's answer appear below the prompt
        wait_canvas(page, lambda s: s["dark"] > 100, region=(0, 160, 700, 60), timeout=30)
        page.screenshot(path=str(ARTIFACTS / "desktop-gdl.png"))
    assert_no_processes_left(bob.name)


# the colour at the centre of a launcher tile's icon image, once it has loaded (null: no image or not loaded)
TILE_ICON_COLOUR = """(card) => {
  const img = card.querySelector('img');
  if (!img || !img.complete || img.naturalWidth === 0) return null;
  const c = document.createElement('canvas');
  c.width = c.height = 16;
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0, 16, 16);
  return Array.from(g.getImageData(8, 8, 1, 1).data.slice(0, 3));
}"""


def test_jupyterlab_datalab_offers_each_desktop_app_as_a_tile_with_its_icon(desktop_hub, accounts, browser):
    bob = accounts["bob"]
    r = desktop_hub.api("POST", f"/users/{bob.name}/servers/lab", json={"datalab": "lab-with-tiles"})
    assert r.status_code in (201, 202), r.text
    context = browser.new_context(viewport=VIEWPORT)
    try:
        desktop_hub.wait_ready(bob.name, "lab", timeout=90)
        page = context.new_page()
        login(page, desktop_hub, bob)
        page.goto(f"{desktop_hub.url}/user/{bob.name}/lab/lab")
        cards = page.locator(".jp-LauncherCard")
        topcat_card = cards.filter(has_text="TOPCAT test")
        ds9_card = cards.filter(has_text="DS9 test")
        expect(topcat_card).to_be_visible(timeout=60_000)
        expect(ds9_card).to_be_visible()
        # each tile shows the catalogue's own icon (orange SVG, blue PNG), not a blank or default one
        colours = {}
        for name, card in (("topcat", topcat_card), ("ds9", ds9_card)):
            handle = card.element_handle()
            page.wait_for_function(f"(card) => ({TILE_ICON_COLOUR})(card) !== null", arg=handle, timeout=30_000)
            colours[name] = page.evaluate(TILE_ICON_COLOUR, handle)
        assert colours == {"topcat": [255, 128, 0], "ds9": [0, 64, 255]}, colours
        page.screenshot(path=str(ARTIFACTS / "desktop-launcher-tiles.png"))
        # nothing runs until a tile is opened; then that application alone gets its own session
        assert not [p for p in account_processes(bob.name) if p.info["name"] == "Xvnc"]
        token = desktop_hub.user_token(bob.name)
        headers = {"Authorization": f"token {token}"}
        base = f"{desktop_hub.url}/user/{bob.name}/lab/"
        assert requests.get(base + "desktop/ds9-test/", headers=headers, timeout=60).ok
        xvnc = find_process(bob.name, "Xvnc", timeout=10)
        assert [c.laddr for c in net_connections(xvnc, "unix") if c.laddr.endswith("/ds9-test/vnc.sock")]
        assert len([p for p in account_processes(bob.name) if p.info["name"] == "Xvnc"]) == 1
        # a notebook and the TOPCAT tile talk SAMP through the datalab's own hub
        assert requests.get(base + "desktop/topcat-test/", headers=headers, timeout=60).ok
        result = run_code(base, token, SAMP_FROM_NOTEBOOK, timeout=120)
        assert result["error"] is None, result
        assert result["stdout"].startswith("True") and "'topcat'" in result["stdout"], result
    finally:
        context.close()
        desktop_hub.api("DELETE", f"/users/{bob.name}/servers/lab")
        desktop_hub.wait_stopped(bob.name, "lab")
    assert_no_processes_left(bob.name)


def test_stopping_the_datalab_leaves_no_process(topcat, desktop_hub, accounts):
    alice = accounts["alice"].name
    names = {p.info["name"] for p in account_processes(alice)}
    assert {"Xvnc", "java", "openbox"} <= names, names
    desktop_hub.api("DELETE", f"/users/{alice}/servers/topcat")
    desktop_hub.wait_stopped(alice, "topcat")
    assert_no_processes_left(alice)
