"""A private network per datalab: its namespace name and the forwarder's command line (pure: no processes).

Each local datalab runs in its own network namespace, so nothing it listens on (a notebook's web
server, a desktop application's port) is reachable from another datalab or from the host, and it
reaches nothing on the host's loopback. Inside, loopback works as usual: kernels, desktop
applications and SAMP talk to each other on 127.0.0.1.

The namespace is made before the sandbox starts (``ip netns add``, see
:mod:`datalabs_hub.sandbox.netns`) and the sandbox enters it (``nsenter --net=PATH`` in front of
bubblewrap, see :func:`datalabs_hub.sandbox.bwrap.build_bwrap_argv`). One user-mode forwarder,
pasta (Debian's ``passt``), joins it and connects two ports, nothing else:

- the host's ``127.0.0.1:PORT`` to the datalab's ``127.0.0.1:PORT`` (the Jupyter server), for the
  hub and its proxy;
- the datalab's ``127.0.0.1:HUB_PORT`` to the host's ``127.0.0.1:HUB_PORT``, so the server reaches
  the hub's API at the URL it is given (``JUPYTERHUB_API_URL``).

Outbound network (:data:`NETWORK_MODES`): ``isolated`` leaves pasta's interface in the namespace
without an address, so nothing leaves the datalab except the hub API; ``outbound`` configures it
(pasta copies the host's address and routes and relays the datalab's connections and datagrams
through ordinary host sockets), like a program of the host would, except that the gateway address
is not mapped to the host's loopback (``--no-map-gw``): the host's loopback services stay
unreachable.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

#: what a datalab may reach beyond its own loopback (the operator setting ``DatalabsLocalSpawner.network``)
NETWORK_MODES = ("isolated", "outbound")
#: where ``ip netns`` keeps named namespaces
NETNS_DIR = PurePosixPath("/run/netns")
#: pasta's pid files, one per datalab
RUN_DIR = PurePosixPath("/run/datalabs/network")
#: every datalab namespace's name starts with this (the tests and operators find them by it)
NAME_PREFIX = "datalab-"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class PrivateNetwork:
    """One datalab's network namespace and the two ports pasta connects."""

    #: the namespace's name under /run/netns
    name: str
    #: host 127.0.0.1:server_port -> datalab 127.0.0.1:server_port (the Jupyter server)
    server_port: int
    #: datalab 127.0.0.1:hub_api_port -> host 127.0.0.1:hub_api_port (the hub's API)
    hub_api_port: int
    #: one of NETWORK_MODES
    mode: str = "isolated"

    def __post_init__(self) -> None:
        if self.mode not in NETWORK_MODES:
            raise ValueError(f"network mode must be one of {', '.join(NETWORK_MODES)}, not {self.mode!r}")

    @property
    def path(self) -> PurePosixPath:
        return namespace_path(self.name)

    @property
    def pid_file(self) -> PurePosixPath:
        return pid_file(self.name)


def namespace_name(user: str, server: str = "") -> str:
    """A readable, unique namespace name for one server of one user, e.g. ``datalab-alice-lab1-1a2b3c4d``.

    The hash of the exact (user, server) pair keeps names apart that read the same once
    shortened or cleaned (``a-b`` + ``c`` and ``a`` + ``b-c``).
    """
    digest = hashlib.sha256(f"{user}\0{server}".encode()).hexdigest()[:8]
    readable = "-".join(_UNSAFE.sub("_", part)[:40] for part in (user, server) if part)
    return f"{NAME_PREFIX}{readable}-{digest}"


def namespace_path(name: str) -> PurePosixPath:
    """The namespace's file (what ``nsenter --net=`` and pasta's ``--netns`` open)."""
    return NETNS_DIR / name


def pid_file(name: str) -> PurePosixPath:
    """Where the namespace's pasta writes its process id."""
    return RUN_DIR / f"{name}.pid"


def hub_api_port(api_url: str) -> int:
    """The port of the hub's API, which must be on the host's loopback (what pasta can forward)."""
    url = urlsplit(api_url)
    if url.hostname not in _LOOPBACK_HOSTS:
        raise ValueError(
            f"the hub's API is at {api_url}; a datalab's private network reaches it only on 127.0.0.1 "
            "(set c.JupyterHub.hub_connect_ip = '127.0.0.1' or leave it unset with c.JupyterHub.hub_ip = '127.0.0.1')"
        )
    return url.port or (443 if url.scheme == "https" else 80)


def pasta_argv(net: PrivateNetwork, pasta: str = "pasta") -> list[str]:
    """The command that joins ``net``'s namespace and forwards its two ports (pasta daemonises and exits 0).

    pasta must stay root (``--runas 0``) to open a namespace under /run/netns; it drops its
    capabilities and confines itself (seccomp, no file system) once it has. It quits by itself
    when the namespace is deleted and its last process has gone.
    """
    argv = [pasta, "--quiet", "--runas", "0", "--pid", str(net.pid_file)]
    # TCP: exactly the server's port in, exactly the hub API's port out, both on loopback; no UDP ports
    argv += ["--tcp-ports", f"127.0.0.1/{net.server_port}", "--tcp-ns", str(net.hub_api_port)]
    argv += ["--udp-ports", "none", "--udp-ns", "none"]
    if net.mode == "outbound":
        # an address, routes and DNS like the host's; the gateway is the real one, not the host's loopback
        argv += ["--config-net", "--no-map-gw"]
    else:
        # the interface stays down and without an address; nothing to hand out on it either
        argv += ["--no-dhcp", "--no-dhcpv6", "--no-ndp", "--no-ra", "--no-icmp"]
    argv += ["--netns", str(net.path)]
    return argv
