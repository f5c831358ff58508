"""Make and remove a datalab's private network: ``ip netns`` and pasta (the I/O half of :mod:`.network`)."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import psutil
from jupyterhub.utils import exponential_backoff

from ..errors import OperatorError
from .host import find_tool
from .network import PrivateNetwork, namespace_path, pasta_argv, pid_file


async def _run(argv: list[str]) -> str:
    """Run a short command; its stderr as an OperatorError if it fails."""
    proc = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, err = await proc.communicate()
    # pasta also reports each message it could not send to the system log; those lines say nothing
    text = "\n".join(line for line in err.decode(errors="replace").splitlines() if "to syslog" not in line)
    if proc.returncode != 0:
        hint = ""
        if "tun" in text and not os.path.exists("/dev/net/tun"):
            hint = " (/dev/net/tun is missing: `mkdir -p /dev/net && mknod -m 0666 /dev/net/tun c 10 200`, as bootstrap.sh does)"
        raise OperatorError(f"{' '.join(argv)} failed with exit status {proc.returncode}: {text.strip() or 'no message'}{hint}")
    return text


def _ended(proc: psutil.Process) -> bool:
    """Whether ``proc`` has exited (a zombie has: pasta is a daemon, reaped by init whenever init gets to it)."""
    try:
        return proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _forwarder(name: str) -> psutil.Process | None:
    """The pasta process serving namespace ``name``, from its pid file (checked: a reused pid is not ours)."""
    try:
        proc = psutil.Process(int(Path(pid_file(name)).read_text().strip()))
        if str(namespace_path(name)) in proc.cmdline():
            return proc
    except (OSError, ValueError, psutil.Error):
        pass
    return None


async def open_network(net: PrivateNetwork) -> None:
    """Make ``net``'s namespace (loopback up) and start pasta in it; an OperatorError says why if that fails.

    What a datalab of the same name left behind (a crash, a machine that lost the hub's
    state) is removed first: the namespace is made fresh for every start.
    """
    ip, pasta = find_tool("ip"), find_tool("pasta")
    await close_network(net.name)
    os.makedirs(net.pid_file.parent, mode=0o700, exist_ok=True)
    await _run([ip, "netns", "add", net.name])
    try:
        await _run([ip, "-n", net.name, "link", "set", "lo", "up"])
        await _run(pasta_argv(net, pasta))
    except BaseException:
        await close_network(net.name)
        raise


async def close_network(name: str) -> None:
    """Remove the namespace ``name`` and end its pasta; nothing to do if they are gone already.

    Its processes keep the namespace alive until they end; nothing outside reaches it meanwhile.
    """
    proc = _forwarder(name)  # first: once the namespace goes, pasta starts exiting and its cmdline reads empty
    if os.path.exists(namespace_path(name)):
        await _run([find_tool("ip"), "netns", "delete", name])
    if proc is not None:
        # pasta would quit by itself once the namespace's last process has gone (within ~2 s); no need to wait
        try:
            proc.send_signal(signal.SIGTERM)
            await exponential_backoff(lambda: _ended(proc), "", start_wait=0.01, max_wait=0.2, timeout=5)
        except TimeoutError:
            proc.kill()
            try:  # a process in uninterruptible sleep (e.g. tearing down its namespace) dies when it wakes
                await exponential_backoff(lambda: _ended(proc), "", start_wait=0.05, max_wait=0.5, timeout=10)
            except TimeoutError:
                pass
        except psutil.Error:
            pass
    try:
        os.unlink(pid_file(name))
    except FileNotFoundError:
        pass


async def answers(port: int, path: str = "/", timeout: float = 5) -> bool:
    """Whether the server behind the forward on the host's 127.0.0.1:``port`` answers ``GET path`` (any bytes of a reply).

    pasta accepts on the host before the server inside listens, then closes the connection when
    it cannot reach it: a connection alone does not tell, a reply does. (Reading the namespace's
    ``/proc/PID/net/tcp`` instead walks the kernel's whole TCP table: ~1.6 ms a read here, which
    starved ten concurrent spawns.)
    """
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    try:
        writer.write(f"GET {path} HTTP/1.0\r\n\r\n".encode())
        return bool(await asyncio.wait_for(reader.read(1), timeout))
    except (OSError, TimeoutError):
        return False
    finally:
        writer.close()
