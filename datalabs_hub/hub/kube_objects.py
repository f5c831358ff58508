"""Pure builders: a launch plan -> the Kubernetes pieces of a datalab's pod, and checks of a pod manifest.

Like kubespawner's ``objects.py``: no I/O and no spawner state, so every rule is unit-testable.
:mod:`datalabs_hub.hub.kube` hands these pieces to KubeSpawner, which builds the pod.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from kubernetes_asyncio.client import (
    V1HostPathVolumeSource,
    V1NFSVolumeSource,
    V1PersistentVolumeClaimVolumeSource,
    V1Volume,
    V1VolumeMount,
)

from .plan import LaunchPlan, PlannedVolume

#: Pod volumes of archive volumes are named ``vol-<catalogue id>`` (ids are at most 50 characters).
ARCHIVE_VOLUME_PREFIX = "vol-"
#: Label on every datalab pod: the catalogue id of the datalab.
LABEL_DATALAB = "datalabs.io/datalab"
#: Annotation on every datalab pod: the catalogue ids of its archive volumes, comma-separated.
ANNOTATION_VOLUMES = "datalabs.io/volumes"

#: A Kubernetes volume or container name: an RFC 1123 label.
RFC1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


class KubePlanError(ValueError):
    """The plan cannot run on Kubernetes (e.g. a volume has no Kubernetes source); says which entry."""


# --- volumes -----------------------------------------------------------------------------------


def volume_name(volume_id: str) -> str:
    """The pod volume name of an archive volume."""
    return f"{ARCHIVE_VOLUME_PREFIX}{volume_id}"


def build_volume(volume: PlannedVolume) -> V1Volume:
    """The pod volume of one archive volume; every source is opened read-only where the source allows it."""
    source = volume.kubernetes_source
    if source is None:
        raise KubePlanError(
            f"archive volume '{volume.id}' has no Kubernetes source in the catalogue "
            "(source.kubernetes); it can only be used on the embedded default"
        )
    name = volume_name(volume.id)
    if source.persistentVolumeClaim is not None:
        pvc = V1PersistentVolumeClaimVolumeSource(claim_name=source.persistentVolumeClaim.claimName, read_only=True)
        return V1Volume(name=name, persistent_volume_claim=pvc)
    if source.nfs is not None:
        return V1Volume(name=name, nfs=V1NFSVolumeSource(server=source.nfs.server, path=source.nfs.path, read_only=True))
    assert source.hostPath is not None  # the catalogue model guarantees exactly one source
    # hostPath has no read-only flag: the mount below is read-only; "Directory" fails if the folder is missing
    return V1Volume(name=name, host_path=V1HostPathVolumeSource(path=source.hostPath.path, type="Directory"))


def build_volume_mount(volume: PlannedVolume) -> V1VolumeMount:
    """Where an archive volume appears in the datalab container: always read-only."""
    return V1VolumeMount(name=volume_name(volume.id), mount_path=str(volume.mount_path), read_only=True)


def build_volumes(plan: LaunchPlan) -> list[V1Volume]:
    """The pod volumes of the plan's archive volumes, in the plan's order."""
    return [build_volume(v) for v in plan.volumes]


def build_volume_mounts(plan: LaunchPlan) -> list[V1VolumeMount]:
    """The container mounts of the plan's archive volumes, in the plan's order."""
    return [build_volume_mount(v) for v in plan.volumes]


# --- resources, image, environment, metadata --------------------------------------------------


@dataclass(frozen=True)
class ResourceSettings:
    """CPU (cores) and memory (bytes) limits and guarantees, as KubeSpawner's traits of the same names.

    None: not set by the catalogue. KubeSpawner writes them as the container's ``resources``.
    """

    cpu_limit: float | None = None
    cpu_guarantee: float | None = None
    mem_limit: int | None = None
    mem_guarantee: int | None = None


def build_resources(plan: LaunchPlan, guarantee_fraction: float = 1.0) -> ResourceSettings:
    """The catalogue's limits, and guarantees (Kubernetes requests) of ``guarantee_fraction`` of them.

    Kubernetes counts CPU in millicores: a guarantee is at least 0.001 core.
    """
    if not 0 < guarantee_fraction <= 1:
        raise ValueError(f"guarantee_fraction must be in (0, 1], not {guarantee_fraction}")
    cpu, mem = plan.cpu_limit, plan.mem_limit
    return ResourceSettings(
        cpu_limit=cpu,
        cpu_guarantee=None if cpu is None else max(round(cpu * guarantee_fraction, 3), 0.001),
        mem_limit=mem,
        mem_guarantee=None if mem is None else max(int(mem * guarantee_fraction), 1),
    )


def build_image(plan: LaunchPlan, default: str) -> str:
    """The datalab's image, or ``default`` (the operator's image) when the catalogue names none."""
    return plan.environment.image or default


def build_env(plan: LaunchPlan) -> dict[str, str]:
    """The variables the plan adds to the container: the catalogue's ``env`` and ``DATALABS_*``."""
    return dict(plan.env)


