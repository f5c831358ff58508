"""The embedded default back end: each datalab runs as the user's own account in a bubblewrap sandbox."""

from __future__ import annotations

import os
import pwd
import signal
import sys
from pathlib import Path, PurePosixPath
from typing import Callable

import psutil
from jupyterhub.spawner import LocalProcessSpawner
from jupyterhub.utils import exponential_backoff, maybe_future, random_port
from traitlets import Bool, Enum, List, Unicode, default

from ..errors import DatalabsError, MissingAccount, MissingVolume, OperatorError
from ..sandbox import SandboxSpec, build_bwrap_argv, detect_layout, find_tool
from ..sandbox.limits import CgroupSetup, prepare_cgroups, remove_cgroups
from ..sandbox.netns import answers, close_network, open_network
from ..sandbox.network import NETWORK_MODES, PrivateNetwork, hub_api_port, namespace_name, namespace_path
from .plan import LaunchPlan
from .spawner import DatalabsSpawner
from .state import DEFAULT_STATE_DIR


def _package_root() -> Path:
    """The folder our package is imported from (a checkout for an editable install)."""
    return Path(__file__).resolve().parents[2]


#: The system's standard folders of programs, after the datalab's software environment on its PATH
SYSTEM_PATH = ("/usr/local/bin", "/usr/bin", "/bin")
#: The login-shell snippet that gives terminals the datalab's PATH (it reads DATALABS_PATH)
PROFILE_SNIPPET = Path(__file__).resolve().parents[1] / "sandbox" / "datalab-profile.sh"
#: Its name in the sandbox's /etc/profile.d: last, after the host's own snippets
PROFILE_SNIPPET_NAME = "zz-datalabs.sh"
#: The hub-process variables JupyterHub's LocalProcessSpawner passes on that are about locale, not software
#: locations (PATH, PYTHONPATH, VIRTUAL_ENV, ... of the hub process are not the datalab's)
KEPT_HUB_ENV = ("JUPYTERHUB_SINGLEUSER_APP", "LANG", "LC_ALL")


def datalab_path(software_bin: str) -> str:
    """A datalab's PATH: its software environment first, then the system's standard folders."""
    return ":".join([software_bin, *(p for p in SYSTEM_PATH if p != software_bin)])


def profile_scripts(profile_dir: Path = Path("/etc/profile.d")) -> tuple[tuple[PurePosixPath, str], ...]:
    """The host's own login-shell snippets, then ours (which sets the datalab's PATH)."""
    host = sorted(p.name for p in profile_dir.glob("*") if p.is_file() and p.name != PROFILE_SNIPPET_NAME)
    return (*((PurePosixPath(profile_dir / name), name) for name in host),
            (PurePosixPath(PROFILE_SNIPPET), PROFILE_SNIPPET_NAME))


