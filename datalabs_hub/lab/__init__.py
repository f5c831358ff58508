"""The Datalabs extension of each datalab's Jupyter server (runs in the datalab, not in the hub).

:class:`~.app.DatalabsLab` (a jupyter_server ``ExtensionApp``) serves the JSON API behind the JupyterLab
"Archive volumes" panel (:mod:`.volumes`), the pipeline editor's API (:mod:`.pipelines`) and the desktop
applications' pages (:mod:`.desktop`); handlers turn Datalabs errors into HTTP in :mod:`.http_errors`.
Enabled with ``ServerApp.jpserver_extensions = {"datalabs_hub.lab": True}`` (shipped in
``jupyter-config/server-config/datalabs_hub.json``).
"""

from __future__ import annotations

from typing import Any


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .app import DatalabsLab

    return [{"module": "datalabs_hub.lab.app", "app": DatalabsLab}]
