"""A desktop datalab on the Kubernetes back end, without a cluster (as in test_kube_spawner.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import kubernetes_validate
import pytest
from test_kube_spawner import K8S_VERSIONS, build_pod, container, env_of, make_spawner, no_cluster, spawner_config  # noqa: F401

from datalabs_hub.contract import read_desktop_apps
from datalabs_hub.hub.kube_objects import check_pod

DESKTOP_IMAGE = "registry.example.org/datalabs/desktop:0.1.0"
CATALOG = textwrap.dedent(
    f"""
    datalabs:
      - id: topcat
        title: TOPCAT
        kind: desktop
        environment: {{image: {DESKTOP_IMAGE}}}
        resources: {{cpu: 1, memory: 2G}}
        default_volumes: [sky]
        desktop:
          command: [topcat, -nohub]
          java_heap: 1G
          samp: true
    volumes:
      - id: sky
        title: Sky archive
        source:
          kubernetes:
            persistentVolumeClaim: {{claimName: datalabs-sky}}
    """
)


@pytest.fixture
def desktop_catalog(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "datalabs.yaml").write_text(CATALOG)
    return folder


@pytest.mark.parametrize("version", K8S_VERSIONS)
async def test_desktop_pod_validates_strictly(desktop_catalog, version):
    pod = await build_pod(make_spawner(spawner_config(desktop_catalog), {"datalab": "topcat"}))
    assert kubernetes_validate.validate(pod, version, strict=True) == version
    assert check_pod(pod) == []


async def test_desktop_pod_runs_the_application_from_the_catalogue(desktop_catalog):
    pod = await build_pod(make_spawner(spawner_config(desktop_catalog), {"datalab": "topcat"}))
    notebook = container(pod)
    assert notebook["image"] == DESKTOP_IMAGE
    env = env_of(pod)
    assert env["DATALABS_DESKTOP_AUTOSTART"] == "topcat"
    assert env["JUPYTERHUB_DEFAULT_URL"] == "/desktop/topcat/"
    [app] = read_desktop_apps(env)
    assert app.desktop.command == ["topcat", "-nohub"] and app.desktop.java_heap_mib == 1024
    assert {m["mountPath"]: m.get("readOnly") for m in notebook["volumeMounts"]}["/data/sky"] is True
    # no port of the desktop on the pod: VNC stays on a unix socket inside the container
    assert [p["containerPort"] for p in notebook.get("ports", [])] == [8888]
