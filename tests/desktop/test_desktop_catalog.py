"""Desktop datalabs as data: the catalogue's desktop block, what the hub tells a datalab, the session builders."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from traitlets.config import Config

from datalabs_hub.catalog import CatalogError, load_catalog
from datalabs_hub.catalog.models import DesktopApp
from datalabs_hub.contract import DesktopAppInfo, read_desktop_apps
from datalabs_hub.desktop.runtime_dir import ensure_private_dir
from datalabs_hub.desktop.server_proxy import server_proxy_entries
from datalabs_hub.desktop.server_proxy_config import configure_server_proxy
from datalabs_hub.desktop.session import (
    SessionPaths,
    SessionSpec,
    app_env,
    openbox_rc,
    session_spec,
    xauthority_bytes,
    xvnc_argv,
)
from datalabs_hub.desktop.supervisor import DesktopSupervisor
from datalabs_hub.hub.options import parse_options
from datalabs_hub.hub.plan import build_launch_plan
from datalabs_hub.testing.hub import CHECKOUT

DESKTOP = """
datalabs:
  - id: viewer
    title: Viewer
    kind: desktop
    desktop:
      command: [xterm]
      BLOCK
  - id: lab
    title: Lab
    kind: jupyterlab
  - id: secret-viewer
    title: Secret viewer
    kind: desktop
    allowed_groups: [secret]
    desktop: {command: [ds9]}
