"""pytest-jupyter for the pipeline API tests (the same wiring as tests/lab/conftest.py, which says why)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import pytest_asyncio
from pytest_jupyter.jupyter_server import *  # noqa: F403 (jp_fetch, jp_root_dir, ...)

from datalabs_hub.lab.pipelines import SETTINGS_KEY

del pytest_pycollect_makeitem, pytest_pyfunc_call  # noqa: F821


@pytest_asyncio.fixture(loop_scope="session")
async def jp_asyncio_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


@pytest.fixture
def pipelines_config() -> dict[str, Any]:
    """Extra ``DatalabsPipelines`` settings for one test (override in a test module or with indirect use)."""
    return {}


@pytest.fixture
def jp_server_config(pipelines_config: dict[str, Any]) -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"datalabs_hub.lab": True}},
        "DatalabsPipelines": pipelines_config,
    }


@pytest_asyncio.fixture(loop_scope="session")
async def backend(jp_serverapp: Any):
    """The extension's shared state; its validation worker is stopped after the test."""
    state = jp_serverapp.web_app.settings[SETTINGS_KEY]
    yield state
    await state.validator.close()



