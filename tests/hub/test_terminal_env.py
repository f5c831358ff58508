"""A datalab's terminals, kernels and desktop programs share one deliberate PATH (issue 11, point 1).

A real hub with the shipped catalogue is started with a PATH that carries folders of the hub
process (as root's shell would give it); none of them may reach a datalab. The terminal is used
as a user would, through Jupyter's terminal REST API and its websocket (a login shell, whose
/etc/profile resets PATH).
"""

from __future__ import annotations

import itertools
import json
import re
import sys
import time
from pathlib import Path, PurePosixPath

import psutil
import pytest
import requests
import websocket

from datalabs_hub.hub.local import PROFILE_SNIPPET, PROFILE_SNIPPET_NAME, datalab_path, profile_scripts
from datalabs_hub.sandbox import HostLayout, SandboxSpec, build_bwrap_argv
from datalabs_hub.testing.hub import ARTIFACTS, CHECKOUT, DEMO_VOLUMES, RealHub, running_hub
from datalabs_hub.testing.kernel import run_code

#: folders only the hub process has on its PATH (root's own, and one that exists nowhere)
HUB_ONLY_PATH = ["/root/.local/bin", "/opt/hub-process-only/bin"]
#: the one PATH every program of a datalab gets
DATALAB_PATH = f"{Path(sys.prefix) / 'bin'}:/usr/local/bin:/usr/bin:/bin"
EXAMPLES = CHECKOUT / "datalabs_hub" / "pipelines" / "examples"
#: what a terminal sends besides text: colours, the window title, bracketed-paste switches, carriage returns
CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")


class Terminal:
    """A Jupyter terminal of a datalab, driven through its websocket as JupyterLab does."""

    _markers = itertools.count(1001)

    def __init__(self, server_url: str, token: str) -> None:
        self.server_url, self.headers = server_url, {"Authorization": f"token {token}"}
        r = requests.post(f"{server_url}api/terminals", headers=self.headers, timeout=30)
        assert r.status_code == 200, r.text
        self.name = r.json()["name"]
        ws_url = server_url.replace("http://", "ws://") + f"terminals/websocket/{self.name}"
        self.ws = websocket.create_connection(ws_url, header=[f"Authorization: token {token}"], timeout=120)
        self.ws.send(json.dumps(["set_size", 50, 250, 800, 1200]))
        self.transcript: list[str] = []

    def run(self, command: str, timeout: float = 60) -> str:
        """Type ``command``; return what the terminal printed until it finished (the typed line included).

        The end is a number the shell computes, so the typed line itself never matches it.
        """
        n = next(self._markers)
        self.ws.send(json.dumps(["stdin", f"{command}; echo \"@end$((0+{n}))@\"\r"]))
        out = ""
        deadline = time.monotonic() + timeout
        while f"@end{n}@" not in out:
            assert time.monotonic() < deadline, f"{command!r} did not finish in {timeout} s:\n{out[-3000:]}"
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            message = json.loads(self.ws.recv())
            if message[0] == "stdout":
                out += message[1]
            elif message[0] == "disconnect":
                raise AssertionError(f"the terminal closed:\n{out}")
        self.transcript.append(out)
        return CONTROL.sub("", out)

    def close(self) -> None:
        self.ws.close()
        requests.delete(f"{self.server_url}api/terminals/{self.name}", headers=self.headers, timeout=30)


def printed(out: str, key: str) -> str:
    """The value the shell printed as ``<key>=<value>`` (a line that is not the typed command)."""
    found = re.findall(rf"^{key}=<([^>\n]*)>$", out, re.MULTILINE)
    assert found, f"no {key} in:\n{out}"
    return found[-1]


@pytest.fixture(scope="module")
def polluted_hub(tmp_path_factory, accounts):
    """The shipped catalogue, on a hub whose own PATH has folders no datalab should see."""
    assert (DEMO_VOLUMES / "heliophysics").is_dir(), "run `bash bootstrap.sh test` to build the demo volumes"
    work = tmp_path_factory.mktemp("terminal-env")
    hub_path = ":".join([*HUB_ONLY_PATH, "/usr/local/bin", "/usr/bin", "/bin"])
    with running_hub(work, CHECKOUT / "spawner_profiles", [DEMO_VOLUMES], [a.name for a in accounts.values()],
                     log_name="terminal-env-hub.log", env={"PATH": hub_path}) as hub:
        yield hub


def launch(hub: RealHub, user: str, server: str, body: dict) -> None:
    r = hub.api("POST", f"/users/{user}/servers/{server}", json=body)
    assert r.status_code in (201, 202), r.text
    hub.wait_ready(user, server, timeout=90)


