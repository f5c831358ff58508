"""Each local datalab has its own network: what one user listens on, no other user and not the host reaches.

Real hubs, real sandboxes, real pasta; the listeners are started from a notebook kernel, as a user would.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import psutil
import pytest
import requests

from datalabs_hub.sandbox import HostLayout, SandboxSpec, build_bwrap_argv
from datalabs_hub.sandbox.network import (
    NETNS_DIR,
    PrivateNetwork,
    hub_api_port,
    namespace_name,
    pasta_argv,
    pid_file,
)
from datalabs_hub.testing.hub import RealHub, cleanup_tree, free_port, running_hub
from datalabs_hub.testing.kernel import run_code

# --- the pure builders ------------------------------------------------------------------------------


def test_namespace_names_are_readable_and_unique():
    assert namespace_name("alice", "lab1").startswith("datalab-alice-lab1-")
    assert namespace_name("alice").startswith("datalab-alice-")
    # names that read the same once joined or cleaned stay apart
    assert namespace_name("a-b", "c") != namespace_name("a", "b-c")
    assert namespace_name("alice", "my lab") != namespace_name("alice", "my_lab")
    hostile = namespace_name("alice", "../../etc/x" + "y" * 300)
    assert "/" not in hostile and ".." not in hostile.split("-") and len(hostile) < 120
    assert pid_file("datalab-x") == PurePosixPath("/run/datalabs/network/datalab-x.pid")


def test_pasta_forwards_exactly_the_server_and_the_hub_api():
    isolated = pasta_argv(PrivateNetwork("datalab-a-1", 40001, 8081, "isolated"), "/usr/bin/pasta")
    assert isolated[:5] == ["/usr/bin/pasta", "--quiet", "--runas", "0", "--pid"]
    assert isolated[isolated.index("--tcp-ports") + 1] == "127.0.0.1/40001"  # host loopback only, into the namespace
    assert isolated[isolated.index("--tcp-ns") + 1] == "8081"
    assert isolated[isolated.index("--udp-ports") + 1] == "none" and isolated[isolated.index("--udp-ns") + 1] == "none"
    assert "--config-net" not in isolated and isolated[-2:] == ["--netns", "/run/netns/datalab-a-1"]
    outbound = pasta_argv(PrivateNetwork("datalab-a-1", 40001, 8081, "outbound"))
    assert "--config-net" in outbound and "--no-map-gw" in outbound  # the gateway is not a door to the host's loopback
    with pytest.raises(ValueError, match="isolated, outbound"):
        PrivateNetwork("datalab-a-1", 40001, 8081, "host")


def test_hub_api_must_be_on_loopback():
    assert hub_api_port("http://127.0.0.1:8081/hub/api") == 8081
    assert hub_api_port("http://localhost:9/hub/api") == 9
    with pytest.raises(ValueError, match="hub_connect_ip"):
        hub_api_port("http://10.0.0.5:8081/hub/api")


def test_sandbox_enters_its_namespace_before_bubblewrap():
    spec = SandboxSpec(user="u", uid=1000, gid=1000, home=PurePosixPath("/home/u"), command=("true",),
                       netns=NETNS_DIR / "datalab-u-1")
    argv = build_bwrap_argv(spec, HostLayout(system_dirs=("/usr",)), bwrap="/bin/bwrap", nsenter="/bin/nsenter")
    assert argv[:4] == ["/bin/nsenter", "--net=/run/netns/datalab-u-1", "--", "/bin/bwrap"]
    assert "--unshare-net" not in argv  # bubblewrap keeps the namespace it starts in
    plain = build_bwrap_argv(SandboxSpec(user="u", uid=1000, gid=1000, home=PurePosixPath("/home/u"), command=("true",)),
                             HostLayout(system_dirs=("/usr",)), bwrap="/bin/bwrap")
    assert plain[0] == "/bin/bwrap"


# --- real datalabs ----------------------------------------------------------------------------------

#: what a kernel prints about a URL: "open <status>" or "closed <why>"
PROBE = textwrap.dedent(
    """
    import urllib.request
    def probe(url):
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return f"open {r.status} " + r.read(4000).decode(errors="replace").replace(chr(10), " ")
        except Exception as e:
            return f"closed {type(e).__name__} {getattr(e, 'reason', e)}"
    """
)


def start(hub: RealHub, user: str, server: str) -> str:
    """Spawn ``server`` of ``user`` and return the base URL a user's token opens it at."""
    r = hub.api("POST", f"/users/{user}/servers/{server}", json={"datalab": "lab-test"})
    assert r.status_code in (201, 202), r.text
    hub.wait_ready(user, server)
    return f"{hub.url}/user/{user}/{server}/"


def stop(hub: RealHub, user: str, server: str) -> None:
    hub.api("DELETE", f"/users/{user}/servers/{server}")
    hub.wait_stopped(user, server)


