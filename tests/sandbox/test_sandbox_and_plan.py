"""Pure builders: user options -> launch plan -> bubblewrap argv."""

from __future__ import annotations

import json
from pathlib import PurePosixPath

import pytest

from datalabs_hub.catalog import load_catalog
from datalabs_hub.contract import MAX_ICON_URI_BYTES, DatalabContract, read_contract
from datalabs_hub.errors import InvalidOptions
from datalabs_hub.hub.options import options_from_form, parse_options
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


def test_plan_env_round_trips_through_the_contract(tmp_path):
    """What the hub writes is what the datalab's server reads back, with the same models."""
    (tmp_path / "vol").mkdir()
    (tmp_path / "icons").mkdir()
    (tmp_path / "icons" / "small.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (tmp_path / "icons" / "huge.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg">' + " " * MAX_ICON_URI_BYTES + "</svg>")
    (tmp_path / "c.yaml").write_text(
        f"""
datalabs:
  - {{id: lab, title: Lab, kind: jupyterlab, default_volumes: [a, b], environment: {{env: {{DATALABS_DATALAB: spoof}}}}}}
  - {{id: viewer, title: Viewer, kind: desktop, icon: icons/small.svg, desktop: {{command: [xeyes]}}}}
  - {{id: big, title: Big icon, kind: desktop, icon: icons/huge.svg, desktop: {{command: [xclock], java_heap: 1G}}}}
volumes:
  - {{id: a, title: A, mission: [M], description: Mission A, source: {{local: {tmp_path}/vol}}}}
  - {{id: b, title: B, source: {{local: {tmp_path}/vol}}, mount_path: /mnt/bee}}
"""
    )
    catalog = load_catalog(tmp_path, [tmp_path])
    lab = build_launch_plan(catalog, parse_options({"datalab": "lab"}))
    assert isinstance(lab.contract, DatalabContract)
    read = read_contract(lab.env)
    assert read == lab.contract
    # the contract's variables win over a catalogue env of the same name
    assert read.datalab == "lab" and read.title == "Lab" and read.desktop_autostart is None
    assert [(v.id, v.mount_path, v.read_only) for v in read.volumes] == [("a", "/data/a", True), ("b", "/mnt/bee", True)]
    assert read.volumes[0].mission == ["M"] and read.volumes[0].description == "Mission A"
    # a JupyterLab datalab offers every desktop application as a tile; an icon too large for the environment is left out
    assert [a.id for a in read.desktop_apps] == ["viewer", "big"]
    assert read.desktop_apps[0].icon.startswith("data:image/svg+xml") and read.desktop_apps[1].icon is None
    viewer = read_contract(build_launch_plan(catalog, parse_options({"datalab": "viewer", "volumes": []})).env)
    assert viewer.desktop_autostart == "viewer" and [a.id for a in viewer.desktop_apps] == ["viewer"]
    assert viewer.desktop_apps[0].desktop.command == ["xeyes"] and viewer.volumes == []
    big = read_contract(build_launch_plan(catalog, parse_options({"datalab": "big"})).env)
    assert big.desktop_apps[0].desktop.java_heap_mib == 1024


def test_plan_explicit_volumes_and_groups(catalog):
    plan = build_launch_plan(catalog, parse_options({"datalab": "lab", "volumes": ["b"]}))
    assert [str(v.mount_path) for v in plan.volumes] == ["/mnt/bee"]
    assert build_launch_plan(catalog, parse_options({"datalab": "lab", "volumes": []})).volumes == ()
    with pytest.raises(InvalidOptions) as e:
        build_launch_plan(catalog, parse_options({"datalab": "team-lab"}), groups=["other"])
    assert e.value.field == "datalab"
    assert build_launch_plan(catalog, parse_options({"datalab": "team-lab", "volumes": ["t"]}), groups=["team"])


def test_form_fields(catalog):
    assert options_from_form({"datalab": ["lab"], "volumes": ["a", "b"]}) == {"datalab": "lab", "volumes": ["a", "b"]}
    assert options_from_form({"datalab": ["lab"]}) == {"datalab": "lab", "volumes": []}
    for bad in ({}, {"datalab": ["a", "b"]}):
        with pytest.raises(InvalidOptions, match="pick exactly one datalab"):
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
