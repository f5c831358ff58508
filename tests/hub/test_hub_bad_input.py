"""Malformed, hostile and oversized launch requests: a clear 400, nothing started, nothing lost or leaked.

And the installation's faults (no system account, a volume folder missing): a 500 with a plain
message for the user and the details for the operator in the hub's log.
"""

from __future__ import annotations

import html
import re

import pytest
from test_hub_spawn import spawn

from datalabs_hub.testing.hub import create_account, delete_account

BAD_BODIES = [
    ({"datalab": "../../etc/passwd"}, "datalab", "not a catalogue id"),
    ({"datalab": "no-such-lab"}, "datalab", "not a datalab in the catalogue"),
    ({"datalab": 42}, "datalab", "valid string"),
    ({"volumes": ["mission-a"]}, "datalab", "is required"),
    ({"datalab": "lab-test", "volumes": "mission-a"}, "volumes", "valid list"),
    ({"datalab": "lab-test", "volumes": ["mission-a", "mission-a"]}, "volumes", "listed twice"),
    ({"datalab": "lab-test", "volumes": ["../restricted"]}, "volumes", "not a volume id"),
    ({"datalab": "lab-test", "volumes": ["nope"]}, "volumes[0]", "not an archive volume"),
    ({"datalab": "lab-test", "volumes": ["restricted-vol"]}, "volumes[0]", "not an archive volume in the catalogue available to you"),
    ({"datalab": "lab-secret"}, "datalab", "available to you"),
    ({"datalab": "lab-test", "volumes": [["mission-a"]]}, "volumes[0]", "valid string"),
    ({"datalab": "lab-test", "volumes": ["mission-a"] * 5000}, "body", "at most 16384"),
    ({"datalab": "lab-test", "image": "evil/image"}, "image", "unknown field"),
]


@pytest.mark.parametrize("body,field,words", BAD_BODIES, ids=[f"{i}-{b[1]}" for i, b in enumerate(BAD_BODIES)])
def test_bad_spawn_body_is_refused_with_the_field_named(hub, accounts, body, field, words):
    bob = accounts["bob"].name
    r = spawn(hub, bob, "badreq", body)
    assert r.status_code == 400, r.text
    message = r.json()["message"]
    assert f"{field}:" in message and words in message, message
    assert len(message) < 400, "the error must not echo a huge body back"
    server = hub.api("GET", f"/users/{bob}").json()["servers"].get("badreq")
    assert server is None or (not server["ready"] and not server["pending"]), server


def test_non_object_body_is_refused(hub, accounts):
    bob = accounts["bob"].name
    r = hub.api("POST", f"/users/{bob}/servers/badreq", data="[1, 2]")
    assert r.status_code == 400


def test_secret_looking_values_are_not_logged(hub, accounts):
    bob = accounts["bob"].name
    secret = "s3cr3t-" + "x" * 20
    r = spawn(hub, bob, "badreq", {"datalab": "lab-test", "password": secret})
    assert r.status_code == 400 and "password: unknown field" in r.json()["message"]
    assert secret not in hub.log()


def test_a_bad_request_keeps_the_last_good_choice(hub, accounts):
    """JupyterHub remembers the last options as the form's defaults; a bad request must not wipe them."""
    alice = accounts["alice"].name
    good = {"datalab": "lab-test", "volumes": ["mission-b"]}
    assert spawn(hub, alice, "keep", good).status_code in (201, 202)
    hub.wait_ready(alice, "keep")
    hub.api("DELETE", f"/users/{alice}/servers/keep")
    hub.wait_stopped(alice, "keep")
    assert spawn(hub, alice, "keep", {"datalab": "no-such-lab"}).status_code == 400
    server = hub.api("GET", f"/users/{alice}?include_stopped_servers=1").json()["servers"]["keep"]
    assert server["user_options"] == good


def test_launch_form_shows_what_is_wrong(hub, accounts):
    bob = accounts["bob"]
    s = hub.login(bob)
    page = s.get(f"{hub.url}/hub/spawn/{bob.name}/formbad", timeout=30)
    action = html.unescape(re.search(r'id="spawn_form"\s+action="([^"]+)"', page.text).group(1))
    r = s.post(hub.url + action, data={"datalab": "lab-test", "volumes": "restricted-vol"}, timeout=30)
    assert "volumes[0]" in r.text and "not an archive volume in the catalogue available to you" in r.text
    # the form is shown again, with the catalogue, so the user can correct it
    assert 'name="datalab"' in r.text
    server = hub.api("GET", f"/users/{bob.name}").json()["servers"].get("formbad")
    assert server is None or not server["ready"]


@pytest.mark.parametrize("name", ["Bad Name", "..%2F..%2Fetc", "x" * 300])
def test_bad_datalab_name_is_refused(hub, accounts, name):
    """The optional name on the home page becomes the server name: JupyterHub refuses bad ones clearly."""
    bob = accounts["bob"]
    s = hub.login(bob)
    home = s.get(f"{hub.url}/hub/home", timeout=30).text
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', home).group(1)
    r = s.post(f"{hub.url}/hub/spawn/{bob.name}/{name}", data={"_xsrf": xsrf, "datalab": "lab-test"}, timeout=30)
    assert r.status_code in (400, 404), r.status_code
    if r.status_code == 400:
        assert "Invalid server_name" in r.text
    running = hub.api("GET", f"/users/{bob.name}").json()["servers"]
    assert all(not s["ready"] for s in running.values())


def test_a_user_without_a_system_account_gets_a_plain_500(hub):
    """An operator fault, not the user's: the user is told to ask; the log says what is missing.

    (The hub adds only users with an account; here the account is removed afterwards.)
    """
    name = create_account("dltgone", "datalabs-users").name
    try:
        assert hub.api("POST", f"/users/{name}").status_code == 201
    finally:
        delete_account(name)
    try:
        r = spawn(hub, name, "noacct", {"datalab": "lab-test"})
        assert r.status_code == 500, r.text
        assert "Your account is not set up on this machine yet" in r.json()["message"]
        assert "useradd" not in r.json()["message"]
        assert f"There is no system account named '{name}'" in hub.log()
    finally:
        hub.api("DELETE", f"/users/{name}")


def test_a_missing_volume_folder_gets_a_plain_500(hub, accounts, volume_root):
    bob = accounts["bob"].name
    assert not (volume_root / "gone").exists()
    r = spawn(hub, bob, "gone", {"datalab": "lab-test", "volumes": ["gone-vol"]})
    assert r.status_code == 500, r.text
    message = r.json()["message"]
    assert "An archive volume you picked is not available on this machine" in message
    assert str(volume_root) not in message, "host paths are for the operator's log"
    assert f"gone-vol ({volume_root}/gone)" in hub.log()
    server = hub.api("GET", f"/users/{bob}").json()["servers"].get("gone")
    assert server is None or (not server["ready"] and not server["pending"]), server