def test_terminal_has_the_kernels_path_and_runs_the_example_pipeline(polluted_hub, accounts):
    hub, alice = polluted_hub, accounts["alice"].name
    launch(hub, alice, "env", {"datalab": "jupyterlab-astro", "volumes": ["spice-kernels", "heliophysics"]})
    server_url = f"{hub.url}/user/{alice}/env/"
    token = hub.user_token(alice)
    terminal = None
    try:
        kernel = run_code(server_url, token, "import os, shutil; print(os.environ['PATH']); print(shutil.which('cwltool'))")
        assert kernel["error"] is None, kernel
        kernel_path, kernel_cwltool = kernel["stdout"].split()
        assert kernel_path == DATALAB_PATH
        assert kernel_cwltool == f"{sys.prefix}/bin/cwltool"

        terminal = Terminal(server_url, token)
        out = terminal.run("echo \"login=<$(shopt -q login_shell && echo yes)>\"; printf 'PATH=<%s>\\n' \"$PATH\"")
        assert printed(out, "login") == "yes", "Jupyter's terminal is a login shell (the case /etc/profile breaks)"
        assert printed(out, "PATH") == kernel_path
        # login shells started inside it, bash and Debian's sh, keep it too
        for shell in ("bash", "sh"):
            out = terminal.run(f"{shell} -l -c 'printf \"PATH=<%s>\\n\" \"$PATH\"'")
            assert printed(out, "PATH") == kernel_path, shell
        for entry in HUB_ONLY_PATH:
            assert entry not in kernel_path.split(":")

        out = terminal.run("printf 'found=<%s>\\n' \"$(which cwltool python3 | tr '\\n' ' ')\"")
        assert printed(out, "found").split() == [f"{sys.prefix}/bin/cwltool", f"{sys.prefix}/bin/python3"]
        out = terminal.run("python3 -c 'import astropy, spiceypy; print(\"astropy=<\" + astropy.__version__ + \">\")'")
        assert printed(out, "astropy")

        # the README's way to run a pipeline, in a fresh folder of the user's home; each step's python3 has astropy
        run = (f"cd \"$(mktemp -d -p ~)\" && cwltool --no-container {EXAMPLES / 'eit-images.cwl'} "
               f"{EXAMPLES / 'eit-images.job.yml'} > result.json 2> log.txt; "
               "printf 'status=<%s>\\n' \"$(tail -n 1 log.txt)\"; printf 'folder=<%s>\\n' \"$PWD\"")
        out = terminal.run(run, timeout=300)
        assert printed(out, "status").endswith("Final process status is success"), out
        # what it made (the home folder is the host's): one PNG preview and one observation time per EIT image
        result = json.loads((Path(printed(out, "folder")) / "result.json").read_text())
        assert [Path(f["path"]).read_bytes()[:4] for f in result["previews"]] == [b"\x89PNG"] * 2
        assert [t[:10] for t in result["observation_times"]] == ["2004-03-01"] * 2
    finally:
        if terminal is not None:
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / "terminal-env-transcript.txt").write_text("".join(terminal.transcript))
            terminal.close()
        hub.api("DELETE", f"/users/{alice}/servers/env")
        hub.wait_stopped(alice, "env")


def test_desktop_program_has_the_same_path(polluted_hub, accounts):
    hub, bob = polluted_hub, accounts["bob"].name
    launch(hub, bob, "viewer", {"datalab": "ds9", "volumes": ["astronomy"]})
    try:
        # Debian's ds9 is a script that runs `wish .../ds9.tcl`
        ds9 = [p for p in psutil.process_iter(["username", "cmdline"]) if p.info["username"] == bob
               and any(part.endswith("/ds9.tcl") for part in p.info["cmdline"] or [])]
        assert ds9, "the desktop datalab is ready only once its program shows its window"
        assert ds9[0].environ()["PATH"] == DATALAB_PATH
    finally:
        hub.api("DELETE", f"/users/{bob}/servers/viewer")
        hub.wait_stopped(bob, "viewer")


def test_the_sandbox_profile_folder_keeps_the_hosts_snippets_and_ends_with_ours(tmp_path):
    (tmp_path / "bash_completion.sh").write_text("# the host's\n")
    scripts = profile_scripts(tmp_path)
    assert scripts == ((PurePosixPath(tmp_path / "bash_completion.sh"), "bash_completion.sh"),
                       (PurePosixPath(PROFILE_SNIPPET), PROFILE_SNIPPET_NAME))
    spec = SandboxSpec(user="u", uid=1000, gid=1000, home=PurePosixPath("/home/u"), command=("true",),
                       profile_scripts=scripts)
    argv = build_bwrap_argv(spec, HostLayout(system_dirs=("/usr", "/etc")))
    start = argv.index("/etc/profile.d")  # a fresh folder over the host's, after /etc, holding exactly these
    assert argv[start - 1] == "--tmpfs" and argv.index("/etc") < start
    assert argv[start + 1:start + 8] == [
        "--ro-bind", str(tmp_path / "bash_completion.sh"), "/etc/profile.d/bash_completion.sh",
        "--ro-bind", str(PROFILE_SNIPPET), "/etc/profile.d/zz-datalabs.sh", "--remount-ro"]
    assert datalab_path("/opt/env/bin") == "/opt/env/bin:/usr/local/bin:/usr/bin:/bin"
