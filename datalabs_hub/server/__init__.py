"""Jupyter server extension that runs inside each datalab (the single-user server).

It serves the JSON API behind the JupyterLab "Archive volumes" panel; enable it with
``ServerApp.jpserver_extensions = {"datalabs_hub.server": True}`` (shipped in
``jupyter-config/server-config/datalabs_hub.json``).
"""

from __future__ import annotations

from typing import Any

from jupyter_server.utils import url_path_join

from .handlers import VolumesHandler

VOLUMES_API = "datalabs/api/volumes"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "datalabs_hub.server"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    web_app = serverapp.web_app
    base_url = web_app.settings["base_url"]
    web_app.add_handlers(".*$", [(url_path_join(base_url, VOLUMES_API), VolumesHandler)])
    serverapp.log.info("Datalabs server extension loaded: %s%s", base_url, VOLUMES_API)
