"""Web-app datalabs as data: the catalogue's webapp block, what the hub tells a datalab, the server-proxy entry."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from datalabs_hub.catalog import VOLUME_ROOT, CatalogError, load_catalog
from datalabs_hub.contract import ENV_WEBAPP, read_contract, read_webapp
from datalabs_hub.errors import ContractError
from datalabs_hub.hub.options import parse_options
from datalabs_hub.hub.plan import build_launch_plan
from datalabs_hub.testing.hub import CHECKOUT
from datalabs_hub.webapp.js9_server import find_images, first_image
from datalabs_hub.webapp.server_proxy import proxy_name, ready_path, server_proxy_entry

WEBAPP = """
datalabs:
  - id: board
    title: Board
    kind: webapp
    webapp:
      command: [serve, '--port={port}']
      BLOCK
  - id: lab
    title: Lab
    kind: jupyterlab
"""


def problems_for(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "c.yaml").write_text(textwrap.dedent(text))
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path, [tmp_path])
    return [str(p) for p in info.value.problems]


def test_shipped_web_apps():
    catalog = load_catalog(CHECKOUT / "spawner_profiles", [VOLUME_ROOT])
    js9, stix = catalog.datalabs["js9"], catalog.datalabs["stix-dashboard"]
    assert js9.kind == stix.kind == "webapp"
    assert js9.webapp.listen == "unix" and js9.default_volumes == ["heliophysics", "astronomy"]
    assert stix.webapp.absolute_url and stix.webapp.headers == {"Authorization": "token {token}"}


@pytest.mark.parametrize(
    "block,expected",
    [
        ("path: no-slash", "field 'webapp.path'"),
        ("path: '/a b'", "field 'webapp.path'"),
        ("ready_path: 'http://elsewhere/'", "field 'webapp.ready_path'"),
        ("timeout: 0", "field 'webapp.timeout'"),
        ("timeout: 3600", "field 'webapp.timeout'"),
        ("listen: udp", "field 'webapp.listen'"),
        ("listen: unix", "field 'webapp': listen: unix needs {unix_socket} in command or env"),
        ("absolute_url: true", "field 'webapp': absolute_url: true needs {prefix}"),
        ("env: {'1BAD': x}", "field 'webapp.env.1BAD.[key]': String should match pattern"),
        ("env: {HOME_URL: '{home}'}", "field 'webapp.env': unknown placeholder {home}"),
        ("env: {TOKEN: '{token}'}", "field 'webapp': {token} in command or env needs a header that sends it"),
        ("headers: {'Bad Header': x}", "field 'webapp.headers.Bad Header.[key]': String should match pattern"),
        ("headers: {X-Evil: \"a\\r\\nSet-Cookie: x\"}", "field 'webapp.headers.X-Evil'"),
        ("colour: red", "field 'webapp.colour': unknown field"),
    ],
)
def test_bad_webapp_block_names_file_entry_and_field(tmp_path, block, expected):
    found = problems_for(tmp_path, WEBAPP.replace("BLOCK", block))
    assert any(p.startswith(str(tmp_path / "c.yaml")) and "datalab 'board'" in p and expected in p for p in found), found


def test_webapp_block_shape_errors(tmp_path):
    text = "\n".join(problems_for(tmp_path, """
        datalabs:
          - {id: no-block, title: T, kind: webapp}
          - {id: empty-cmd, title: T, kind: webapp, webapp: {command: []}}
          - {id: no-port, title: T, kind: webapp, webapp: {command: [serve]}}
          - {id: bad-placeholder, title: T, kind: webapp, webapp: {command: [serve, '--port={port}', '{port:>5}']}}
          - {id: lab-block, title: T, kind: jupyterlab, webapp: {command: [serve, '{port}']}}
          - {id: desk-block, title: T, kind: desktop, desktop: {command: [xterm]}, webapp: {command: [serve, '{port}']}}
        """))
    assert "datalab 'no-block'" in text and "needs a 'webapp:' block" in text
    assert "datalab 'empty-cmd', field 'webapp.command'" in text
    assert "datalab 'no-port', field 'webapp': listen: tcp needs {port}" in text
    assert "datalab 'bad-placeholder', field 'webapp.command': unknown placeholder {port}" in text
    assert "datalab 'lab-block'" in text and "only datalabs of kind 'webapp'" in text
    assert "datalab 'desk-block'" in text and "only datalabs of kind 'webapp'" in text


def test_plan_opens_the_app_and_tells_the_datalab(tmp_path):
    (tmp_path / "c.yaml").write_text(textwrap.dedent(WEBAPP).replace("BLOCK", "path: /index.html?x=1"))
    catalog = load_catalog(tmp_path, [tmp_path])
    plan = build_launch_plan(catalog, parse_options({"datalab": "board"}))
    assert plan.default_url == "/webapp-board/index.html?x=1"
    app = read_webapp(plan.env)
    assert app is not None and app.id == "board" and app.webapp.command == ["serve", "--port={port}"]
    assert read_contract(plan.env).webapp == app
    # other kinds carry no web app
    lab = build_launch_plan(catalog, parse_options({"datalab": "lab"}))
    assert ENV_WEBAPP not in lab.env and read_webapp(lab.env) is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("{", f"{ENV_WEBAPP}: Invalid JSON"),
        ('{"id": "x", "title": "X"}', f"{ENV_WEBAPP}.webapp"),
        ('{"id": "x", "title": "X", "webapp": {"command": ["s"]}}', "listen: tcp needs {port}"),
        ('{"id": "../x", "title": "X", "webapp": {"command": ["s", "{port}"]}}', f"{ENV_WEBAPP}.id"),
        (" " * 300_000 + "{}", "at most"),
    ],
)
def test_bad_webapp_contract_names_the_field(text, expected):
    with pytest.raises(ContractError) as info:
        read_webapp({ENV_WEBAPP: text})
    assert expected in str(info.value), str(info.value)


def entry_for(tmp_path, block: str, env: dict | None = None, library: Path | None = None):
    (tmp_path / "c.yaml").write_text(textwrap.dedent(WEBAPP).replace("BLOCK", block))
    plan = build_launch_plan(load_catalog(tmp_path, [tmp_path]), parse_options({"datalab": "board"}))
    app = read_webapp(plan.env)
    return app, server_proxy_entry(app, "s3cret", env or {}, library)


def call(entry_value, **args):
    """What jupyter-server-proxy does with a callable: call it, then format each string once more."""
    from jupyter_server_proxy.handlers import call_with_asked_args

    result = call_with_asked_args(entry_value, args)
    if isinstance(result, list):
        return [v.format(**args) for v in result]
    return {k.format(**args): v.format(**args) for k, v in result.items()}


def test_server_proxy_entry_fills_in_placeholders(tmp_path):
    app, entry = entry_for(tmp_path, "env: {APP_ROOT: '{prefix}', JSON: '{{\"a\": 1}}'}\n"
                                     "      headers: {Authorization: 'token {token}'}\n"
                                     "      absolute_url: true\n      timeout: 42",
                           env={"JUPYTERHUB_API_TOKEN": "hub-secret", "PATH": "/usr/bin"},
                           library=Path("/lib/libloop.so"))
    args = {"port": 4711, "unix_socket": "", "base_url": "/user/a/s/"}
    assert proxy_name(app.id) == "webapp-board" and ready_path(app) == "webapp-board/"
    assert call(entry["command"], **args) == ["serve", "--port=4711"]
    env = call(entry["environment"], **args)
    assert env["APP_ROOT"] == "/user/a/s/webapp-board/" and env["JSON"] == '{"a": 1}'
    assert env["JUPYTERHUB_API_TOKEN"] == "" and "PATH" not in env and env["LD_PRELOAD"] == "/lib/libloop.so"
    assert call(entry["request_headers_override"], **args) == {"Authorization": "token s3cret"}
    assert entry["absolute_url"] is True and entry["timeout"] == 42.0 and "unix_socket" not in entry
    assert entry["launcher_entry"]["path_info"] == "webapp-board/"


def test_server_proxy_entry_on_a_unix_socket(tmp_path):
    _, entry = entry_for(tmp_path, "listen: unix\n      command: [serve, '--socket={unix_socket}']\n"
                                   "      loopback_only: false")
    assert entry["unix_socket"] is True
    args = {"port": 0, "unix_socket": "/tmp/x/socket", "base_url": "/"}
    assert call(entry["command"], **args) == ["serve", "--socket=/tmp/x/socket"]
    assert "LD_PRELOAD" not in call(entry["environment"], **args)


def test_js9_server_finds_the_images_of_the_volumes(tmp_path):
    import numpy as np
    from astropy.io import fits

    from datalabs_hub.contract import VolumeInfo

    (tmp_path / "sky" / "deep").mkdir(parents=True)
    fits.PrimaryHDU(np.zeros((30, 40))).writeto(tmp_path / "sky" / "deep" / "image.fits")
    fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(np.zeros((5, 7, 9)))]).writeto(tmp_path / "sky" / "cube.fits.gz")
    fits.BinTableHDU.from_columns([fits.Column("a", "E", array=np.ones(3))]).writeto(tmp_path / "sky" / "table.fits")
    (tmp_path / "sky" / "broken.fits").write_bytes(b"not FITS at all")
    assert first_image(tmp_path / "sky" / "deep" / "image.fits") == (0, 40, 30)
    images = find_images([VolumeInfo(id="sky", title="Sky", mount_path=str(tmp_path / "sky"))])
    assert [(i.path, i.hdu, i.naxis1, i.naxis2, i.url) for i in images] == [
        ("cube.fits.gz", 1, 9, 7, "files/sky/cube.fits.gz"),
        ("deep/image.fits", 0, 40, 30, "files/sky/deep/image.fits"),
    ]
    json.dumps([i.__dict__ for i in images])