def run(hub: RealHub, user: str, server: str, code: str) -> str:
    """Run ``code`` in a new kernel of the datalab (through the hub's proxy, with the user's token); its output."""
    result = run_code(f"{hub.url}/user/{user}/{server}/", hub.user_token(user), PROBE + textwrap.dedent(code))
    assert result["error"] is None, result
    return result["stdout"]


def line(out: str, key: str) -> str:
    """The value a kernel printed as ``key <value>``."""
    return next(text for text in out.splitlines() if text.startswith(key + " "))[len(key) + 1:]


def start_listener(hub: RealHub, user: str, server: str, port: int, marker: str) -> str:
    """``python -m http.server`` on 127.0.0.1:port in the datalab (serving a folder with ``marker`` in it); the kernel's output."""
    return run(hub, user, server, f"""
        import os, subprocess, sys, time
        folder = os.path.expanduser("~/served")
        os.makedirs(folder, exist_ok=True)
        open(os.path.join(folder, "{marker}"), "w").close()
        subprocess.Popen([sys.executable, "-m", "http.server", "{port}", "--bind", "127.0.0.1", "--directory", folder],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        seen = probe("http://127.0.0.1:{port}/")
        while not seen.startswith("open") and time.monotonic() < deadline:
            time.sleep(0.05)
            seen = probe("http://127.0.0.1:{port}/")
        print("inside", seen)
        print("service_url", os.environ["JUPYTERHUB_SERVICE_URL"])
        print("hub_api", probe(os.environ["JUPYTERHUB_API_URL"] + "/"))
    """)


def host_probe(url: str) -> str:
    try:
        return f"open {requests.get(url, timeout=5).text}"
    except requests.ConnectionError as e:
        return f"closed {e}"


def test_a_listener_in_one_datalab_reaches_no_other_datalab_and_not_the_host(hub, accounts):
    alice, bob = accounts["alice"].name, accounts["bob"].name
    start(hub, alice, "net")
    start(hub, bob, "net")
    try:
        port, marker = free_port(), f"marker-{secrets.token_hex(4)}"
        out = start_listener(hub, alice, "net", port, marker)
        # processes of one datalab reach each other on loopback (the kernel ran, over ZMQ; the listener answers)
        assert line(out, "inside").startswith("open 200") and marker in line(out, "inside"), out
        # the server reaches the hub's API on the host (its spawn also needed it)
        assert line(out, "hub_api").startswith("open 200"), out
        alice_server = line(out, "service_url")  # http://127.0.0.1:PORT/user/alice/net/ on the host, for the proxy

        # the host does not reach alice's listener
        assert host_probe(f"http://127.0.0.1:{port}/").startswith("closed")

        seen_by_bob = run(hub, bob, "net", f"""
            import os
            print("listener", probe("http://127.0.0.1:{port}/"))
            print("alice_server", probe("{alice_server}api/status"))
            print("hub_api", probe(os.environ["JUPYTERHUB_API_URL"] + "/"))
            print("hub_public", probe("http://127.0.0.1:{hub.port}/hub/api/"))
            print("proxy_api", probe("http://127.0.0.1:{hub.proxy_api_port}/api/routes"))
        """)
        # bob reaches neither alice's listener nor her Jupyter server, nor the host's loopback except the hub API
        for key in ("listener", "alice_server", "hub_public", "proxy_api"):
            assert line(seen_by_bob, key).startswith("closed"), seen_by_bob
        assert marker not in seen_by_bob
        assert line(seen_by_bob, "hub_api").startswith("open 200"), seen_by_bob
    finally:
        stop(hub, alice, "net")
        stop(hub, bob, "net")


def test_stop_removes_the_namespace_and_its_forwarder(hub, accounts):
    bob = accounts["bob"].name
    start(hub, bob, "gone")
    name = namespace_name(bob, "gone")
    assert Path(NETNS_DIR / name).exists()
    pasta = psutil.Process(int(Path(pid_file(name)).read_text()))
    assert str(NETNS_DIR / name) in pasta.cmdline()
    stop(hub, bob, "gone")
    assert not Path(NETNS_DIR / name).exists()
    # stop returns once pasta has ended (a daemon: init reaps it, maybe a moment later)
    assert not pasta.is_running() or pasta.status() == psutil.STATUS_ZOMBIE
    assert not Path(pid_file(name)).exists()
    assert not [p for p in psutil.process_iter(["cmdline", "status"])
                if str(NETNS_DIR / name) in " ".join(p.info["cmdline"] or []) and p.info["status"] != psutil.STATUS_ZOMBIE]


def test_a_datalab_that_ends_by_itself_leaves_no_network_behind(hub, accounts):
    """JupyterHub skips the spawner's stop for a server that died; its network goes all the same."""
    bob = accounts["bob"].name
    start(hub, bob, "crash")
    name = namespace_name(bob, "crash")
    pasta = psutil.Process(int(Path(pid_file(name)).read_text()))
    for proc in psutil.process_iter(["username"]):
        if proc.info["username"] == bob:
            proc.kill()
    hub.wait_stopped(bob, "crash", timeout=30)
    deadline = time.monotonic() + 10  # the hub cleans up right after it shows the server stopped
    while Path(NETNS_DIR / name).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(NETNS_DIR / name).exists()
    assert not pasta.is_running() or pasta.status() == psutil.STATUS_ZOMBIE


