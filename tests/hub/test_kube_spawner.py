"""The Kubernetes back end, without a cluster.

KubeSpawner(_mock=True) builds the real pod with ``get_pod_manifest()`` (its Kubernetes config
loading is stubbed); the manifest is serialized as it would be sent to the API server and checked
with kubernetes-validate's bundled schemas (strict mode) and with our own :func:`check_pod`.
What a cluster would add (scheduling, mounting NFS, RBAC, image pulls) is not covered here.
"""

from __future__ import annotations

import copy
import json
import os
import textwrap
from pathlib import Path
from typing import Any

import kubernetes_validate
import kubespawner.spawner
import pytest
import yaml
from kubernetes_asyncio.client import ApiClient
from kubespawner import KubeSpawner
from tornado import web
from traitlets.config import Config

from datalabs_hub.catalog import VOLUME_ROOT, load_catalog
from datalabs_hub.catalog.models import parse_memory
from datalabs_hub.hub.kube import DatalabsKubeSpawner
from datalabs_hub.hub.kube_objects import (
    ANNOTATION_VOLUMES,
    LABEL_DATALAB,
    build_resources,
    build_volume,
    check_pod,
)
from datalabs_hub.hub.options import LaunchOptions
from datalabs_hub.hub.plan import LaunchPlan, build_launch_plan
from datalabs_hub.testing.hub import CHECKOUT

KUBE_CONFIG = CHECKOUT / "config" / "kubernetes"
#: the oldest and newest Kubernetes versions whose schemas kubernetes-validate 1.37 bundles, and one between
K8S_VERSIONS = ["1.25", "1.30", "1.37"]

CATALOG = textwrap.dedent(
    """
    datalabs:
      - id: astro-lab
        title: Astro lab
        kind: jupyterlab
        environment:
          image: registry.example.org/datalabs/jupyterlab-astro:0.1.0
          default_url: /lab
          env: {MISSION_HINT: "{braces are not templates}"}
        resources: {cpu: 2, memory: 4G}
        default_volumes: [spice-kernels]
      - id: plain-lab
        title: Plain lab
        kind: jupyterlab
    volumes:
      - id: spice-kernels
        title: SPICE kernels
        mission: [Multi-mission]
        source:
          kubernetes:
            persistentVolumeClaim: {claimName: datalabs-spice-kernels}
      - id: solo-archive
        title: Solar Orbiter archive
        mission: [Solar Orbiter]
        source:
          kubernetes:
            nfs: {server: nfs.example.org, path: /exports/datalabs/solo}
        mount_path: /mnt/solar-orbiter
      - id: host-archive
        title: Host archive
        source:
          kubernetes:
            hostPath: {path: /srv/archive}
    """
)

#: what Zero to JupyterHub configures: a home volume per user, an image and default limits
OPERATOR_VOLUME = {"name": "home", "persistentVolumeClaim": {"claimName": "claim-{username}"}}
OPERATOR_MOUNT = {"name": "home", "mountPath": "/home/jovyan"}
OPERATOR_IMAGE = "registry.example.org/datalabs/base:0.1.0"


@pytest.fixture(autouse=True)
def no_cluster(monkeypatch):
    """KubeSpawner loads a kubeconfig in __init__; there is none here."""
    monkeypatch.setattr(kubespawner.spawner, "load_config", lambda **kwargs: None)


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "datalabs.yaml").write_text(CATALOG)
    return folder


def spawner_config(catalog_dir: Path, volume_roots: list[str] | None = None) -> Config:
    c = Config()
    c.DatalabsSpawner.catalog_path = str(catalog_dir)
    c.DatalabsSpawner.allowed_volume_roots = volume_roots or []
    c.KubeSpawner.volumes = [OPERATOR_VOLUME]
    c.KubeSpawner.volume_mounts = [OPERATOR_MOUNT]
    c.KubeSpawner.image = OPERATOR_IMAGE
    c.KubeSpawner.cpu_limit = 1.0
    c.KubeSpawner.mem_limit = "2G"
    return c


def make_spawner(c: Config, options: dict[str, Any]) -> DatalabsKubeSpawner:
    """Must run inside the event loop (KubeSpawner makes its API client there)."""
    spawner = DatalabsKubeSpawner(config=c, _mock=True)
    spawner.user_options = options
    return spawner


