"""Memory and CPU limits for a local datalab through Linux control groups (v2 or v1).

Limits are enforced where the machine allows it (root with a writable cgroup file system);
otherwise :func:`prepare_cgroups` says why not, and the spawner reports it to the user.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
CPU_PERIOD_US = 100_000


@dataclass
class CgroupSetup:
    """Cgroup folders a datalab's processes join, and what could not be enforced."""

    dirs: list[Path] = field(default_factory=list)
    enforced: list[str] = field(default_factory=list)
    not_enforced: list[str] = field(default_factory=list)

    def join(self) -> None:
        """Move the calling process into the cgroups (run in the child before exec)."""
        pid = str(os.getpid())
        for d in self.dirs:
            (d / "cgroup.procs").write_text(pid)


def _write(path: Path, value: str) -> None:
    path.write_text(value)


def _v2_dir(root: Path) -> Path | None:
    for candidate in (root, root / "unified"):
        controllers = candidate / "cgroup.controllers"
        if controllers.exists() and {"memory", "cpu"} & set(controllers.read_text().split()):
            return candidate
    return None


def prepare_cgroups(name: str, cpu: float | None, memory: int | None, root: Path = CGROUP_ROOT) -> CgroupSetup:
    """Create ``datalabs/<name>`` cgroups with the limits; never raises for an unsupported machine."""
    setup = CgroupSetup()
    wanted = []
    if memory:
        wanted.append(("memory", f"memory {memory // (1024 * 1024)} MiB"))
    if cpu:
        wanted.append(("cpu", f"CPU {cpu:g} cores"))
    if not wanted:
        return setup
    v2 = _v2_dir(root)
    for controller, label in wanted:
        try:
            if v2 is not None and controller in (v2 / "cgroup.controllers").read_text().split():
                parent = v2 / "datalabs"
                parent.mkdir(exist_ok=True)
                _write(v2 / "cgroup.subtree_control", f"+{controller}")
                _write(parent / "cgroup.subtree_control", f"+{controller}")
                d = parent / name
                d.mkdir(exist_ok=True)
                if controller == "memory":
                    _write(d / "memory.max", str(memory))
                else:
                    _write(d / "cpu.max", f"{int(cpu * CPU_PERIOD_US)} {CPU_PERIOD_US}")
            elif (root / controller / "cgroup.procs").exists():
                d = root / controller / "datalabs" / name
                d.mkdir(parents=True, exist_ok=True)
                if controller == "memory":
                    _write(d / "memory.limit_in_bytes", str(memory))
                else:
                    _write(d / "cpu.cfs_period_us", str(CPU_PERIOD_US))
                    _write(d / "cpu.cfs_quota_us", str(int(cpu * CPU_PERIOD_US)))
            else:
                setup.not_enforced.append(f"{label} (no {controller} cgroup controller on this machine)")
                continue
        except OSError as e:
            setup.not_enforced.append(f"{label} (cgroup not writable: {e.strerror})")
            continue
        if d not in setup.dirs:
            setup.dirs.append(d)
        setup.enforced.append(label)
    return setup


def remove_cgroups(name: str, root: Path = CGROUP_ROOT) -> None:
    """Remove a stopped datalab's cgroups (they must be empty)."""
    candidates = [root / c / "datalabs" / name for c in ("memory", "cpu")]
    v2 = _v2_dir(root)
    if v2 is not None:
        candidates.append(v2 / "datalabs" / name)
    for d in candidates:
        try:
            d.rmdir()
        except OSError:
            pass
