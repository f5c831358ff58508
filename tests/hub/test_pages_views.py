"""The pages' view models (pure): the user's datalabs as the home page lists them, and the spawn form."""

from __future__ import annotations

import re

import pytest

from datalabs_hub.catalog import load_catalog
from datalabs_hub.hub.pages import ServerInfo, datalab_rows, launch_summary, spawn_form_html
from datalabs_hub.testing.hub import CHECKOUT, DEMO_VOLUMES


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(CHECKOUT / "spawner_profiles", [DEMO_VOLUMES])


def server(name, options, state="running"):
    return ServerInfo(name=name, user_options=options, state=state, url=f"/user/u/{name}/")


def test_rows_name_kind_volumes_and_state(catalog):
    rows = datalab_rows(catalog, [
        server("topcat", {"datalab": "topcat", "volumes": ["astronomy"]}, "starting"),
        server("astro", {"datalab": "jupyterlab-astro"}),  # no volumes given: the datalab's defaults
        server("", {"datalab": "gdl", "volumes": []}, "stopped"),
    ])
    assert [(r["label"], r["title"], r["kind_label"], r["state"]) for r in rows] == [
        ("(default)", "GNU Data Language (IDL-compatible) session", "Desktop application", "stopped"),
        ("astro", "JupyterLab for astronomy and planetary science", "JupyterLab", "running"),
        ("topcat", "TOPCAT", "Desktop application", "starting"),
    ]
    assert rows[0]["volumes"] == []
    assert [v["id"] for v in rows[1]["volumes"]] == list(catalog.datalabs["jupyterlab-astro"].default_volumes)
    assert rows[2]["volumes"] == [{"id": "astronomy", "title": "Astronomy (demo)", "mount_path": "/data/astronomy"}]
    assert rows[2]["url"] == "/user/u/topcat/"


def test_never_launched_servers_are_not_listed(catalog):
    assert datalab_rows(catalog, [server("fresh", None, "stopped"), server("", {}, "stopped")]) == []


def test_a_datalab_gone_from_the_catalogue_still_shows_what_it_was(catalog):
    summary = launch_summary(catalog, {"datalab": "retired-lab", "volumes": ["old-volume"]})
    assert summary["title"] == "retired-lab"
    assert summary["kind_label"] == "no longer in the catalogue"
    assert summary["volumes"] == [{"id": "old-volume", "title": "old-volume", "mount_path": ""}]


def test_spawn_form_preselects_the_previous_choice(catalog):
    html = spawn_form_html(catalog, [], {"datalab": "ds9", "volumes": ["astronomy"]})
    assert re.search(r'value="ds9"\s+checked', html)
    assert re.search(r'id="dl-vol-astronomy"\s+checked', html)
    assert not re.search(r'id="dl-vol-spice-kernels"\s+checked', html)  # the default volume the user unpicked