async def launch(spawner: DatalabsKubeSpawner) -> Any:
    """What JupyterHub's User.spawn does: the apply_user_options hook, then start."""
    await spawner._run_apply_user_options(spawner.user_options)
    return await spawner.start()


async def build_pod(spawner: DatalabsKubeSpawner) -> dict[str, Any]:
    """The pod as KubeSpawner would send it: options applied by the hook, manifest built, serialized (camelCase)."""
    await spawner._run_apply_user_options(spawner.user_options)
    pod = await spawner.get_pod_manifest()
    async with ApiClient() as api:
        return api.sanitize_for_serialization(pod)


@pytest.fixture
def fake_kube_start(monkeypatch) -> list[dict[str, Any]]:
    """Replace KubeSpawner's start (which talks to the API server) by building the pod; collect pods."""
    pods: list[dict[str, Any]] = []

    async def start(self):
        pods.append(self.api.api_client.sanitize_for_serialization(await self.get_pod_manifest()))
        return "http://pod.example:8888"

    monkeypatch.setattr(KubeSpawner, "start", start)
    return pods


def container(pod: dict[str, Any]) -> dict[str, Any]:
    (notebook,) = [c for c in pod["spec"]["containers"] if c["name"] == "notebook"]
    return notebook


def mounts_by_name(pod: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["name"]: m for m in container(pod)["volumeMounts"]}


def volumes_by_name(pod: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["name"]: v for v in pod["spec"]["volumes"]}


def env_of(pod: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in container(pod)["env"]}


TWO_ARCHIVES = {"datalab": "astro-lab", "volumes": ["spice-kernels", "solo-archive"]}


# --- the real pod manifest ------------------------------------------------------------------------


@pytest.mark.parametrize("version", K8S_VERSIONS)
async def test_pod_manifest_validates_strictly(catalog_dir, version):
    pod = await build_pod(make_spawner(spawner_config(catalog_dir), TWO_ARCHIVES))
    assert kubernetes_validate.validate(pod, version, strict=True) == version
    assert check_pod(pod) == []


