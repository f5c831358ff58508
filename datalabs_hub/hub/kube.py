"""The Kubernetes back end: each datalab is a KubeSpawner pod built from the launch plan.

Thin on purpose: the plan's pieces come from the pure builders in :mod:`.kube_objects`; this class
only sets KubeSpawner's traits from them and lets KubeSpawner create and watch the pod.
"""

from __future__ import annotations

from typing import Any, AsyncIterator

from kubespawner import KubeSpawner
from traitlets import Float

from ..errors import InvalidOptions, OperatorError
from .kube_objects import (
    KubePlanError,
    build_annotations,
    build_env,
    build_image,
    build_labels,
    build_resources,
    build_volume_mounts,
    build_volumes,
    check_pod,
)
from .plan import LaunchPlan
from .spawner import DatalabsSpawner

#: KubeSpawner traits that a plan sets. What the operator configured for them (e.g. through
#: Zero to JupyterHub's values) is the base of every launch: a plan adds to it, never removes.
PLANNED_TRAITS = (
    "volumes",
    "volume_mounts",
    "image",
    "cmd",
    "default_url",
    "cpu_limit",
    "cpu_guarantee",
    "mem_limit",
    "mem_guarantee",
    "extra_labels",
    "extra_annotations",
)


def extend_config(configured: list | dict, items: list, key_prefix: str = "datalabs-") -> list | dict:
    """``configured`` (KubeSpawner's list or dict form of volumes or mounts) plus ``items``, neither modified.

    In the dict form our items get keys ``datalabs-<name>``; the operator's keys stay as they are.
    """
    if isinstance(configured, dict):
        return {**configured, **{f"{key_prefix}{item.name}": item for item in items}}
    return [*configured, *items]


class DatalabsKubeSpawner(DatalabsSpawner, KubeSpawner):
    """Start datalabs from the catalogue as pods on Kubernetes (KubeSpawner underneath).

    The catalogue decides the image, command, limits, environment and read-only archive volumes
    of each datalab; every other KubeSpawner option (home storage, node selection, security
    context, ...) is configured as usual, e.g. in Zero to JupyterHub's ``singleuser`` values.
    Do not combine it with KubeSpawner's ``profile_list``: the catalogue replaces it.
    """

    guarantee_fraction = Float(
        1.0,
        min=0.01,
        max=1.0,
        help="""Guarantees (Kubernetes requests) as a fraction of the catalogue's CPU and memory limits.

        1.0 reserves the full limits, so a datalab always gets what its entry promises (Guaranteed
        QoS). Lower values fit more datalabs on a node; a datalab may then be throttled, or evicted
        when the node runs short of memory.
        """,
    ).tag(config=True)

    planned_traits = PLANNED_TRAITS

    def apply_plan(self, plan: LaunchPlan) -> None:
        """Set KubeSpawner's traits for ``plan``, on top of the operator's values (``apply_user_options`` calls it).

        Raises :class:`~datalabs_hub.errors.InvalidOptions` when a chosen volume has no Kubernetes
        source; nothing is started.
        """
        base = self.operator_values()
        try:
            volumes = build_volumes(plan)
        except KubePlanError as e:
            raise InvalidOptions(
                "volumes", f"cannot launch on this platform: {e}. Choose another volume or ask an administrator."
            ) from None
        self.volumes = extend_config(base["volumes"], volumes)
        self.volume_mounts = extend_config(base["volume_mounts"], build_volume_mounts(plan))
        self.image = build_image(plan, base["image"])
        command = plan.environment.command
        self.cmd = list(command) if command else base["cmd"]
        self.default_url = plan.default_url or base["default_url"]
        resources = build_resources(plan, self.guarantee_fraction)
        for name in ("cpu_limit", "cpu_guarantee", "mem_limit", "mem_guarantee"):
            value = getattr(resources, name)
            setattr(self, name, base[name] if value is None else value)
        self.extra_labels = {**base["extra_labels"], **build_labels(plan)}
        self.extra_annotations = {**base["extra_annotations"], **build_annotations(plan)}

    async def start(self) -> Any:
        self._require_plan()
        self.report(20, f"Requesting a pod with image {self.image}{self._describe_limits()}")
        url = await super().start()
        await self.wait_for_application(url if isinstance(url, str) else f"http://{url[0]}:{url[1]}")
        return url

    def _describe_limits(self) -> str:
        limits = []
        if self.cpu_limit:
            limits.append(f"{self.cpu_limit:g} CPU")
        if self.mem_limit:
            limits.append(f"{self.mem_limit / 1024**3:.3g} GiB memory")
        return f" ({', '.join(limits)})" if limits else ""

    def get_env(self) -> dict[str, str]:
        """KubeSpawner's environment plus the plan's (not through ``environment``, whose values
        KubeSpawner expands as templates and would break on the braces of ``DATALABS_VOLUMES``)."""
        env = super().get_env()
        if self.plan is not None:
            env.update(build_env(self.plan))
        return env

    async def get_pod_manifest(self) -> Any:
        """KubeSpawner's pod, refused if :func:`check_pod` finds a problem (e.g. an operator volume
        mounted where an archive volume goes)."""
        pod = await super().get_pod_manifest()
        problems = check_pod(self.api.api_client.sanitize_for_serialization(pod))
        if problems:
            with self.http_errors():
                raise OperatorError(f"Pod manifest of {self._log_name} refused:\n  " + "\n  ".join(problems))
        return pod

    async def progress(self) -> AsyncIterator[dict[str, Any]]:
        """Our plan events first, then KubeSpawner's (pod events from Kubernetes), ours in between as they come."""
        sent = 0

        def pending() -> list[dict[str, Any]]:
            nonlocal sent
            events = self.progress_events[sent:]
            sent += len(events)
            return events

        for event in pending():
            yield event
        async for event in KubeSpawner.progress(self):
            for ours in pending():
                yield ours
            yield event
        for event in pending():
            yield event
