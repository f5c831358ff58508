"""The pure parts of ``datalabs_hub.lab.volumes`` (no server)."""

from __future__ import annotations

import json
from pathlib import Path

from datalabs_hub.lab.volumes import (
    MAX_ENV_BYTES,
    Volume,
    browser_path,
    check_available,
    parse_volumes,
)


def test_unset_or_blank_means_no_volumes_and_no_error() -> None:
    assert parse_volumes(None).volumes == [] and parse_volumes(None).error is None
    assert parse_volumes("  ").volumes == [] and parse_volumes("  ").error is None
    assert parse_volumes("[]").volumes == [] and parse_volumes("[]").error is None


def test_defaults_and_normalisation() -> None:
    raw = json.dumps([{"id": "psa.v2", "mount_path": "/data//psa/", "mission": "Rosetta"}])
    parsed = parse_volumes(raw)
    assert parsed.error is None
    assert parsed.volumes == [
        Volume(id="psa.v2", title="psa.v2", mount_path="/data/psa", mission=["Rosetta"])
    ]
    assert parsed.volumes[0].read_only is True


def test_one_bad_entry_rejects_all() -> None:
    raw = json.dumps([{"id": "ok", "mount_path": "/a"}, {"id": "bad", "mount_path": 3}])
    parsed = parse_volumes(raw)
    assert parsed.volumes == []
    assert parsed.error == "DATALABS_VOLUMES is invalid: volume 1 (bad): 'mount_path' must be a string, got a number"


def test_size_limit_is_checked_before_parsing() -> None:
    parsed = parse_volumes("x" * (MAX_ENV_BYTES + 1))
    assert parsed.error is not None and "the limit is" in parsed.error


def test_ids_with_dot_dot_or_hidden_start_are_rejected() -> None:
    for bad in ("..", "a..b", ".hidden", "a/b", "a b", ""):
        parsed = parse_volumes(json.dumps([{"id": bad, "mount_path": "/d"}]))
        assert parsed.error is not None, bad


def test_browser_path(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "data" / "x").mkdir(parents=True)
    assert browser_path(str(root / "data" / "x"), str(root)) == "data/x"
    assert browser_path(str(root), str(root)) == ""
    assert browser_path(str(tmp_path / "rootless"), str(root)) is None
    assert browser_path("/", str(root)) is None
    assert browser_path("/data/x", "/") == "data/x"


def test_browser_path_through_a_symlinked_root(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "vol").mkdir(parents=True)
    (tmp_path / "link").symlink_to(real)
    assert browser_path(str(real / "vol"), str(tmp_path / "link")) == "vol"


def test_check_available(tmp_path: Path) -> None:
    (tmp_path / "f").touch()
    assert check_available(str(tmp_path)) == (True, 1, None)
    assert check_available(str(tmp_path / "missing"))[:2] == (False, None)
    assert check_available(str(tmp_path / "f"))[:2] == (False, None)
