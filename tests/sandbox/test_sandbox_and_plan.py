"""Pure builders: user options -> launch plan -> bubblewrap argv."""

from __future__ import annotations

import json
from pathlib import PurePosixPath

import pytest

from datalabs_hub.catalog import load_catalog
from datalabs_hub.hub.options import OptionsError, options_from_form, parse_options
from datalabs_hub.hub.plan import build_launch_plan
from datalabs_hub.sandbox import HostLayout, SandboxSpec, build_bwrap_argv

LAYOUT = HostLayout(system_dirs=("/usr", "/etc"), symlinks={"/bin": "usr/bin"})


@pytest.fixture
def catalog(tmp_path):
    (tmp_path / "vol-a").mkdir()
    (tmp_path / "c.yaml").write_text(
        f"""
datalabs:
  - {{id: lab, title: Lab, kind: jupyterlab, default_volumes: [a], resources: {{cpu: 1.5, memory: 512Mi}},
     environment: {{env: {{MY_VAR: "1"}}}}}}
  - {{id: team-lab, title: Team, kind: jupyterlab, allowed_groups: [team]}}
volumes:
  - {{id: a, title: A, mission: [M], source: {{local: {tmp_path}/vol-a}}}}
  - {{id: b, title: B, source: {{local: {tmp_path}/vol-a}}, mount_path: /mnt/bee}}
  - {{id: t, title: T, allowed_groups: [team], source: {{local: {tmp_path}/vol-a}}}}
"""
    )
    return load_catalog(tmp_path, [tmp_path])


def test_plan_defaults_and_environment(catalog):
    plan = build_launch_plan(catalog, parse_options({"datalab": "lab"}))
    assert [v.id for v in plan.volumes] == ["a"]
    assert plan.mem_limit == 512 * 1024**2 and plan.cpu_limit == 1.5
    assert plan.env["MY_VAR"] == "1" and plan.env["DATALABS_DATALAB"] == "lab"
    described = json.loads(plan.env["DATALABS_VOLUMES"])
    assert described == [{"id": "a", "title": "A", "mission": ["M"], "description": "", "mount_path": "/data/a",
                          "read_only": True}]


def test_plan_explicit_volumes_and_groups(catalog):
    plan = build_launch_plan(catalog, parse_options({"datalab": "lab", "volumes": ["b"]}))
    assert [str(v.mount_path) for v in plan.volumes] == ["/mnt/bee"]
    assert build_launch_plan(catalog, parse_options({"datalab": "lab", "volumes": []})).volumes == ()
    with pytest.raises(OptionsError) as e:
        build_launch_plan(catalog, parse_options({"datalab": "team-lab"}), groups=["other"])
    assert e.value.field == "datalab"
    assert build_launch_plan(catalog, parse_options({"datalab": "team-lab", "volumes": ["t"]}), groups=["team"])


def test_form_fields(catalog):
    assert options_from_form({"datalab": ["lab"], "volumes": ["a", "b"]}) == {"datalab": "lab", "volumes": ["a", "b"]}
    assert options_from_form({"datalab": ["lab"]}) == {"datalab": "lab", "volumes": []}
    for bad in ({}, {"datalab": ["a", "b"]}):
        with pytest.raises(OptionsError, match="pick exactly one datalab"):
            options_from_form(bad)


def test_sandbox_argv_binds_volumes_read_only_and_hides_the_rest():
    spec = SandboxSpec(
        user="alice", uid=1001, gid=1001, home=PurePosixPath("/home/alice"), command=("jupyterhub-singleuser",),
        volumes=((PurePosixPath("/srv/v/a"), PurePosixPath("/data/a")), (PurePosixPath("/srv/v/b"), PurePosixPath("/mnt/deep/b"))),
        runtime_paths=(PurePosixPath("/root/project/.venv"),),
        hidden_paths=(PurePosixPath("/var/lib/datalabs"),),
    )
    argv = build_bwrap_argv(spec, LAYOUT, bwrap="/usr/bin/bwrap", setpriv="/usr/bin/setpriv")
    text = " ".join(argv)
    assert argv[0] == "/usr/bin/bwrap" and "--unshare-pid" in argv
    assert "--ro-bind /srv/v/a /data/a" in text and "--ro-bind /srv/v/b /mnt/deep/b" in text
    assert "--bind /home/alice /home/alice" in text and "--tmpfs /home" in text and "--tmpfs /tmp" in text
    assert "--tmpfs /var/lib/datalabs" in text
    # parents of runtime paths are created world-readable (bwrap's default would be 0700)
    assert "--perms 0755 --dir /root --perms 0755 --dir /root/project" in text
    assert "--perms 0755 --dir /mnt/deep" in text
    # the user's command runs last, after dropping to the user's ids and every capability
    tail = argv[argv.index("--", argv.index("--chdir")) + 1:]
    assert tail == ["/usr/bin/setpriv", "--reuid=1001", "--regid=1001", "--init-groups", "--inh-caps=-all",
                    "--bounding-set=-all", "--", "jupyterhub-singleuser"]
    # nothing mounts the host's /srv or /root wholesale
    assert "/srv /srv" not in text and "--ro-bind /root /root" not in text
