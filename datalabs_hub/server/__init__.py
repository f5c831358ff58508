"""Jupyter server extension that runs inside each datalab (the single-user server).

It serves the JSON APIs behind the JupyterLab "Archive volumes" panel and the pipeline editor
(processing assets, CWL validation: :mod:`.pipelines`); enable it with
``ServerApp.jpserver_extensions = {"datalabs_hub.server": True}`` (shipped in
``jupyter-config/server-config/datalabs_hub.json``).
"""

from __future__ import annotations

from typing import Any

from jupyter_server.utils import url_path_join

from .handlers import VolumesHandler
from .pipelines import SETTINGS_KEY, AssetHandler, AssetsHandler, ValidateHandler, make_backend

VOLUMES_API = "datalabs/api/volumes"
PIPELINES_API = "datalabs/api/pipelines"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "datalabs_hub.server"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    web_app = serverapp.web_app
    base_url = web_app.settings["base_url"]
    web_app.settings[SETTINGS_KEY] = make_backend(serverapp)
    web_app.add_handlers(".*$", [
        (url_path_join(base_url, VOLUMES_API), VolumesHandler),
        (url_path_join(base_url, PIPELINES_API, "assets"), AssetsHandler),
        (url_path_join(base_url, PIPELINES_API, "assets", r"([^/]+)"), AssetHandler),
        (url_path_join(base_url, PIPELINES_API, "validate"), ValidateHandler),
    ])
    serverapp.log.info("Datalabs server extension loaded: %s{%s,%s}", base_url, VOLUMES_API, PIPELINES_API)
