"""The hub's proxy: configurable-http-proxy that refuses to start on a port another program holds.

JupyterHub's own ``ConfigurableHTTPProxy`` starts the proxy and waits until something answers on
its ports; when another program already listens there, the proxy only logs EADDRINUSE, the hub
says it is running, and requests go to that other program. ``DatalabsProxy`` checks the ports
first (after stopping its own proxy from before a hub restart, found by the pid file, as
JupyterHub does) and checks afterwards that the proxy itself listens on them. When a port is
taken the hub stops with a message that names the port, the program holding it and what to do.

    c.JupyterHub.proxy_class = "datalabs_hub.hub.proxy.DatalabsProxy"
"""

from __future__ import annotations

import errno
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlparse

import psutil
from jupyterhub.proxy import ConfigurableHTTPProxy


@dataclass(frozen=True)
class Port:
    """One TCP port the hub needs, and how an operator chooses another."""

    role: str
    ip: str
    port: int
    #: the JupyterHub option that sets it
    option: str
    #: the environment variable config/jupyterhub_config.py reads it from
    variable: str
    #: the proxy listens on it (else the hub itself)
    proxy: bool = True


@dataclass(frozen=True)
class Holder:
    """The process listening on a port (as far as this machine lets us see)."""

    pid: int | None
    name: str = ""
    cmdline: str = ""

    def describe(self) -> str:
        if self.pid is None:
            return "another program (its process is not visible from here)"
        command = f": {self.cmdline}" if self.cmdline else ""
        return f"{self.name or 'a process'} (pid {self.pid}{command})"


def is_free(ip: str, port: int) -> bool:
    """Whether a listening socket can be bound to ``ip:port`` now (as the proxy and the hub bind it)."""
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # like node and tornado: TIME_WAIT is no obstacle
        try:
            s.bind((ip, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def holder(ip: str, port: int) -> Holder:
    """The process listening on ``port`` at ``ip`` or on every address (any address if ``ip`` is every address)."""
    wildcards = {"", "0.0.0.0", "::"}
    addresses = {ip, f"::ffff:{ip}", *wildcards}

    def conflicts(address: str) -> bool:
        return ip in wildcards or address in addresses

    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conflicts(conn.laddr.ip):
            if conn.pid is None:
                return Holder(None)
            try:
                proc = psutil.Process(conn.pid)
                return Holder(conn.pid, proc.name(), " ".join(proc.cmdline())[:200])
            except psutil.Error:
                return Holder(conn.pid)
    return Holder(None)


def busy_port_message(busy: list[tuple[Port, Holder]]) -> str:
    """What the operator reads when ports are taken: which, by what, and what to do."""
    lines = []
    for port, who in busy:
        lines.append(f"The hub cannot start: port {port.port} on {port.ip} ({port.role}) is in use by {who.describe()}.")
    lines.append("Stop that program, or start the hub on another port:")
    for port, _ in busy:
        other = port.port + 100 if port.port < 65436 else port.port - 100
        lines.append(f"  set {port.option}, or with the shipped config the environment variable {port.variable}"
                     f" (e.g. {port.variable}={other} bash bootstrap.sh run)")
    return "\n".join(lines)


def _tcp(url: str) -> tuple[str, int] | None:
    """``(ip, port)`` of an http(s) URL; None for a unix socket."""
    parsed = urlparse(url)
    if parsed.scheme.endswith("+unix") or parsed.port is None:
        return None
    return parsed.hostname or "0.0.0.0", parsed.port


class DatalabsProxy(ConfigurableHTTPProxy):
    """configurable-http-proxy, started only when its ports (and the hub's) are free, and checked to listen on them.

    A hub restart still takes over its own proxy: JupyterHub stops the proxy named in
    ``pid_file`` first, so only a foreign program on a port is an error.
    """

    def ports(self) -> list[Port]:
        """The ports the proxy listens on, then the hub's own (bound right after the proxy starts)."""
        wanted = [
            ("the hub's public port", self.public_url, "c.JupyterHub.port", "DATALABS_PORT", True),
            ("the proxy's API port", self.api_url, "c.ConfigurableHTTPProxy.api_url", "DATALABS_PROXY_API_PORT", True),
            ("the hub's internal port", self.hub.bind_url if self.hub else "", "c.JupyterHub.hub_port",
             "DATALABS_HUB_PORT", False),
        ]
        return [Port(role, *addr, option, variable, proxy)
                for role, url, option, variable, proxy in wanted if (addr := _tcp(url))]

    def _proxy_pids(self) -> set[int]:
        """The proxy's process and its children (a wrapper script may start the one that listens)."""
        pid = self.proxy_process.pid
        try:
            return {pid, *(child.pid for child in psutil.Process(pid).children(recursive=True))}
        except psutil.Error:
            return {pid}

    def refuse(self, busy: list[tuple[Port, Holder]]) -> None:
        """Stop the hub with the message (JupyterHub would add a traceback to an exception)."""
        self.log.critical("%s", busy_port_message(busy))
        raise SystemExit(1)

    async def start(self) -> None:
        self._check_previous_process()  # our own proxy from before a hub restart: stopped, its ports free again
        taken = [(port, holder(port.ip, port.port)) for port in self.ports() if not is_free(port.ip, port.port)]
        # the hub's own port is the hub's when the hub restarts a proxy that stopped (check_running)
        busy = [(port, who) for port, who in taken if who.pid != os.getpid()]
        if busy:
            self.refuse(busy)
        await super().start()
        # something answers on the proxy's ports; make sure it is the proxy (and not a program that was faster)
        ours = self._proxy_pids()
        strangers = []
        for port in (p for p in self.ports() if p.proxy):
            who = holder(port.ip, port.port)
            if who.pid not in ours:
                strangers.append((port, who))
        if strangers:
            self.stop()
            self.refuse(strangers)
