"""The Datalabs server extension as a jupyter_server ``ExtensionApp``: its settings, routes, start and stop.

Operators set its traits in the server's config (``c.DatalabsLab.*``, and ``c.DatalabsPipelines.*`` for the
pipeline editor). What the hub hands the datalab (volumes, desktop applications) is read only through
:mod:`datalabs_hub.contract`. The stop hook ends the CWL validation worker and every desktop session.
"""

from __future__ import annotations

import os

from jupyter_server.extension.application import ExtensionApp
from traitlets import Float

from ..contract import read_desktop_apps, read_desktop_autostart
from ..desktop.runtime_dir import ensure_private_dir, icon_dir, runtime_dir, write_private
from ..desktop.server_proxy import icon_file
from ..desktop.supervisor import DesktopSupervisor
from ..errors import ContractError, DatalabsError
from ..pipelines.settings import DatalabsPipelines
from .desktop import SETTINGS_KEY as DESKTOP_KEY
from .desktop import desktop_handlers, viewer_version
from .pipelines import SETTINGS_KEY as PIPELINES_KEY
from .pipelines import AssetHandler, AssetsHandler, PipelinesBackend, ValidateHandler, make_backend
from .volumes import VolumesHandler

VOLUMES_API = "datalabs/api/volumes"
PIPELINES_API = "datalabs/api/pipelines"


class DatalabsLab(ExtensionApp):
    """Datalabs in the datalab's Jupyter server: archive volumes, pipeline editor API, desktop applications."""

    name = "datalabs"
    description = __doc__
    classes = [DatalabsPipelines]

    desktop_start_timeout = Float(
        20.0,
        help="""Seconds a desktop application's session has to come up (its VNC socket accepting
        connections) before the viewer page answers 503 and the session is stopped. A desktop datalab's own
        application starts with the server, so its page usually finds it running.""",
    ).tag(config=True)

    pipelines: PipelinesBackend
    desktop: DesktopSupervisor | None = None

    def initialize_settings(self) -> None:
        self.pipelines = make_backend(DatalabsPipelines(parent=self), self.log)
        self.settings[PIPELINES_KEY] = self.pipelines
        self.desktop = self._desktop_supervisor()
        if self.desktop is not None:
            self.settings[DESKTOP_KEY] = self.desktop
            self.settings["datalabs_viewer_version"] = viewer_version()

    def initialize_handlers(self) -> None:
        self.handlers.extend([
            (VOLUMES_API, VolumesHandler),
            (f"{PIPELINES_API}/assets", AssetsHandler),
            (f"{PIPELINES_API}/assets/([^/]+)", AssetHandler),
            (f"{PIPELINES_API}/validate", ValidateHandler),
        ])
        if self.desktop is not None:
            self.handlers.extend(desktop_handlers())
        self.log.info("Datalabs server extension loaded: %s, %s%s", VOLUMES_API, PIPELINES_API,
                      f", desktop applications {', '.join(self.desktop.apps)}" if self.desktop else "")

    def _desktop_supervisor(self) -> DesktopSupervisor | None:
        """The desktop applications the hub offers this datalab, their private folder and launcher icons."""
        try:
            apps = read_desktop_apps(os.environ)
        except ContractError as e:
            self.log.error("Datalabs: desktop applications disabled: %s", e)
            return None
        if not apps:
            return None
        autostart = read_desktop_autostart(os.environ)
        if autostart is not None and autostart not in {a.id for a in apps}:
            self.log.error("Datalabs: DATALABS_DESKTOP_AUTOSTART=%r is not among the desktop applications", autostart)
            autostart = None
        supervisor = DesktopSupervisor(apps, runtime_dir(), self.desktop_start_timeout, autostart)
        os.environ.update(supervisor.samp_env())  # kernels and terminals find the datalab's SAMP hub
        try:  # the launcher tiles' icons (jupyter-server-proxy reads them when the launcher asks)
            icons = ensure_private_dir(icon_dir(ensure_private_dir(supervisor.runtime_dir)))
            for app in apps:
                if (icon := icon_file(app, icons)) is not None:
                    write_private(*icon)
        except OSError as e:
            self.log.error("Datalabs: cannot write the desktop applications' icons: %s", e)
        if autostart is not None:
            # now, so the application starts while the server loads (TOPCAT's Java start-up overlaps Jupyter's);
            # the loop does not run yet when jupyter_server loads extensions (JupyterHub's extension does the same)
            self.serverapp.io_loop.run_sync(lambda: self._autostart(supervisor, autostart))
        return supervisor

    async def _autostart(self, supervisor: DesktopSupervisor, app_id: str) -> None:
        try:
            await supervisor.start(app_id)
        except DatalabsError as e:
            self.log.error("Datalabs: %s", e)

    async def stop_extension(self) -> None:
        """End the CWL validation worker and every desktop session (jupyter_server calls this when it stops)."""
        await self.pipelines.validator.close()
        if self.desktop is not None:
            await self.desktop.stop()
        self.log.info("Datalabs server extension stopped")
