"""Jupyter server extension that runs inside each datalab (the single-user server).

It serves the JSON APIs behind the JupyterLab "Archive volumes" panel, the pipeline editor
(processing assets, CWL validation: :mod:`.pipelines`) and the desktop applications (viewer pages,
sessions: :mod:`.desktop`); enable it with
``ServerApp.jpserver_extensions = {"datalabs_hub.lab": True}`` (shipped in
``jupyter-config/server-config/datalabs_hub.json``).
"""

from __future__ import annotations

import atexit
import os
from typing import Any

from jupyter_server.utils import url_path_join

from .pipelines import SETTINGS_KEY, AssetHandler, AssetsHandler, ValidateHandler, make_backend
from .volumes_api import VolumesHandler

DESKTOP_KEY = "datalabs_desktop"

VOLUMES_API = "datalabs/api/volumes"
PIPELINES_API = "datalabs/api/pipelines"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "datalabs_hub.lab"}]


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
    _load_desktop(serverapp)


def _load_desktop(serverapp: Any) -> None:
    """Desktop applications of this datalab (DATALABS_DESKTOP_APPS): viewer pages and their sessions."""
    from datalabs_hub.desktop.apps import ENV_AUTOSTART, AppsError, apps_from_env, runtime_dir
    from datalabs_hub.desktop.supervisor import DesktopSupervisor, SessionError

    from .desktop import desktop_handlers, viewer_version

    try:
        apps = apps_from_env()
    except AppsError as e:
        serverapp.log.error("Datalabs: desktop applications disabled: %s", e)
        return
    if not apps:
        return
    supervisor = DesktopSupervisor(apps, runtime_dir())
    os.environ.update(supervisor.samp_env())  # kernels and terminals find the datalab's SAMP hub
    web_app = serverapp.web_app
    web_app.settings[DESKTOP_KEY] = supervisor
    web_app.settings["datalabs_viewer_version"] = viewer_version()
    web_app.add_handlers(".*$", desktop_handlers(web_app.settings["base_url"]))
    atexit.register(supervisor.terminate)  # each launcher also stops itself when the server dies
    autostart = os.environ.get(ENV_AUTOSTART)
    if autostart in supervisor.apps:
        try:
            supervisor.start(autostart)  # now, so the application starts while the server loads
        except SessionError as e:
            serverapp.log.error("Datalabs: %s", e)
    elif autostart:
        serverapp.log.error("Datalabs: %s=%r is not among the desktop applications", ENV_AUTOSTART, autostart)
    serverapp.log.info("Datalabs desktop applications: %s", ", ".join(supervisor.apps))


async def _start_jupyter_server_extension(serverapp: Any) -> None:
    """Once the event loop runs: a desktop datalab starts its application (and keeps it running)."""
    from datalabs_hub.desktop.apps import ENV_AUTOSTART

    supervisor = serverapp.web_app.settings.get(DESKTOP_KEY)
    autostart = os.environ.get(ENV_AUTOSTART)
    if supervisor is not None and autostart in supervisor.apps:
        supervisor.autostart(autostart)

