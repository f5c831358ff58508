"""The catalogue loader: every problem names the file, the entry and the field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from datalabs_hub.catalog import VOLUME_ROOT, CatalogError, CatalogStore, load_catalog
from datalabs_hub.testing.hub import CHECKOUT

GOOD = """
datalabs:
  - id: lab
    title: Lab
    kind: jupyterlab
    default_volumes: [vol]
volumes:
  - id: vol
    title: Volume
    source: {local: ROOT/vol}
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text))
    return path


def problems(directory: Path, roots=None) -> list[str]:
    with pytest.raises(CatalogError) as info:
        load_catalog(directory, roots if roots is not None else [directory])
    return [str(p) for p in info.value.problems]


def test_shipped_catalogue_is_valid():
    catalog = load_catalog(CHECKOUT / "spawner_profiles", [VOLUME_ROOT])
    assert "jupyterlab-astro" in catalog.datalabs
    assert {"spice-kernels", "heliophysics", "astronomy", "planetary-archive"} <= set(catalog.volumes)
    assert catalog.icons["jupyterlab-astro"].startswith("data:image/svg+xml;base64,")
    for volume in catalog.volumes.values():
        assert str(volume.path_in_datalab) == f"/data/{volume.id}"


def test_good_catalogue(tmp_path):
    write(tmp_path, "c.yaml", GOOD.replace("ROOT", str(tmp_path)))
    catalog = load_catalog(tmp_path, [tmp_path])
    assert catalog.datalabs["lab"].default_volumes == ["vol"]
    assert catalog.origins["volume", "vol"].endswith("c.yaml")


@pytest.mark.parametrize(
    "text,expected",
    [
        ("datalabs: [\n  - id: x", "invalid YAML at line"),
        ("- just\n- a list\n", "the top level must be a mapping"),
        ("datalabs:\n  - id: lab\n    title: L\n    kind: jupyterlab\n    colour: red\n",
         "datalab 'lab', field 'colour': unknown field"),
        ("datalabs:\n  - id: lab\n    title: L\n    kind: spaceship\n", "datalab 'lab', field 'kind'"),
        ("datalabs:\n  - id: lab\n    title: L\n    kind: jupyterlab\n    resources: {cpu: many}\n",
         "datalab 'lab', field 'resources.cpu'"),
        ("datalabs:\n  - id: lab\n    title: L\n    kind: jupyterlab\n    resources: {memory: 4Q}\n",
         "field 'resources.memory': '4Q' is not a memory size"),
        ("datalabs:\n  - id: ../evil\n    title: L\n    kind: jupyterlab\n", "field 'id': '../evil' is not a valid id"),
        ("datalabs:\n  - title: L\n    kind: jupyterlab\n", "datalab #1, field 'id': Field required"),
        ("datalabs:\n  - id: lab\n    title: L\n    kind: jupyterlab\n    default_volumes: [ghost]\n",
         "datalab 'lab', field 'default_volumes[0]': volume 'ghost' is not defined"),
        ("datalabs:\n  - id: lab\n    title: L\n    kind: jupyterlab\n    icon: ../../etc/passwd\n",
         "datalab 'lab', field 'icon': must be a relative .svg or .png path"),
        ("volumes:\n  - id: v\n    title: V\n    source: {local: /etc}\n",
         "volume 'v', field 'source.local': /etc is outside the allowed volume roots"),
        ("volumes:\n  - id: v\n    title: V\n    source: {local: relative/path}\n",
         "volume 'v', field 'source.local'"),
        ("volumes:\n  - id: v\n    title: V\n    source: {}\n", "give a 'local' directory and/or a 'kubernetes' source"),
        ("volumes:\n  - id: v\n    title: V\n    source: {kubernetes: {nfs: {server: s, path: /x}, hostPath: {path: /y}}}\n",
         "give exactly one of persistentVolumeClaim, nfs, hostPath (got nfs, hostPath)"),
        ("volumes:\n  - id: v\n    title: V\n    source: {kubernetes: {hostPath: {path: /y}}}\n    mount_path: /etc/v\n",
         "volume 'v', field 'mount_path': /etc/v must be an absolute path below /data/ or /mnt/"),
        ("volumes:\n  - id: v\n    title: V\n    source: {kubernetes: {hostPath: {path: /y}}}\n    mount_path: /data/../etc\n",
         "field 'mount_path'"),
        ("volumes:\n  - id: v\n    title: V\n    source: {kubernetes: {hostPath: {path: /y}}}\n"
         "  - id: w\n    title: W\n    source: {kubernetes: {hostPath: {path: /z}}}\n    mount_path: /data/v/inner\n",
         "volume 'w', field 'mount_path': /data/v/inner overlaps the mount path of volume 'v'"),
        ("volumes:\n  - id: v\n    title: " + "x" * 300 + "\n    source: {kubernetes: {hostPath: {path: /y}}}\n",
         "volume 'v', field 'title': String should have at most 200 characters"),
    ],
)
def test_bad_catalogue_names_file_entry_and_field(tmp_path, text, expected):
    write(tmp_path, "bad.yaml", text)
    found = problems(tmp_path)
    assert any(expected in p for p in found), found
    assert all("bad.yaml" in p for p in found), found


def test_duplicate_ids_across_files(tmp_path):
    write(tmp_path, "a.yaml", "datalabs:\n  - {id: lab, title: A, kind: jupyterlab}\n")
    write(tmp_path, "b.yaml", "datalabs:\n  - {id: lab, title: B, kind: jupyterlab}\n")
    found = problems(tmp_path)
    assert any("b.yaml: datalab 'lab', field 'id': duplicate id: also defined in" in p and "a.yaml" in p for p in found)


def test_oversized_and_binary_files(tmp_path):
    (tmp_path / "huge.yaml").write_text("# " + "x" * (1024 * 1024 + 10))
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00garbage")
    found = problems(tmp_path)
    assert any("huge.yaml: file is" in p and "at most 1048576" in p for p in found)
    assert any("binary.yaml: not UTF-8 text" in p for p in found)


def test_empty_or_missing_folder(tmp_path):
    assert any("no *.yaml catalogue files found" in p for p in problems(tmp_path))
    assert any("does not exist" in p for p in problems(tmp_path / "missing"))


def test_yaml_bombs_are_refused_quickly(tmp_path):
    # a "billion laughs" alias bomb must not hang the hub
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    write(tmp_path, "bomb.yaml", bomb)
    found = problems(tmp_path)
    assert any("bomb.yaml" in p for p in found)


def test_store_keeps_the_last_good_catalogue(tmp_path):
    good = GOOD.replace("ROOT", str(tmp_path))
    path = write(tmp_path, "c.yaml", good)
    store = CatalogStore(tmp_path, [tmp_path])
    assert set(store.get().datalabs) == {"lab"}
    path.write_text(good.replace("\nvolumes:", "\n  - {id: lab2, title: Lab 2, kind: jupyterlab}\nvolumes:"))
    assert set(store.get().datalabs) == {"lab", "lab2"}
    path.write_text("datalabs: [oops")
    assert set(store.get().datalabs) == {"lab", "lab2"}
    assert store.last_error is not None and "c.yaml" in str(store.last_error)


def test_store_refuses_a_bad_catalogue_at_start(tmp_path):
    write(tmp_path, "c.yaml", "datalabs: 7\n")
    with pytest.raises(CatalogError, match="c.yaml"):
        CatalogStore(tmp_path, [tmp_path])
