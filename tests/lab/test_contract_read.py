"""The datalab's reading side of the hub-to-datalab contract (:mod:`datalabs_hub.contract`), no server.

Volumes and desktop applications as the hub writes them, and malformed, hostile and oversized values:
each is refused whole with an error naming the variable, the item and the field.
"""

from __future__ import annotations

import json

import pytest

from datalabs_hub.contract import (
    MAX_APPS,
    MAX_VALUE_BYTES,
    MAX_VOLUMES,
    DatalabContract,
    DesktopAppInfo,
    VolumeInfo,
    read_desktop_apps,
    read_desktop_autostart,
    read_volumes,
)
from datalabs_hub.errors import ContractError, OperatorError

APP = {"id": "topcat", "title": "TOPCAT", "desktop": {"command": ["topcat"], "java_heap": "1G", "samp": True}}
VOLUME = {"id": "spice-kernels", "title": "SPICE kernels", "mission": ["BepiColombo"], "mount_path": "/data/spice"}


def volumes_error(value: object) -> ContractError:
    raw = value if isinstance(value, str) else json.dumps(value)
    with pytest.raises(ContractError) as info:
        read_volumes({"DATALABS_VOLUMES": raw})
    return info.value


def apps_error(value: object) -> ContractError:
    raw = value if isinstance(value, str) else json.dumps(value)
    with pytest.raises(ContractError) as info:
        read_desktop_apps({"DATALABS_DESKTOP_APPS": raw})
    return info.value


@pytest.mark.parametrize("raw", [None, "", "  ", "[]"])
def test_unset_blank_or_empty_means_nothing(raw):
    env = {} if raw is None else {"DATALABS_VOLUMES": raw, "DATALABS_DESKTOP_APPS": raw}
    assert read_volumes(env) == [] and read_desktop_apps(env) == []
    assert read_desktop_autostart(env) is None


def test_reads_what_the_hub_writes():
    contract = DatalabContract(
        datalab="topcat", title="TOPCAT",
        volumes=[VolumeInfo.model_validate(VOLUME)], desktop_apps=[DesktopAppInfo.model_validate(APP)],
        desktop_autostart="topcat",
    )
    env = contract.to_env()
    [volume] = read_volumes(env)
    assert volume.mount_path == "/data/spice" and volume.read_only is True and volume.mission == ["BepiColombo"]
    [app] = read_desktop_apps(env)
    assert app.desktop.java_heap_mib == 1024 and app.desktop.samp
    assert read_desktop_autostart(env) == "topcat"


def test_mount_path_is_normalised():
    [volume] = read_volumes({"DATALABS_VOLUMES": json.dumps([dict(VOLUME, mount_path="/data//spice/")])})
    assert volume.mount_path == "/data/spice"


def test_a_malformed_value_is_an_operator_fault_with_a_plain_user_message():
    error = volumes_error([VOLUME, dict(VOLUME, id="psa", mount_path=3)])
    assert isinstance(error, OperatorError) and error.status == 500
    assert error.field == "DATALABS_VOLUMES[1].mount_path"
    assert "administrator" in error.user_message() and "mount_path" not in error.user_message()