async def test_strict_validation_is_not_a_no_op(catalog_dir):
    """A misspelt field fails the same call, so the passing test above means something."""
    pod = await build_pod(make_spawner(spawner_config(catalog_dir), TWO_ARCHIVES))
    container(pod)["volumeMounts"][1]["readonly"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(pod, "1.37", strict=True)


async def test_archive_volumes_are_read_only_where_the_catalogue_says(catalog_dir):
    pod = await build_pod(make_spawner(spawner_config(catalog_dir), TWO_ARCHIVES))
    mounts, volumes = mounts_by_name(pod), volumes_by_name(pod)
    assert mounts["vol-spice-kernels"] == {
        "name": "vol-spice-kernels", "mountPath": "/data/spice-kernels", "readOnly": True
    }
    assert mounts["vol-solo-archive"] == {"name": "vol-solo-archive", "mountPath": "/mnt/solar-orbiter", "readOnly": True}
    assert volumes["vol-spice-kernels"]["persistentVolumeClaim"] == {
        "claimName": "datalabs-spice-kernels", "readOnly": True
    }
    assert volumes["vol-solo-archive"]["nfs"] == {
        "server": "nfs.example.org", "path": "/exports/datalabs/solo", "readOnly": True
    }
    assert pod["metadata"]["annotations"][ANNOTATION_VOLUMES] == "spice-kernels,solo-archive"


async def test_operator_volume_is_kept_next_to_the_archive_volumes(catalog_dir):
    """zero-to-jupyterhub-k8s #2556: a per-launch override must not drop the user's own volume."""
    pod = await build_pod(make_spawner(spawner_config(catalog_dir), TWO_ARCHIVES))
    assert [v["name"] for v in pod["spec"]["volumes"]] == ["home", "vol-spice-kernels", "vol-solo-archive"]
    home = volumes_by_name(pod)["home"]["persistentVolumeClaim"]["claimName"]
    assert home.startswith("claim-") and "{" not in home  # KubeSpawner still expands the operator's template
    assert mounts_by_name(pod)["home"] == {"name": "home", "mountPath": "/home/jovyan"}


async def test_operator_volumes_in_dict_form_are_kept_too(catalog_dir):
    c = spawner_config(catalog_dir)
    c.KubeSpawner.volumes = {"home": OPERATOR_VOLUME}
    c.KubeSpawner.volume_mounts = {"home": OPERATOR_MOUNT}
    pod = await build_pod(make_spawner(c, TWO_ARCHIVES))
    assert set(volumes_by_name(pod)) == {"home", "vol-spice-kernels", "vol-solo-archive"}
    assert set(mounts_by_name(pod)) == {"home", "vol-spice-kernels", "vol-solo-archive"}
    assert check_pod(pod) == []


async def test_limits_image_and_environment_come_from_the_catalogue(catalog_dir):
    pod = await build_pod(make_spawner(spawner_config(catalog_dir), TWO_ARCHIVES))
    notebook = container(pod)
    assert notebook["image"] == "registry.example.org/datalabs/jupyterlab-astro:0.1.0"
    assert notebook["resources"]["limits"] == {"cpu": 2.0, "memory": parse_memory("4G")}
    assert notebook["resources"]["requests"] == {"cpu": 2.0, "memory": parse_memory("4G")}  # guarantee_fraction 1.0
    env = env_of(pod)
    assert env["DATALABS_DATALAB"] == "astro-lab"
    assert env["MISSION_HINT"] == "{braces are not templates}"
    described = json.loads(env["DATALABS_VOLUMES"])
    assert [v["mount_path"] for v in described] == ["/data/spice-kernels", "/mnt/solar-orbiter"]
    assert env["JUPYTERHUB_DEFAULT_URL"] == "/lab"
    assert pod["metadata"]["labels"][LABEL_DATALAB] == "astro-lab"


async def test_guarantee_fraction_sets_requests_below_limits(catalog_dir):
    c = spawner_config(catalog_dir)
    c.DatalabsKubeSpawner.guarantee_fraction = 0.25
    pod = await build_pod(make_spawner(c, TWO_ARCHIVES))
    assert container(pod)["resources"]["requests"] == {"cpu": 0.5, "memory": parse_memory("1G")}


async def test_a_datalab_without_settings_keeps_the_operator_values(catalog_dir):
    pod = await build_pod(make_spawner(spawner_config(catalog_dir), {"datalab": "plain-lab", "volumes": []}))
    assert container(pod)["image"] == OPERATOR_IMAGE
    assert container(pod)["resources"]["limits"] == {"cpu": 1.0, "memory": parse_memory("2G")}
    assert [v["name"] for v in pod["spec"]["volumes"]] == ["home"]


async def test_start_builds_the_pod_and_a_later_launch_starts_from_the_operator_values(catalog_dir, fake_kube_start):
    spawner = make_spawner(spawner_config(catalog_dir), TWO_ARCHIVES)
    assert await launch(spawner) == "http://pod.example:8888"
    spawner.user_options = {"datalab": "plain-lab", "volumes": ["spice-kernels"]}
    await launch(spawner)
    first, second = fake_kube_start
    assert [v["name"] for v in first["spec"]["volumes"]] == ["home", "vol-spice-kernels", "vol-solo-archive"]
    assert [v["name"] for v in second["spec"]["volumes"]] == ["home", "vol-spice-kernels"]
    assert container(second)["image"] == OPERATOR_IMAGE
    assert container(second)["resources"]["limits"]["cpu"] == 1.0
    assert LABEL_DATALAB in first["metadata"]["labels"] and second["metadata"]["labels"][LABEL_DATALAB] == "plain-lab"


@pytest.mark.parametrize(
    "options, field",
    [
        ({"datalab": "no-such-lab"}, "datalab"),
        ({"datalab": "astro-lab", "volumes": ["no-such-volume"]}, "volumes[0]"),
        ({"datalab": "astro-lab", "volumes": ["../etc"]}, "volumes"),
        ({"datalab": "astro-lab", "image": "evil/image"}, "image"),
        ({}, "datalab"),
    ],
)
async def test_bad_options_raise_400_before_any_pod_is_built(catalog_dir, fake_kube_start, options, field):
    spawner = make_spawner(spawner_config(catalog_dir), options)
    with pytest.raises(web.HTTPError) as info:
        await launch(spawner)
    assert info.value.status_code == 400
    assert f"{field}:" in info.value.log_message
    assert fake_kube_start == []
    assert spawner.volumes == [OPERATOR_VOLUME] and spawner.image == OPERATOR_IMAGE


async def test_a_volume_without_a_kubernetes_source_is_refused_with_400(tmp_path, fake_kube_start):
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "c.yaml").write_text(
        CATALOG + f"  - id: local-only\n    title: Local only\n    source: {{local: {tmp_path}/local-only}}\n"
    )
    options = {"datalab": "astro-lab", "volumes": ["local-only"]}
    spawner = make_spawner(spawner_config(catalog, [str(tmp_path)]), options)
    with pytest.raises(web.HTTPError) as info:
        await launch(spawner)
    assert info.value.status_code == 400 and "'local-only' has no Kubernetes source" in info.value.log_message
    assert fake_kube_start == []


