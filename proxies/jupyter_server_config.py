# Jupyter server config (linked into the environment's etc/jupyter by bootstrap.sh; copied into the
# desktop image on Kubernetes): the desktop applications the hub offers this datalab become
# jupyter-server-proxy entries and JupyterLab launcher tiles; a web-app datalab's web app its own entry.
# No side effects: it only computes the entries and their paths; the Datalabs server extension
# (datalabs_hub.lab) makes the private folder and writes the icons when it starts.
from datalabs_hub.desktop.server_proxy_config import configure_server_proxy

configure_server_proxy(c)  # noqa: F821 (c is the config object of the config file)

from datalabs_hub.webapp.server_proxy_config import configure_webapp  # noqa: E402

configure_webapp(c)  # noqa: F821 (web-app datalabs: their web app as a server-proxy entry)