def build_labels(plan: LaunchPlan) -> dict[str, str]:
    """Labels of the datalab's pod (ids are valid label values: lowercase, at most 50 characters)."""
    return {LABEL_DATALAB: plan.datalab.id}


def build_annotations(plan: LaunchPlan) -> dict[str, str]:
    """Annotations of the datalab's pod: its archive volumes, so a pod says what it mounts."""
    return {ANNOTATION_VOLUMES: ",".join(v.id for v in plan.volumes)}


# --- checks that kubernetes-validate does not do ----------------------------------------------


def _containers(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for kind in ("initContainers", "containers"):
        for i, container in enumerate(spec.get(kind) or []):
            yield f"{kind}[{i}] '{container.get('name')}'", container


def archive_volume_names(pod: dict[str, Any]) -> set[str]:
    """Pod volume names of the archive volumes that the pod's annotation lists."""
    listed = ((pod.get("metadata") or {}).get("annotations") or {}).get(ANNOTATION_VOLUMES, "")
    return {volume_name(vid) for vid in listed.split(",") if vid}


def check_pod(pod: dict[str, Any]) -> list[str]:
    """Problems in a serialized pod manifest (camelCase, as sent to the API) that schemas do not catch.

    - every volume and container name is an RFC 1123 label, and volume names are unique;
    - every volumeMount names a defined volume, and mount paths are unique per container;
    - every archive volume (see :data:`ANNOTATION_VOLUMES`) is in the pod, mounted read-only,
      and a PVC or NFS source of one is read-only too.
    """
    spec = pod.get("spec") or {}
    problems: list[str] = []
    volumes: dict[str, dict[str, Any]] = {}
    for i, volume in enumerate(spec.get("volumes") or []):
        name = volume.get("name", "")
        if not RFC1123_LABEL.match(name):
            problems.append(f"volumes[{i}]: name {name!r} is not an RFC 1123 label")
        if name in volumes:
            problems.append(f"volumes[{i}]: name {name!r} is defined twice")
        volumes[name] = volume

    archives = archive_volume_names(pod)
    for name in sorted(archives - volumes.keys()):
        problems.append(f"archive volume {name!r} is listed in {ANNOTATION_VOLUMES} but not defined")
    for name in sorted(archives & volumes.keys()):
        source = volumes[name].get("persistentVolumeClaim") or volumes[name].get("nfs")
        if source is not None and source.get("readOnly") is not True:
            problems.append(f"archive volume {name!r}: its source must be readOnly")

    for where, container in _containers(spec):
        name = container.get("name", "")
        if not RFC1123_LABEL.match(name):
            problems.append(f"{where}: name is not an RFC 1123 label")
        paths: set[str] = set()
        for mount in container.get("volumeMounts") or []:
            vname, path = mount.get("name"), mount.get("mountPath")
            if vname not in volumes:
                problems.append(f"{where}: volumeMount at {path} names volume {vname!r}, which is not defined")
            if path in paths:
                problems.append(f"{where}: two volumeMounts at {path}")
            paths.add(path)
            if vname in archives and mount.get("readOnly") is not True:
                problems.append(f"{where}: archive volume {vname!r} at {path} must be mounted readOnly")
    return problems