HOSTILE_VOLUMES = {
    "not json": ("[{'id': 'x'}", "DATALABS_VOLUMES", "is not valid JSON"),
    "not a list": ({"id": "x", "mount_path": "/data/x"}, "DATALABS_VOLUMES", "must be a JSON list"),
    "entry not an object": (["/data/x"], "DATALABS_VOLUMES[0]", "valid dictionary"),
    "missing id": ([{"title": "X", "mount_path": "/data/x"}], "DATALABS_VOLUMES[0].id", "Field required"),
    "missing mount_path": ([{"id": "x", "title": "X"}], "DATALABS_VOLUMES[0].mount_path", "Field required"),
    "id is a number": ([dict(VOLUME, id=7)], "DATALABS_VOLUMES[0].id", "valid string"),
    "path traversal in id": ([dict(VOLUME, id="../../etc")], "DATALABS_VOLUMES[0].id", "is not a valid id"),
    "slash in id": ([dict(VOLUME, id="a/b")], "DATALABS_VOLUMES[0].id", "is not a valid id"),
    "dot in id (not a catalogue id)": ([dict(VOLUME, id="psa.v2")], "DATALABS_VOLUMES[0].id", "is not a valid id"),
    "relative mount_path": ([dict(VOLUME, mount_path="data/x")], "DATALABS_VOLUMES[0].mount_path", "absolute"),
    "traversal in mount_path": ([dict(VOLUME, mount_path="/data/../etc")], "DATALABS_VOLUMES[0].mount_path",
                                "without '..'"),
    "NUL in mount_path": ([dict(VOLUME, mount_path="/data/\x00x")], "DATALABS_VOLUMES[0].mount_path", "absolute"),
    "read_only not a boolean": ([dict(VOLUME, read_only="no")], "DATALABS_VOLUMES[0].read_only", "boolean"),
    "unknown field": ([dict(VOLUME, writable=True)], "DATALABS_VOLUMES[0].writable", "Extra inputs"),
    "duplicate ids": ([VOLUME, VOLUME], "DATALABS_VOLUMES[1].id", "duplicate id 'spice-kernels'"),
    "too many volumes": ([dict(VOLUME, id=f"v{i}") for i in range(MAX_VOLUMES + 1)], "DATALABS_VOLUMES",
                         f"at most {MAX_VOLUMES}"),
    "5 MB value": ([dict(VOLUME, description="a" * 5_000_000)], "DATALABS_VOLUMES", f"at most {MAX_VALUE_BYTES}"),
    "long description": ([dict(VOLUME, description="a" * 5000)], "DATALABS_VOLUMES[0].description", "at most 4000"),
    "deeply nested": ("[" * 100_000 + "]" * 100_000, "DATALABS_VOLUMES", "is not valid JSON"),
}


@pytest.mark.parametrize("value, field, expected", HOSTILE_VOLUMES.values(), ids=HOSTILE_VOLUMES.keys())
def test_hostile_volumes_are_refused_naming_the_field(value, field, expected):
    error = volumes_error(value)
    assert error.field == field
    assert expected in error.message
    assert len(str(error)) < 300  # never echoes a hostile value back in full


HOSTILE_APPS = {
    "not json": ("{", "DATALABS_DESKTOP_APPS", "is not valid JSON"),
    "not a list": ({"id": "x"}, "DATALABS_DESKTOP_APPS", "must be a JSON list"),
    "traversal in id": ([dict(APP, id="../etc")], "DATALABS_DESKTOP_APPS[0].id", "is not a valid id"),
    "bad geometry": ([dict(APP, desktop={"command": ["x"], "geometry": "1x1"})],
                     "DATALABS_DESKTOP_APPS[0].desktop.geometry", "String should match pattern"),
    "shell in geometry": ([dict(APP, desktop={"command": ["x"], "geometry": "1600x1000; rm -rf /"})],
                          "DATALABS_DESKTOP_APPS[0].desktop.geometry", "String should match pattern"),
    "javascript icon": ([dict(APP, icon="javascript:alert(1)")], "DATALABS_DESKTOP_APPS[0].icon", "pattern"),
    "empty command": ([dict(APP, desktop={"command": []})], "DATALABS_DESKTOP_APPS[0].desktop.command", "at least 1"),
    "empty title": ([dict(APP, title="")], "DATALABS_DESKTOP_APPS[0].title", "at least 1"),
    "duplicate ids": ([APP, APP], "DATALABS_DESKTOP_APPS[1].id", "duplicate id 'topcat'"),
    "too many apps": ([dict(APP, id=f"a{i}") for i in range(MAX_APPS + 1)], "DATALABS_DESKTOP_APPS",
                      f"at most {MAX_APPS}"),
    "oversized value": ("[" + " " * 300_000 + "]", "DATALABS_DESKTOP_APPS", f"at most {MAX_VALUE_BYTES}"),
}


@pytest.mark.parametrize("value, field, expected", HOSTILE_APPS.values(), ids=HOSTILE_APPS.keys())
def test_hostile_desktop_apps_are_refused_naming_the_field(value, field, expected):
    error = apps_error(value)
    assert error.field == field
    assert expected in error.message
    assert len(str(error)) < 300
