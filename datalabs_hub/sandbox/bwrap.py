"""Build the bubblewrap command line that runs one datalab (pure: no processes, no file system).

The sandbox is started by root (the hub) so it can bind paths the user could not read (the
hub's virtual environment, archive volumes) read-only, then drops to the user's account with
``setpriv`` before the datalab's own command runs. Inside:

- ``/usr``, ``/etc``, ``/var`` and ``/opt`` of the host, read-only; ``/tmp`` and ``/var/tmp`` private;
- ``/etc/profile.d`` (what login shells run) holds exactly the spec's profile scripts, read-only;
- ``/home`` holds only the user's own home (read-write); ``/root`` and ``/srv`` are absent;
- each selected archive volume is a read-only bind mount at its path (nothing is copied);
- a private PID namespace: other users' processes are invisible, and killing its first process
  ends every process of the datalab;
- with ``SandboxSpec.netns``, the datalab's own network namespace (made beforehand, see
  :mod:`datalabs_hub.sandbox.network`), entered with ``nsenter`` before bubblewrap starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

#: Top-level host directories shared read-only with every datalab, when they exist.
SYSTEM_DIRS = ("/usr", "/etc", "/var", "/opt")
#: Merged-/usr compatibility paths: symlinks on current Debian, directories on older systems.
USR_ALIASES = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: The folder of login-shell snippets (/etc/profile runs its *.sh files)
PROFILE_DIR = PurePosixPath("/etc/profile.d")
#: Directories that are fresh and empty inside every datalab.
PRIVATE_TMPFS = ("/tmp", "/var/tmp", "/home")
#: Of those, the ones every program of the datalab may write to (sticky, like on the host).
WORLD_WRITABLE = ("/tmp", "/var/tmp")


@dataclass(frozen=True)
class HostLayout:
    """What the host's root looks like (found once by :func:`datalabs_hub.sandbox.host.detect_layout`)."""

    #: existing directories among SYSTEM_DIRS
    system_dirs: tuple[str, ...]
    #: alias -> symlink target for USR_ALIASES that are symlinks (e.g. "/bin" -> "usr/bin")
    symlinks: dict[str, str] = field(default_factory=dict)
    #: USR_ALIASES that are real directories
    alias_dirs: tuple[str, ...] = ()


@dataclass(frozen=True)
class SandboxSpec:
    """One datalab's sandbox."""

    user: str
    uid: int
    gid: int
    home: PurePosixPath
    command: tuple[str, ...]
    #: (host directory, path inside) pairs, always mounted read-only
    volumes: tuple[tuple[PurePosixPath, PurePosixPath], ...] = ()
    #: host paths the datalab's software lives in (e.g. the virtual environment), bound read-only at the same path
    runtime_paths: tuple[PurePosixPath, ...] = ()
    #: host paths to hide even if below a shared directory (e.g. the hub's state directory)
    hidden_paths: tuple[PurePosixPath, ...] = ()
    #: (host file, name) pairs: when given, the sandbox's /etc/profile.d is a fresh folder with exactly these
    #: files (list the host's own snippets to keep them)
    profile_scripts: tuple[tuple[PurePosixPath, str], ...] = ()
    hostname: str = "datalab"
    #: the datalab's private network namespace (a file under /run/netns); None: the host's network
    netns: PurePosixPath | None = None


def _mount_parents(volumes: tuple[tuple[PurePosixPath, PurePosixPath], ...]) -> list[str]:
    """The top-level directories (e.g. /data) that need a fresh tmpfs so mount points can be created."""
    tops: list[str] = []
    for _, target in volumes:
        top = "/" + target.parts[1]
        if top not in tops:
            tops.append(top)
    return tops


def _ensure_parents(argv: list[str], made: set[str], target: PurePosixPath) -> None:
    """Create the missing parents of ``target`` as 0755 folders (bwrap would make them 0700)."""
    for parent in reversed(target.parents):
        key = str(parent)
        if key not in made:
            argv += ["--perms", "0755", "--dir", key]
            made.add(key)


def build_bwrap_argv(
    spec: SandboxSpec, layout: HostLayout, bwrap: str = "bwrap", setpriv: str = "setpriv", nsenter: str = "nsenter"
) -> list[str]:
    """The argv that starts ``spec.command`` as ``spec.user`` inside the sandbox."""
    # the namespace exists and is wired up before the sandbox starts, so its server reaches the hub at once
    argv = [nsenter, f"--net={spec.netns}", "--"] if spec.netns is not None else []
    argv += [bwrap, "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--hostname", spec.hostname]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    made = {"/", "/proc", "/dev"}

    def bind(option: str, source: str, target: PurePosixPath) -> None:
        _ensure_parents(argv, made, target)
        argv.extend([option, str(target)] if option == "--tmpfs" else [option, source, str(target)])
        made.add(str(target))

    for path in layout.system_dirs:
        bind("--ro-bind", path, PurePosixPath(path))
    for alias, target in sorted(layout.symlinks.items()):
        argv += ["--symlink", target, alias]
        made.add(alias)
    for path in layout.alias_dirs:
        bind("--ro-bind", path, PurePosixPath(path))
    if spec.profile_scripts and "/etc" in layout.system_dirs:
        bind("--tmpfs", "", PROFILE_DIR)  # a file cannot be added to the read-only /etc: a fresh folder over it
        for source, name in spec.profile_scripts:
            bind("--ro-bind", str(source), PROFILE_DIR / name)
        argv += ["--remount-ro", str(PROFILE_DIR)]
    for path in PRIVATE_TMPFS:
        if path in WORLD_WRITABLE:
            argv += ["--perms", "1777"]  # like the host's /tmp (bwrap's default 0755 would leave it root's alone)
        bind("--tmpfs", "", PurePosixPath(path))
    for path in spec.hidden_paths:
        bind("--tmpfs", "", path)
    for path in spec.runtime_paths:
        bind("--ro-bind", str(path), path)
    bind("--bind", str(spec.home), spec.home)
    for top in _mount_parents(spec.volumes):
        bind("--tmpfs", "", PurePosixPath(top))
    for source, target in spec.volumes:
        bind("--ro-bind", str(source), target)
    # /home, /data, ... were created writable on the sandbox's own tmpfs; make them read-only now
    for top in ["/home", *_mount_parents(spec.volumes)]:
        argv += ["--remount-ro", top]
    argv += ["--chdir", str(spec.home)]
    # only what setpriv needs to switch to the user; it drops them (and the bounding set) before exec
    argv += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
    argv += ["--", setpriv, f"--reuid={spec.uid}", f"--regid={spec.gid}", "--init-groups"]
    argv += ["--inh-caps=-all", "--bounding-set=-all", "--"]
    argv += list(spec.command)
    return argv