"""


def problems_for(tmp_path: Path, block: str) -> list[str]:
    (tmp_path / "c.yaml").write_text(textwrap.dedent(DESKTOP).replace("BLOCK", block))
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path, [tmp_path])
    return [str(p) for p in info.value.problems]


def test_shipped_desktop_datalabs():
    catalog = load_catalog(CHECKOUT / "spawner_profiles", ["/srv/datalabs/volumes"])
    topcat, ds9, gdl = (catalog.datalabs[i] for i in ("topcat", "ds9", "gdl"))
    assert topcat.kind == ds9.kind == gdl.kind == "desktop"
    assert topcat.desktop.java_heap_mib == 1024 and topcat.desktop.samp
    assert "gdl" in gdl.desktop.command
    for d in (topcat, ds9, gdl):
        assert catalog.icons[d.id].startswith("data:image/svg+xml")


@pytest.mark.parametrize(
    "block,expected",
    [
        ("geometry: 10x10", "field 'desktop.geometry'"),
        ("geometry: 99999x100", "field 'desktop.geometry'"),
        ("geometry: '1600x1000; rm -rf /'", "field 'desktop.geometry'"),
        ("java_heap: 12 parsecs", "field 'desktop.java_heap': '12 parsecs' is not a memory size"),
        ("java_heap: 1M", "field 'desktop.java_heap': 1M is outside 64M .. 1T"),
        ("main_window: {}", "field 'desktop.main_window': give 'title' and/or 'class'"),
        ("main_window: {title: '</title><action name=\"Execute\"/>'}", "field 'desktop.main_window.title'"),
        ("samp: perhaps", "field 'desktop.samp'"),
        ("colour: red", "field 'desktop.colour': unknown field"),
    ],
)
def test_bad_desktop_block_names_the_field(tmp_path, block, expected):
    found = problems_for(tmp_path, block)
    assert any("datalab 'viewer'" in p and expected in p for p in found), found


def test_desktop_block_shape_errors(tmp_path):
    (tmp_path / "c.yaml").write_text(textwrap.dedent("""
        datalabs:
          - {id: no-block, title: T, kind: desktop}
          - {id: empty-cmd, title: T, kind: desktop, desktop: {command: []}}
          - {id: nul-arg, title: T, kind: desktop, desktop: {command: ["xterm\\0"]}}
          - {id: lab-block, title: T, kind: jupyterlab, desktop: {command: [xterm]}}
          - {id: huge, title: T, kind: desktop, desktop: {command: [HUGE]}}
        """).replace("HUGE", "x" * 5000))
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path, [tmp_path])
    text = "\n".join(str(p) for p in info.value.problems)
    assert "datalab 'no-block'" in text and "needs a 'desktop:' block" in text
    assert "datalab 'empty-cmd', field 'desktop.command'" in text
    assert "datalab 'nul-arg', field 'desktop.command[0]'" in text
    assert "datalab 'lab-block'" in text and "only datalabs of kind 'desktop'" in text
    assert "datalab 'huge', field 'desktop.command[0]'" in text and "at most 4096" in text


def test_plan_tells_the_datalab_its_desktop_apps(tmp_path):
    (tmp_path / "c.yaml").write_text(textwrap.dedent(DESKTOP).replace("BLOCK", "java_heap: 1G"))
    catalog = load_catalog(tmp_path, [tmp_path])
    desktop = build_launch_plan(catalog, parse_options({"datalab": "viewer"}))
    assert desktop.env["DATALABS_DESKTOP_AUTOSTART"] == "viewer"
    assert desktop.default_url == "/desktop/viewer/"
    [app] = read_desktop_apps(desktop.env)
    assert app.id == "viewer" and app.desktop.java_heap_mib == 1024
    # a JupyterLab datalab offers every desktop app the user may use, as launcher tiles
    lab = build_launch_plan(catalog, parse_options({"datalab": "lab"}))
    assert [a.id for a in read_desktop_apps(lab.env)] == ["viewer"]
    assert "DATALABS_DESKTOP_AUTOSTART" not in lab.env and lab.default_url is None
    secret = build_launch_plan(catalog, parse_options({"datalab": "lab"}), ["secret"])
    assert [a.id for a in read_desktop_apps(secret.env)] == ["viewer", "secret-viewer"]


def test_xauthority_file_is_read_by_xauth(tmp_path):
    cookie = bytes(range(16))
    path = tmp_path / "Xauthority"
    path.write_bytes(xauthority_bytes(cookie))
    listed = subprocess.run(["xauth", "-f", str(path), "list"], capture_output=True, text=True, check=True).stdout
    assert "MIT-MAGIC-COOKIE-1" in listed and cookie.hex() in listed


def test_xvnc_listens_on_a_unix_socket_only_and_needs_the_cookie(tmp_path):
    paths = SessionPaths(tmp_path / "app")
    argv = xvnc_argv(paths, DesktopApp(command=["xterm"]), "Title", 7)
    joined = " ".join(argv)
    assert f"-rfbunixpath {paths.socket}" in joined and "-rfbport -1" in joined and "-rfbunixmode 0600" in joined
    assert "-nolisten tcp" in joined and "-nolisten local" in joined and f"-auth {paths.xauthority}" in joined
    # no GLX (Mesa's software renderer costs ~50 MiB per Xvnc) unless the program asks for OpenGL
    assert "-extension GLX" in joined
    assert "GLX" not in xvnc_argv(paths, DesktopApp(command=["paraview"], opengl=True), "Title", 7)


def test_openbox_rules_maximise_only_the_main_window():
    rc = openbox_rc(DesktopApp(command=["topcat"], main_window={"title": "TOPCAT*"}))
    assert '<application type="normal" title="TOPCAT*">' in rc and "<decor>no</decor>" in rc
    assert 'type="normal">' in openbox_rc(DesktopApp(command=["x"]))


def test_server_proxy_entries(tmp_path):
    app = DesktopAppInfo(id="topcat", title="TOPCAT", desktop=DesktopApp(command=["topcat"]),
                         icon="data:image/svg+xml;base64,PHN2Zy8+")
    entries = server_proxy_entries([app], tmp_path, tmp_path / "icons")
    entry = entries["vnc-topcat"]
    assert entry["unix_socket"] == str(tmp_path / "topcat" / "vnc.sock") and entry["raw_socket_proxy"] is True
    assert "command" not in entry  # the server extension supervises the session
    assert entry["launcher_entry"]["path_info"] == "desktop/topcat/"
    assert entry["launcher_entry"]["icon_path"].endswith("topcat.svg")


def test_server_config_file_only_computes_entries(tmp_path):
    """proxies/jupyter_server_config.py has no side effects: entries and paths, no folder, no icon file."""
    runtime = tmp_path / "not-yet"
    app = {"id": "topcat", "title": "TOPCAT", "icon": "data:image/svg+xml;base64,PHN2Zy8+",
           "desktop": {"command": ["topcat"]}}
    env = {"DATALABS_DESKTOP_APPS": json.dumps([app]), "DATALABS_DESKTOP_DIR": str(runtime)}
    c = Config()
    c.ServerProxy.servers = {"other": {"command": ["x"]}}
    configure_server_proxy(c, env)
    assert set(c.ServerProxy.servers) == {"other", "vnc-topcat"}
    entry = c.ServerProxy.servers["vnc-topcat"]
    assert entry["unix_socket"] == str(runtime / "topcat" / "vnc.sock")
    assert entry["launcher_entry"]["icon_path"] == str(runtime / "icons" / "topcat.svg")
    assert not runtime.exists()


def test_server_config_file_skips_a_malformed_contract(capsys):
    c = Config()
    configure_server_proxy(c, {"DATALABS_DESKTOP_APPS": '[{"id": "../x"}]'})
    assert "servers" not in c.ServerProxy
    assert "desktop applications disabled: DATALABS_DESKTOP_APPS[0].id" in capsys.readouterr().err


def test_private_dir_refuses_a_folder_others_can_enter(tmp_path):
    good = ensure_private_dir(tmp_path / "mine")
    assert good.stat().st_mode & 0o777 == 0o700
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    with pytest.raises(PermissionError, match="mode 0700"):
        ensure_private_dir(shared)
    (tmp_path / "link").symlink_to(good)
    with pytest.raises(PermissionError):
        ensure_private_dir(tmp_path / "link")


def test_launcher_gets_a_plain_spec_and_stays_free_of_pydantic(tmp_path):
    """The launcher lives as long as its session: it reads a JSON spec and never imports the catalogue models."""
    app = DesktopAppInfo(id="topcat", title="TOPCAT", desktop=DesktopApp(
        command=["topcat", "-nohub"], java_heap="512M", main_window={"title": "TOPCAT*"}))
    spec = session_spec(app)
    assert SessionSpec.from_json(spec.to_json()) == spec
    assert spec.command == ("topcat", "-nohub") and 'title="TOPCAT*"' in spec.window_manager_rc
    paths = SessionPaths(tmp_path / "topcat")
    assert xvnc_argv(paths, spec, spec.title, 3) == xvnc_argv(paths, app.desktop, app.title, 3)
    env = app_env({"JUPYTERHUB_API_TOKEN": "x", "HOME": "/h"}, spec, ":5", paths)
    assert env["DISPLAY"] == ":5" and "JUPYTERHUB_API_TOKEN" not in env and env["LD_PRELOAD"].endswith(".so")
    assert env["JAVA_TOOL_OPTIONS"].startswith("-Xmx512m -XX:+UseSerialGC")
    imported = subprocess.run(
        [sys.executable, "-c", "import sys, datalabs_hub.desktop.launcher; "
                               "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'astropy', 'tornado'}))"],
        capture_output=True, text=True, check=True, cwd=CHECKOUT).stdout
    assert imported.strip() == "[]"


def test_only_a_jupyterlab_datalab_with_samp_tiles_runs_a_samp_hub(tmp_path):
    samp = DesktopAppInfo(id="topcat", title="TOPCAT", desktop=DesktopApp(command=["topcat"], samp=True))
    plain = DesktopAppInfo(id="xterm", title="xterm", desktop=DesktopApp(command=["xterm"]))
    desktop_datalab = DesktopSupervisor([samp], tmp_path, autostart="topcat")
    assert not desktop_datalab.runs_samp_hub
    # its processes still look only at the datalab's private lockfile, never for a hub elsewhere
    assert desktop_datalab.samp_env()["SAMP_HUB"] == f"std-lockurl:file://{tmp_path}/samp-hub"
    assert DesktopSupervisor([samp, plain], tmp_path).runs_samp_hub
    assert not DesktopSupervisor([plain], tmp_path).runs_samp_hub and not DesktopSupervisor([plain], tmp_path).samp_env()