# --- the operator's setting: isolated vs outbound ---------------------------------------------------


@dataclass
class OutsideServer:
    """A web server on another "machine": a test-only namespace behind a veth pair, at a non-loopback address."""

    address: str
    host_address: str
    port: int
    marker: str


@pytest.fixture(scope="module")
def outside() -> Iterator[OutsideServer]:
    tag = secrets.token_hex(2)
    ns, host_if, ns_if = f"dltest-out-{tag}", f"dlt{tag}h", f"dlt{tag}n"
    net = f"198.18.{int(tag, 16) % 250}"
    server = OutsideServer(address=f"{net}.2", host_address=f"{net}.1", port=free_port(), marker=f"outside-{tag}")
    folder = Path(f"/tmp/{ns}")
    folder.mkdir()
    (folder / server.marker).write_text("x")
    ip = ["ip"]
    proc = None
    try:
        for argv in (["netns", "add", ns], ["link", "add", host_if, "type", "veth", "peer", "name", ns_if, "netns", ns],
                     ["addr", "add", f"{server.host_address}/30", "dev", host_if], ["link", "set", host_if, "up"],
                     ["-n", ns, "addr", "add", f"{server.address}/30", "dev", ns_if], ["-n", ns, "link", "set", ns_if, "up"],
                     ["-n", ns, "link", "set", "lo", "up"]):
            subprocess.run(ip + argv, check=True, capture_output=True)
        proc = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-m", "http.server", str(server.port), "--bind",
                                 server.address, "--directory", str(folder)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not host_probe(f"http://{server.address}:{server.port}/").startswith("open"):
            assert time.monotonic() < deadline and proc.poll() is None, "the outside server did not start"
            time.sleep(0.05)
        yield server
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()
        subprocess.run(["ip", "link", "delete", host_if], capture_output=True)
        subprocess.run(["ip", "netns", "delete", ns], capture_output=True)
        cleanup_tree(folder)


@pytest.fixture(scope="module")
def isolated_hub(tmp_path_factory, volume_root, accounts, test_catalog_yaml):
    """A hub whose operator set ``c.DatalabsLocalSpawner.network = "isolated"``."""
    work = tmp_path_factory.mktemp("isolated")
    (work / "catalog").mkdir()
    (work / "catalog" / "catalog.yaml").write_text(test_catalog_yaml)
    with running_hub(work, work / "catalog", [volume_root], [a.name for a in accounts.values()],
                     extra_config="c.DatalabsLocalSpawner.network = 'isolated'\n") as real:
        yield real


OUTBOUND_PROBES = """
    import os
    print("outside", probe("http://{o.address}:{o.port}/"))
    print("hub_api", probe(os.environ["JUPYTERHUB_API_URL"] + "/"))
    print("hub_public", probe("http://127.0.0.1:{hub.port}/hub/api/"))
    print("host_side_of_veth", probe("http://{o.host_address}:{hub.port}/hub/api/"))
"""


def test_outbound_reaches_other_machines_but_not_the_hosts_loopback(hub, accounts, outside):
    """The default: a datalab opens connections to other machines (here one behind a veth pair)."""
    alice = accounts["alice"].name
    start(hub, alice, "out")
    try:
        out = run(hub, alice, "out", OUTBOUND_PROBES.format(o=outside, hub=hub))
        assert line(out, "outside").startswith("open 200") and outside.marker in line(out, "outside"), out
        assert line(out, "hub_api").startswith("open 200"), out
        # the proxy listens on the host's loopback only: neither 127.0.0.1 nor another host address reaches it
        assert line(out, "hub_public").startswith("closed"), out
        assert line(out, "host_side_of_veth").startswith("closed"), out
    finally:
        stop(hub, alice, "out")


def test_isolated_reaches_nothing_but_the_hub(isolated_hub, accounts, outside):
    hub = isolated_hub
    alice = accounts["alice"].name
    start(hub, alice, "iso")
    try:
        out = run(hub, alice, "iso", OUTBOUND_PROBES.format(o=outside, hub=hub) + """
    import socket
    try:
        socket.create_connection(("{o.address}", {o.port}), timeout=5)
        print("connect open")
    except OSError as e:
        print("connect closed", e.strerror)
""".format(o=outside))
        assert line(out, "outside").startswith("closed"), out
        assert line(out, "connect") == "closed Network is unreachable", out
        assert line(out, "hub_api").startswith("open 200"), out
        assert line(out, "hub_public").startswith("closed"), out
        assert line(out, "host_side_of_veth").startswith("closed"), out
    finally:
        stop(hub, alice, "iso")
    # the same machine's outside server answers the host: the difference is the datalab's setting
    assert host_probe(f"http://{outside.address}:{outside.port}/").startswith("open")
    assert os.path.exists("/run/netns") and not Path(NETNS_DIR / namespace_name(alice, "iso")).exists()
