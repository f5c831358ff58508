"""A process's sockets as seen in its own network namespace (each datalab has a private one).

psutil's ``Process.net_connections`` matches the process's socket inodes against the *caller's*
``/proc/net`` tables, so it finds nothing for a process in another network namespace. These helpers
read ``/proc/<pid>/net/*`` (the tables of the process's own namespace) instead and return the same
shape: objects with ``laddr`` (an ``(ip, port)`` pair, or a path for unix sockets) and ``status``.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import struct
from typing import NamedTuple

import psutil

#: /proc/net/tcp's state column for a listening socket
TCP_LISTEN = "0A"


class Address(NamedTuple):
    ip: str
    port: int


class Connection(NamedTuple):
    laddr: Address | str
    status: str


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    fd_dir = f"/proc/{pid}/fd"
    try:
        fds = os.listdir(fd_dir)
    except OSError:  # the process has ended
        return inodes
    for fd in fds:
        try:
            target = os.readlink(f"{fd_dir}/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _ip(hex_ip: str) -> str:
    raw = bytes.fromhex(hex_ip)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, struct.pack("<I", struct.unpack(">I", raw)[0]))
    words = struct.unpack(">4I", raw)
    address = ipaddress.IPv6Address(b"".join(struct.pack("<I", w) for w in words))
    return str(address.ipv4_mapped or address)


def _inet(pid: int, inodes: set[str]) -> list[Connection]:
    found = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        try:
            lines = open(f"/proc/{pid}/net/{table}").read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[9] not in inodes:
                continue
            hex_ip, hex_port = fields[1].split(":")
            status = psutil.CONN_LISTEN if table.startswith("tcp") and fields[3] == TCP_LISTEN else psutil.CONN_NONE
            found.append(Connection(Address(_ip(hex_ip), int(hex_port, 16)), status))
    return found


def _unix(pid: int, inodes: set[str]) -> list[Connection]:
    found = []
    try:
        lines = open(f"/proc/{pid}/net/unix").read().splitlines()[1:]
    except OSError:
        return found
    for line in lines:
        fields = line.split(maxsplit=7)
        if len(fields) >= 7 and fields[6] in inodes:
            found.append(Connection(fields[7] if len(fields) == 8 else "", psutil.CONN_NONE))
    return found


def net_connections(proc: psutil.Process, kind: str = "inet") -> list[Connection]:
    """``proc``'s sockets of ``kind`` ("inet" or "unix") in its own network namespace."""
    inodes = _socket_inodes(proc.pid)
    if kind == "inet":
        return _inet(proc.pid, inodes)
    if kind == "unix":
        return _unix(proc.pid, inodes)
    raise ValueError(f"kind must be 'inet' or 'unix', not {kind!r}")
