"""The launch plan: catalogue + user options -> what to start. Pure, shared by every back end."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Iterable

from ..catalog.loader import Catalog
from ..catalog.models import ArchiveVolume, Datalab, Environment, KubernetesVolumeSource, allowed_for
from .options import LaunchOptions, OptionsError


@dataclass(frozen=True)
class PlannedVolume:
    """One archive volume as it will appear in the datalab (always read-only)."""

    id: str
    title: str
    mission: tuple[str, ...]
    description: str
    mount_path: PurePosixPath
    local_source: PurePosixPath | None
    kubernetes_source: KubernetesVolumeSource | None
    read_only: bool = True

    @classmethod
    def from_volume(cls, volume: ArchiveVolume) -> PlannedVolume:
        return cls(
            id=volume.id,
            title=volume.title,
            mission=tuple(volume.mission),
            description=volume.description,
            mount_path=volume.path_in_datalab,
            local_source=volume.source.local,
            kubernetes_source=volume.source.kubernetes,
        )

    def describe(self) -> dict[str, Any]:
        """What the datalab itself is told about the volume (DATALABS_VOLUMES)."""
        return {
            "id": self.id,
            "title": self.title,
            "mission": list(self.mission),
            "description": self.description,
            "mount_path": str(self.mount_path),
            "read_only": self.read_only,
        }


@dataclass(frozen=True)
class LaunchPlan:
    """Everything a back end needs to start one datalab."""

    datalab: Datalab
    volumes: tuple[PlannedVolume, ...]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def environment(self) -> Environment:
        return self.datalab.environment

    @property
    def default_url(self) -> str | None:
        """The page the datalab opens on: the catalogue's, else a desktop datalab's own application."""
        if self.environment.default_url:
            return self.environment.default_url
        if self.datalab.kind == "desktop":
            return f"/desktop/{self.datalab.id}/"
        return None

    @property
    def cpu_limit(self) -> float | None:
        return self.datalab.resources.cpu

    @property
    def mem_limit(self) -> int | None:
        return self.datalab.resources.memory_bytes


#: Larger icons are not passed to datalabs (environment variables have a size limit); the tile has none.
MAX_ICON_URI_IN_ENV = 32 * 1024


def describe_desktop_app(datalab: Datalab, icon: str | None = None) -> dict[str, Any]:
    """What a datalab is told about one desktop application (an item of DATALABS_DESKTOP_APPS)."""
    assert datalab.desktop is not None
    described: dict[str, Any] = {"id": datalab.id, "title": datalab.title}
    if icon and len(icon) <= MAX_ICON_URI_IN_ENV:
        described["icon"] = icon
    described["desktop"] = datalab.desktop.model_dump(by_alias=True, exclude_none=True)
    return described


def desktop_apps_for(catalog: Catalog, datalab: Datalab, groups: frozenset[str]) -> list[dict[str, Any]]:
    """The desktop applications a datalab offers: a desktop datalab its own; a JupyterLab datalab every
    desktop application of the catalogue available to the user (as launcher tiles)."""
    if datalab.kind == "desktop":
        chosen = [datalab]
    elif datalab.kind == "jupyterlab":
        chosen = [d for d in catalog.datalabs.values() if d.kind == "desktop" and allowed_for(groups, d.allowed_groups)]
    else:
        chosen = []
    return [describe_desktop_app(d, catalog.icons.get(d.id)) for d in chosen]


def build_launch_plan(catalog: Catalog, options: LaunchOptions, groups: Iterable[str] = ()) -> LaunchPlan:
    """Check ``options`` against the catalogue and the user's groups, and plan the launch.

    Raises :class:`OptionsError` naming the field when the datalab or a volume is unknown or not
    available to this user.
    """
    groups = frozenset(groups)
    datalab = catalog.datalabs.get(options.datalab)
    if datalab is None or not allowed_for(groups, datalab.allowed_groups):
        raise OptionsError("datalab", f"'{options.datalab}' is not a datalab in the catalogue available to you")
    volume_ids = datalab.default_volumes if options.volumes is None else options.volumes
    volumes = []
    for i, vid in enumerate(volume_ids):
        volume = catalog.volumes.get(vid)
        if volume is None or not allowed_for(groups, volume.allowed_groups):
            raise OptionsError(f"volumes[{i}]", f"'{vid}' is not an archive volume in the catalogue available to you")
        volumes.append(PlannedVolume.from_volume(volume))
    described = [v.describe() for v in volumes]
    env = dict(datalab.environment.env)
    env.update(
        {
            "DATALABS_DATALAB": datalab.id,
            "DATALABS_DATALAB_TITLE": datalab.title,
            "DATALABS_VOLUMES": json.dumps(described, separators=(",", ":")),
        }
    )
    apps = desktop_apps_for(catalog, datalab, groups)
    if apps:
        env["DATALABS_DESKTOP_APPS"] = json.dumps(apps, separators=(",", ":"))
    if datalab.kind == "desktop":
        env["DATALABS_DESKTOP_AUTOSTART"] = datalab.id
    return LaunchPlan(datalab=datalab, volumes=tuple(volumes), env=env)