class DatalabsLocalSpawner(DatalabsSpawner, LocalProcessSpawner):
    """Start datalabs from the catalogue on this machine, one sandbox per datalab.

    The hub runs as root; each datalab runs as the system account of the same name as the
    hub user, in a bubblewrap sandbox where the chosen archive volumes are read-only bind mounts.
    """

    runtime_paths = List(
        Unicode(),
        help="""Host paths bound read-only at the same path in every datalab, for the software it runs.

        Default: the hub's Python environment (``sys.prefix``) and the folder the datalabs_hub
        package is imported from, so the default ``jupyterhub-singleuser`` command works.
        """,
    ).tag(config=True)

    @default("runtime_paths")
    def _runtime_paths_default(self) -> list[str]:
        paths = [sys.prefix, str(_package_root())]
        return [p for i, p in enumerate(paths) if not any(p.startswith(q + "/") or p == q for q in paths[:i])]

    enforce_limits = Bool(
        True,
        help="Apply the catalogue's memory and CPU limits with Linux cgroups where the machine allows it.",
    ).tag(config=True)

    hub_state_dir = Unicode(
        DEFAULT_STATE_DIR,
        help="""Folder of the hub's own files (database, cookie secret, proxy token), prepared by
        ``datalabs prepare-hub --state-dir DIR``.

        Datalabs see an empty folder in its place, so users cannot read the hub's secrets.
        """,
    ).tag(config=True)

    network = Enum(
        list(NETWORK_MODES),
        default_value="outbound",
        help="""What a datalab reaches beyond its own private network namespace.

        Every datalab has its own network namespace: nothing it listens on is reachable from other
        datalabs or the host except its Jupyter server (through the hub's proxy), and of the host's
        loopback it reaches only the hub's API. Processes inside still talk on 127.0.0.1.

        - ``outbound``: it also opens connections to other machines (package indexes, remote archives,
          Virtual Observatory services), through the host's address and routes.
        - ``isolated``: nothing else at all.
        """,
    ).tag(config=True)

    _cgroups: CgroupSetup | None = None

    #: the plan sets the command and the page the datalab opens on; the sandbox wraps the command at start
    planned_traits = ("cmd", "default_url")

    @default("env_keep")
    def _env_keep_default(self) -> list[str]:
        return list(KEPT_HUB_ENV)

    @default("cmd")
    def _cmd_default(self) -> list[str]:
        return [str(Path(sys.prefix) / "bin" / "jupyterhub-singleuser")]

    # --- building the command ----------------------------------------------------------------

    def _account(self) -> pwd.struct_passwd:
        try:
            return pwd.getpwnam(self.user.name)
        except KeyError:
            raise MissingAccount(
                f"There is no system account named {self.user.name!r} on this machine; "
                "create it (useradd -m) before this user can launch a datalab."
            ) from None

    def sandbox_spec(self, plan: LaunchPlan, command: list[str]) -> SandboxSpec:
        account = self._account()
        return SandboxSpec(
            user=account.pw_name,
            uid=account.pw_uid,
            gid=account.pw_gid,
            home=PurePosixPath(account.pw_dir),
            command=tuple(command),
            volumes=tuple((v.local_source, v.mount_path) for v in plan.volumes if v.local_source is not None),
            runtime_paths=tuple(PurePosixPath(p) for p in self.runtime_paths if p),
            hidden_paths=(PurePosixPath(self.hub_state_dir),) if os.path.isdir(self.hub_state_dir) else (),
            profile_scripts=profile_scripts(),
            netns=namespace_path(self._netns_name),
        )

    def sandbox_command(self, plan: LaunchPlan) -> list[str]:
        """The plan's command (else the configured ``cmd``) inside the sandbox: JupyterHub's start appends the args."""
        command = list(plan.environment.command or self.operator_values()["cmd"])
        spec = self.sandbox_spec(plan, command)
        return build_bwrap_argv(spec, detect_layout(), bwrap=find_tool("bwrap"), setpriv=find_tool("setpriv"),
                                nsenter=find_tool("nsenter"))

    def apply_plan(self, plan: LaunchPlan) -> None:
        self.default_url = plan.default_url or self.operator_values()["default_url"]

    def get_args(self) -> list[str]:
        args = super().get_args()
        # the file browser reaches /data; it opens in the user's home
        return [*args, "--ServerApp.root_dir=/", f"--FileContentsManager.preferred_dir={self._account().pw_dir}"]

    def get_env(self) -> dict[str, str]:
        """The datalab's environment, with one deliberate PATH for its kernels, terminals and desktop apps.

        PATH is the datalab's software environment (the hub's Python environment, which the sandbox
        binds) then the system's folders, whatever the hub process's PATH is; a ``PATH`` in
        ``c.Spawner.environment`` or the catalogue's ``environment.env`` replaces it. Login shells
        get the same value from DATALABS_PATH (``/etc/profile`` resets PATH).
        """
        env = super().get_env()
        env.setdefault("PATH", datalab_path(str(Path(sys.prefix) / "bin")))
        if self.plan is not None:
            env.update(self.plan.env)
        env["DATALABS_PATH"] = env["PATH"]
        return env

    def make_preexec_fn(self, name: str) -> Callable[[], None]:
        """Stay root (bubblewrap binds paths the user cannot read, then drops to the user) and join cgroups."""
        cgroups = self._cgroups

        def preexec() -> None:
            if cgroups is not None:
                cgroups.join()

        return preexec

    # --- lifecycle -------------------------------------------------------------------------

    @property
    def _cgroup_name(self) -> str:
        return f"{self.user.name}-{self.name or 'default'}"

    async def start(self) -> tuple[str, int]:
        """Wrap the command in the sandbox and let JupyterHub's own start run it (popen_kwargs, pid, port)."""
        plan = self._require_plan()
        with self.http_errors():
            self._check_volume_folders(plan)
            self.cmd = self.sandbox_command(plan)
        self._cgroups = self._prepare_limits(plan)
        await self._open_private_network()
        self.report(20, f"Starting the sandbox as user {self.user.name}")
        ip, port = await super().start()
        self.report(40, "The datalab's server is starting; it opens when it answers (usually a few seconds)")
        await self._wait_for_port(ip, port)
        await self.wait_for_application(f"http://{ip}:{port}")
        return ip, port

    def _check_volume_folders(self, plan: LaunchPlan) -> None:
        missing = [v for v in plan.volumes if v.local_source is not None and not os.path.isdir(v.local_source)]
        if missing:
            names = ", ".join(f"{v.id} ({v.local_source})" for v in missing)
            raise MissingVolume(f"Archive volume folder missing on this machine: {names}")

    def _prepare_limits(self, plan: LaunchPlan) -> CgroupSetup | None:
        """The catalogue's CPU and memory limits as cgroups (joined by the new process), reported on the spawn page."""
        if not (self.enforce_limits and (plan.cpu_limit or plan.mem_limit)):
            return None
        cgroups = prepare_cgroups(self._cgroup_name, plan.cpu_limit, plan.mem_limit)
        if cgroups.enforced:
            self.report(15, f"Limits: {', '.join(cgroups.enforced)}")
        for item in cgroups.not_enforced:
            self.report(15, f"Limit not enforced on this machine: {item}")
        return cgroups

    async def _wait_for_port(self, ip: str, port: int) -> None:
        """Return once the server listens (or has died), so the hub's first check finds it up.

        Without this the hub polls with growing random back-off and notices a server that is
        up after ~2 s only 0-4 s later (measured in bench/spawn.py).
        """

        async def listening_or_dead() -> bool:
            if self.proc.poll() is not None:
                return True
            # the forward on the host accepts before the server inside listens: wait for a reply
            return await answers(port, f"{self.server.base_url}api")  # the cheapest page: the server's version

        try:  # a short max_wait: checks ~50 ms apart (random jitter), so a server that is up is seen at once
            await exponential_backoff(listening_or_dead, "", start_wait=0.05, max_wait=0.1, timeout=self.http_timeout)
        except TimeoutError:
            pass  # the hub's own check reports a server that never answers

    def _processes(self) -> tuple[psutil.Process | None, list[psutil.Process]]:
        """The sandbox's first process (its PID 1) and everything below it."""
        try:
            children = psutil.Process(self.pid).children()
        except psutil.Error:
            return None, []
        if not children:
            return None, []
        init = children[0]
        try:
            return init, init.children(recursive=True)
        except psutil.Error:
            return init, []

    async def _signal(self, sig: int) -> bool:
        """Signal the datalab: polite signals go to its processes, SIGKILL to the sandbox's PID 1.

        Killing the sandbox's PID 1 ends every process of the datalab (kernels included), so
        nothing is left behind. The hub tracks bubblewrap's own process, which exits with it.
        """
        if sig == 0 or not self.pid:
            return await super()._signal(0) if self.pid else False
        init, below = self._processes()
        targets = [init] if sig == signal.SIGKILL else below
        for proc in targets:
            if proc is None:
                continue
            try:
                proc.send_signal(sig)
            except psutil.Error:
                pass
        if sig == signal.SIGKILL:
            await super()._signal(signal.SIGKILL)
        return await super()._signal(0)

    async def stop(self, now: bool = False):
        await super().stop(now=now)
        remove_cgroups(self._cgroup_name)
        await self._close_private_network()

    # --- the datalab's private network (datalabs_hub.sandbox.network) ------------------------

    @property
    def _netns_name(self) -> str:
        return namespace_name(self.user.name, self.name)

    async def _open_private_network(self) -> None:
        """Make the datalab's network namespace and forward its server's port (picked here if unset) and the hub API."""
        if self.port == 0:
            self.port = random_port()
        self.report(18, "Opening the datalab's private network")
        with self.http_errors():
            try:
                api_port = hub_api_port(self.hub.api_url)
            except ValueError as e:
                raise OperatorError(str(e)) from None
            await open_network(PrivateNetwork(self._netns_name, self.port, api_port, self.network))

    async def run_post_stop_hook(self):
        """Also after a datalab that ended by itself (JupyterHub then skips ``stop``): remove its network."""
        await self._close_private_network()
        return await maybe_future(super().run_post_stop_hook())

    async def _close_private_network(self) -> None:
        """Remove the namespace and its forwarder (the datalab's processes have ended)."""
        try:
            await close_network(self._netns_name)
        except DatalabsError as e:
            self.log.error("Datalabs: could not remove the private network %s: %s", self._netns_name, e)
