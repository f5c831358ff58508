"""Datalabs on Kubernetes: what Datalabs adds to a Zero to JupyterHub (z2jh) hub configuration.

The hub image (images/hub/Dockerfile) copies this file to
/usr/local/etc/jupyterhub/jupyterhub_config.d/50-datalabs.py. z2jh's own jupyterhub_config.py runs
it after applying the chart's values (so the KubeSpawner options of values.yaml are already set)
and before ``hub.config`` and ``hub.extraConfig``, which can still override what is set here.
Outside z2jh, run it from your own config with ``load_subconfig("/path/to/this/file.py")``.

Environment variables (values.yaml sets them in ``hub.extraEnv``):

    DATALABS_CATALOG       catalogue folder: the ConfigMap mount (default /etc/datalabs/catalog)
    DATALABS_VOLUME_ROOTS  colon-separated roots that ``source.local`` entries must lie below
                           (default: ``DatalabsSpawner.allowed_volume_roots``'s); local sources are
                           not used on Kubernetes
"""

import os

from datalabs_hub.hub.config import configure

# `c` is the config object that JupyterHub (or z2jh's jupyterhub_config.py) runs this file with.
c.JupyterHub.spawner_class = "datalabs-kube"  # noqa: F821
c.DatalabsSpawner.catalog_path = os.environ.get("DATALABS_CATALOG", "/etc/datalabs/catalog")  # noqa: F821
if "DATALABS_VOLUME_ROOTS" in os.environ:
    c.DatalabsSpawner.allowed_volume_roots = os.environ["DATALABS_VOLUME_ROOTS"].split(":")  # noqa: F821

# Named servers (one per datalab), the catalogue home page and its template; the hub refuses to
# start, naming file, entry and field, if the catalogue is invalid.
configure(c)  # noqa: F821