async def test_an_operator_mount_where_an_archive_goes_is_refused(catalog_dir, fake_kube_start, caplog):
    """An operator fault: 500, the details for the operator in the log, a plain message for the user."""
    c = spawner_config(catalog_dir)
    c.KubeSpawner.volume_mounts = [OPERATOR_MOUNT, {"name": "home", "mountPath": "/data/spice-kernels"}]
    spawner = make_spawner(c, TWO_ARCHIVES)
    with pytest.raises(web.HTTPError) as info:
        await launch(spawner)
    assert info.value.status_code == 500 and "administrator" in info.value.log_message
    assert "volumeMounts" not in info.value.log_message
    assert "two volumeMounts at /data/spice-kernels" in caplog.text


async def test_progress_gives_our_events_then_kubespawners(catalog_dir, fake_kube_start, monkeypatch):
    async def kube_progress(self):
        yield {"progress": 50, "message": "Pulling image"}

    monkeypatch.setattr(KubeSpawner, "progress", kube_progress)
    spawner = make_spawner(spawner_config(catalog_dir), TWO_ARCHIVES)
    await launch(spawner)
    messages = [event["message"] async for event in spawner.progress()]
    assert messages[0] == "Launching Astro lab"
    assert messages[1:3] == [
        "Archive volume SPICE kernels -> /data/spice-kernels (read-only)",
        "Archive volume Solar Orbiter archive -> /mnt/solar-orbiter (read-only)",
    ]
    assert messages[3].startswith("Requesting a pod with image registry.example.org/datalabs/jupyterlab-astro:0.1.0 (2 CPU")
    assert messages[4:] == ["Pulling image"]


# --- the pure builders and check_pod ------------------------------------------------------------


def plan_of(catalog_dir: Path, *volume_ids: str) -> LaunchPlan:
    return build_launch_plan(load_catalog(catalog_dir, []), LaunchOptions(datalab="astro-lab", volumes=list(volume_ids)))


def test_host_path_volume_must_be_an_existing_directory(catalog_dir):
    volume = build_volume(plan_of(catalog_dir, "host-archive").volumes[0])
    assert volume.name == "vol-host-archive"
    assert (volume.host_path.path, volume.host_path.type) == ("/srv/archive", "Directory")


def test_build_resources(catalog_dir):
    plan = plan_of(catalog_dir)
    half = build_resources(plan, 0.5)
    assert (half.cpu_limit, half.cpu_guarantee) == (2.0, 1.0)
    assert (half.mem_limit, half.mem_guarantee) == (4 * 1024**3, 2 * 1024**3)
    with pytest.raises(ValueError):
        build_resources(plan, 0)


@pytest.fixture
async def good_pod(catalog_dir) -> dict[str, Any]:
    return await build_pod(make_spawner(spawner_config(catalog_dir), TWO_ARCHIVES))


def test_check_pod_catches_a_mount_of_a_missing_volume(good_pod):
    pod = copy.deepcopy(good_pod)
    pod["spec"]["volumes"] = [v for v in pod["spec"]["volumes"] if v["name"] != "home"]
    assert check_pod(pod) == [
        "containers[0] 'notebook': volumeMount at /home/jovyan names volume 'home', which is not defined"
    ]


def test_check_pod_catches_bad_names(good_pod):
    pod = copy.deepcopy(good_pod)
    pod["spec"]["volumes"][0]["name"] = "Home_Dir"
    container(pod)["volumeMounts"][0]["name"] = "Home_Dir"
    pod["spec"]["containers"].append({"name": "side.car", "image": "busybox"})
    assert check_pod(pod) == [
        "volumes[0]: name 'Home_Dir' is not an RFC 1123 label",
        "containers[1] 'side.car': name is not an RFC 1123 label",
    ]


