"""The launch plan: catalogue + user options -> what to start. Pure, shared by every back end."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Iterable

from ..catalog.loader import Catalog
from ..catalog.models import ArchiveVolume, Datalab, Environment, KubernetesVolumeSource, allowed_for
from ..contract import MAX_ICON_URI_BYTES, DatalabContract, DesktopAppInfo, VolumeInfo, WebAppInfo
from ..errors import InvalidOptions
from ..webapp.server_proxy import webapp_page
from .options import LaunchOptions


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

    def info(self) -> VolumeInfo:
        """What the datalab itself is told about the volume (an item of the contract's volumes)."""
        return VolumeInfo(id=self.id, title=self.title, mission=list(self.mission), description=self.description,
                          mount_path=str(self.mount_path), read_only=self.read_only)


@dataclass(frozen=True)
class LaunchPlan:
    """Everything a back end needs to start one datalab."""

    datalab: Datalab
    volumes: tuple[PlannedVolume, ...]
    #: what the datalab is told (its volumes, desktop applications, autostart)
    contract: DatalabContract

    @property
    def env(self) -> dict[str, str]:
        """The datalab's environment: the catalogue's ``environment.env``, then the contract's variables."""
        return {**self.environment.env, **self.contract.to_env()}

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
        if self.contract.webapp is not None:
            return webapp_page(self.contract.webapp)
        return None

    @property
    def cpu_limit(self) -> float | None:
        return self.datalab.resources.cpu

    @property
    def mem_limit(self) -> int | None:
        return self.datalab.resources.memory_bytes


def desktop_app_info(datalab: Datalab, icon: str | None = None) -> DesktopAppInfo:
    """What a datalab is told about one desktop application (an icon too large for the contract is left out)."""
    assert datalab.desktop is not None
    if icon is not None and len(icon) > MAX_ICON_URI_BYTES:
        icon = None
    return DesktopAppInfo(id=datalab.id, title=datalab.title, icon=icon, desktop=datalab.desktop)


def desktop_apps_for(catalog: Catalog, datalab: Datalab, groups: frozenset[str]) -> list[DesktopAppInfo]:
    """The desktop applications a datalab offers: a desktop datalab its own; a JupyterLab datalab every
    desktop application of the catalogue available to the user (as launcher tiles)."""
    if datalab.kind == "desktop":
        chosen = [datalab]
    elif datalab.kind == "jupyterlab":
        chosen = [d for d in catalog.datalabs.values() if d.kind == "desktop" and allowed_for(groups, d.allowed_groups)]
    else:
        chosen = []
    return [desktop_app_info(d, catalog.icons.get(d.id)) for d in chosen]


def webapp_info(datalab: Datalab) -> WebAppInfo | None:
    """What a web-app datalab is told about its web app (None for other kinds)."""
    if datalab.webapp is None:
        return None
    return WebAppInfo(id=datalab.id, title=datalab.title, webapp=datalab.webapp)


def build_launch_plan(catalog: Catalog, options: LaunchOptions, groups: Iterable[str] = ()) -> LaunchPlan:
    """Check ``options`` against the catalogue and the user's groups, and plan the launch.

    Raises :class:`~datalabs_hub.errors.InvalidOptions` naming the field when the datalab or a
    volume is unknown or not available to this user.
    """
    groups = frozenset(groups)
    datalab = catalog.datalabs.get(options.datalab)
    if datalab is None or not allowed_for(groups, datalab.allowed_groups):
        raise InvalidOptions("datalab", f"'{options.datalab}' is not a datalab in the catalogue available to you")
    volume_ids = datalab.default_volumes if options.volumes is None else options.volumes
    volumes = []
    for i, vid in enumerate(volume_ids):
        volume = catalog.volumes.get(vid)
        if volume is None or not allowed_for(groups, volume.allowed_groups):
            raise InvalidOptions(f"volumes[{i}]", f"'{vid}' is not an archive volume in the catalogue available to you")
        volumes.append(PlannedVolume.from_volume(volume))
    contract = DatalabContract(
        datalab=datalab.id,
        title=datalab.title,
        volumes=[v.info() for v in volumes],
        desktop_apps=desktop_apps_for(catalog, datalab, groups),
        desktop_autostart=datalab.id if datalab.kind == "desktop" else None,
        webapp=webapp_info(datalab),
    )
    return LaunchPlan(datalab=datalab, volumes=tuple(volumes), contract=contract)
