"""Fixtures for the datalab server extension tests.

pytest-jupyter's fixtures are imported here rather than loaded with ``pytest_plugins``: pytest refuses
``pytest_plugins`` in a conftest below the root, and a plugin loaded from a test module is global, so
its autouse event-loop fixture (which closes the loop) and its async test runner would reach every
other test. Imported into this conftest they apply to ``tests/lab`` only, and pytest-asyncio
(``asyncio_mode = auto``) runs the async tests on the loop the test server uses.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from pytest_jupyter.jupyter_server import *  # noqa: F403 (jp_fetch, jp_root_dir, ...)

# pytest-jupyter's own runner for async tests would race pytest-asyncio's: keep pytest-asyncio's.
del pytest_pycollect_makeitem, pytest_pyfunc_call  # noqa: F821


@pytest_asyncio.fixture(loop_scope="session")
async def jp_asyncio_loop() -> asyncio.AbstractEventLoop:
    """The test server runs on pytest-asyncio's session loop, the one the tests run on."""
    return asyncio.get_running_loop()


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    """Run the test server with the Datalabs extension enabled."""
    return {"ServerApp": {"jpserver_extensions": {"datalabs_hub.lab": True}}}


@pytest.fixture
def set_volumes(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any], None]:
    """Set DATALABS_VOLUMES: a Python list is dumped to JSON, a string is used as is."""

    def _set(value: Any) -> None:
        raw = value if isinstance(value, str) else json.dumps(value)
        monkeypatch.setenv("DATALABS_VOLUMES", raw)

    return _set


@pytest.fixture
def make_volume() -> Callable[..., dict[str, Any]]:
    """A valid volume entry; keyword arguments override fields."""

    def _make(volume_id: str, mount_path: Path | str, **fields: Any) -> dict[str, Any]:
        entry = {
            "id": volume_id,
            "title": volume_id.replace("-", " ").title(),
            "mission": ["BepiColombo"],
            "description": f"The {volume_id} archive.",
            "mount_path": str(mount_path),
            "read_only": True,
        }
        entry.update(fields)
        return entry

    return _make
