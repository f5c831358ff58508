"""The ``GET /datalabs/api/volumes`` API, through a real Jupyter server (pytest-jupyter)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the loop of conftest's jp_asyncio_loop

API = ("datalabs", "api", "volumes")


async def get_volumes(jp_fetch: Any, **kwargs: Any) -> dict[str, Any]:
    response = await jp_fetch(*API, **kwargs)
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body)


def by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {volume["id"]: volume for volume in body["volumes"]}


async def test_lists_volumes_with_browser_paths(
    jp_fetch, jp_root_dir: Path, tmp_path: Path, set_volumes, make_volume
) -> None:
    inside = jp_root_dir / "data" / "spice-kernels"
    inside.mkdir(parents=True)
    for name in ("lsk", "pck", "readme.txt"):
        (inside / name).touch()
    outside = tmp_path / "elsewhere" / "psa"
    outside.mkdir(parents=True)
    set_volumes(
        [
            make_volume("spice-kernels", inside, mission=["BepiColombo", "JUICE"]),
            make_volume("psa", outside, read_only=False, mission=["Rosetta"]),
        ]
    )

    body = await get_volumes(jp_fetch)

    assert "error" not in body
    assert [v["id"] for v in body["volumes"]] == ["spice-kernels", "psa"]
    spice, psa = by_id(body)["spice-kernels"], by_id(body)["psa"]
    assert spice == {
        "id": "spice-kernels",
        "title": "Spice Kernels",
        "mission": ["BepiColombo", "JUICE"],
        "description": "The spice-kernels archive.",
        "mount_path": str(inside),
        "read_only": True,
        "browser_path": "data/spice-kernels",
        "available": True,
        "entries": 3,
        "reason": None,
    }
    assert psa["browser_path"] is None  # outside the file browser's root
    assert psa["available"] is True and psa["entries"] == 0
    assert psa["read_only"] is False and psa["mission"] == ["Rosetta"]


async def test_root_dir_itself_has_empty_browser_path(
    jp_fetch, jp_root_dir: Path, set_volumes, make_volume
) -> None:
    set_volumes([make_volume("everything", jp_root_dir)])
    assert (await get_volumes(jp_fetch))["volumes"][0]["browser_path"] == ""


async def test_missing_mount_path_is_unavailable(
    jp_fetch, jp_root_dir: Path, set_volumes, make_volume
) -> None:
    present = jp_root_dir / "present"
    present.mkdir()
    set_volumes(
        [
            make_volume("present", present),
            make_volume("gone", jp_root_dir / "not-mounted"),
        ]
    )

    volumes = by_id(await get_volumes(jp_fetch))

    assert volumes["present"]["available"] is True
    gone = volumes["gone"]
    assert gone["available"] is False
    assert gone["entries"] is None
    assert "does not exist" in gone["reason"]
    assert gone["browser_path"] == "not-mounted"


async def test_file_instead_of_directory_is_unavailable(
    jp_fetch, jp_root_dir: Path, set_volumes, make_volume
) -> None:
    (jp_root_dir / "a-file").write_text("x")
    set_volumes([make_volume("file", jp_root_dir / "a-file")])
    volume = (await get_volumes(jp_fetch))["volumes"][0]
    assert volume["available"] is False
    assert "not a directory" in volume["reason"]


async def test_no_env_var_means_no_volumes(jp_fetch, monkeypatch) -> None:
    monkeypatch.delenv("DATALABS_VOLUMES", raising=False)
    assert await get_volumes(jp_fetch) == {"volumes": []}


HOSTILE = {
    # what the panel shows for a malformed value; every case of the reading side is in test_contract_read.py
    "not json": ("[{'id': 'x'}", "DATALABS_VOLUMES: is not valid JSON"),
    "path traversal in id": (
        json.dumps([{"id": "../../etc", "title": "X", "mount_path": "/data/x"}]),
        "DATALABS_VOLUMES[0].id: '../../etc' is not a valid id",
    ),
    "traversal in mount_path": (
        json.dumps([{"id": "x", "title": "X", "mount_path": "/data/../etc"}]),
        "DATALABS_VOLUMES[0].mount_path: must be an absolute path without '..'",
    ),
    "duplicate ids": (
        json.dumps([{"id": "x", "title": "X", "mount_path": "/a"}, {"id": "x", "title": "X", "mount_path": "/b"}]),
        "DATALABS_VOLUMES[1].id: duplicate id 'x'",
    ),
    "5 MB value": (
        json.dumps([{"id": "x", "title": "X", "mount_path": "/d", "description": "a" * 5_000_000}]),
        "at most 262144",
    ),
    "deeply nested": ("[" * 100_000 + "]" * 100_000, "DATALABS_VOLUMES: is not valid JSON"),
}


@pytest.mark.parametrize("raw, expected", HOSTILE.values(), ids=HOSTILE.keys())
async def test_malformed_value_gives_empty_list_and_error(
    jp_fetch, set_volumes, caplog, raw: str, expected: str
) -> None:
    set_volumes(raw)
    with caplog.at_level(logging.WARNING):
        body = await get_volumes(jp_fetch)

    assert body["volumes"] == []
    assert body["error"].startswith("DATALABS_VOLUMES is invalid: ")
    assert expected in body["error"]
    assert len(body["error"]) < 300  # never echoes a hostile value back in full
    assert any("DATALABS_VOLUMES is invalid" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("headers", [{"Authorization": ""}, {"Authorization": "token wrong"}])
async def test_refuses_unauthenticated_requests(jp_fetch, set_volumes, headers) -> None:
    set_volumes([{"id": "x", "title": "X", "mount_path": "/"}])
    with pytest.raises(HTTPClientError) as exc_info:
        await jp_fetch(*API, headers=headers)
    assert exc_info.value.code == 403
