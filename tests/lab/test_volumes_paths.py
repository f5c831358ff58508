"""What the volumes API finds on the file system (no server): browser paths and availability."""

from __future__ import annotations

from pathlib import Path

from datalabs_hub.lab.volumes import browser_path, check_available


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