def test_check_pod_catches_writable_archives_and_duplicates(good_pod):
    pod = copy.deepcopy(good_pod)
    mounts = mounts_by_name(pod)
    mounts["vol-spice-kernels"]["readOnly"] = False
    del volumes_by_name(pod)["vol-solo-archive"]["nfs"]["readOnly"]
    pod["spec"]["volumes"].append(copy.deepcopy(pod["spec"]["volumes"][0]))
    assert check_pod(pod) == [
        "volumes[3]: name 'home' is defined twice",
        "archive volume 'vol-solo-archive': its source must be readOnly",
        "containers[0] 'notebook': archive volume 'vol-spice-kernels' at /data/spice-kernels"
        " must be mounted readOnly",
    ]


def test_check_pod_catches_an_archive_volume_missing_from_the_pod(good_pod):
    pod = copy.deepcopy(good_pod)
    pod["metadata"]["annotations"][ANNOTATION_VOLUMES] += ",extra"
    assert check_pod(pod) == [f"archive volume 'vol-extra' is listed in {ANNOTATION_VOLUMES} but not defined"]


# --- config/kubernetes/ -------------------------------------------------------------------------


def archive_manifests() -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all((KUBE_CONFIG / "archive-volumes.yaml").read_text()) if doc]


@pytest.mark.parametrize("version", ["1.30", "1.37"])
def test_archive_volume_manifests_validate_strictly(version):
    for doc in archive_manifests():
        kubernetes_validate.validate(doc, version, strict=True)


def test_archive_volume_manifests_match_the_shipped_catalogue():
    docs = archive_manifests()
    claims = {d["metadata"]["name"]: d for d in docs if d["kind"] == "PersistentVolumeClaim"}
    volumes = {d["metadata"]["name"]: d for d in docs if d["kind"] == "PersistentVolume"}
    catalog = load_catalog(CHECKOUT / "spawner_profiles", None)
    wanted = {v.source.kubernetes.persistentVolumeClaim.claimName for v in catalog.volumes.values()
              if v.source.kubernetes and v.source.kubernetes.persistentVolumeClaim}
    assert wanted and wanted <= set(claims)
    for name, claim in claims.items():
        pv = volumes[claim["spec"]["volumeName"]]
        assert claim["spec"]["accessModes"] == pv["spec"]["accessModes"] == ["ReadOnlyMany"]
        assert pv["spec"]["nfs"]["readOnly"] is True
        assert pv["spec"]["claimRef"] == {"namespace": claim["metadata"]["namespace"], "name": name}


def test_catalogue_config_map_layout_loads(tmp_path):
    """Lay the shipped catalogue out as values.yaml's projected ConfigMaps do, and load it there."""
    values = yaml.safe_load((KUBE_CONFIG / "values.yaml").read_text())
    hub = values["hub"]
    (mount,) = [m for m in hub["extraVolumeMounts"] if m["name"] == "datalabs-catalog"]
    assert hub["extraEnv"]["DATALABS_CATALOG"] == mount["mountPath"]
    (volume,) = [v for v in hub["extraVolumes"] if v["name"] == "datalabs-catalog"]
    yaml_source, icon_source = (s["configMap"] for s in volume["projected"]["sources"])
    assert "items" not in yaml_source  # every *.yaml key of the first ConfigMap lands at the top
    layout = tmp_path / "catalog"
    layout.mkdir()
    for path in (CHECKOUT / "spawner_profiles").glob("*.yaml"):
        (layout / path.name).write_bytes(path.read_bytes())
    for item in icon_source["items"]:
        target = layout / item["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((CHECKOUT / "spawner_profiles" / "icons" / item["key"]).read_bytes())
    catalog = load_catalog(layout, [VOLUME_ROOT])
    assert catalog.datalabs and all(d.id in catalog.icons for d in catalog.datalabs.values() if d.icon)


def test_hub_config_snippet_selects_the_kube_spawner(monkeypatch):
    monkeypatch.setenv("DATALABS_CATALOG", str(CHECKOUT / "spawner_profiles"))
    monkeypatch.delenv("DATALABS_VOLUME_ROOTS", raising=False)
    c = Config()
    source = (KUBE_CONFIG / "jupyterhub_config.py").read_text()
    exec(compile(source, "jupyterhub_config.py", "exec"), {"c": c, "__name__": "jupyterhub_config"})
    assert c.JupyterHub.spawner_class == "datalabs-kube"
    assert c.DatalabsSpawner.catalog_path == str(CHECKOUT / "spawner_profiles")
    assert c.JupyterHub.allow_named_servers is True
    assert os.path.isdir(c.DatalabsSpawner.catalog_path)
