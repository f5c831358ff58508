"""The shipped processing assets: what the library serves, and real runs on the demo archive volumes.

Each asset is run as the editor embeds it (the served, self-contained JSON tool) with
``cwltool --no-container`` inside the Datalabs sandbox, volumes at /data/<id>, and its output is
compared with the same quantity computed here directly with astropy / spiceypy.
"""

from __future__ import annotations

import csv
import io
import json
import os
import textwrap
from pathlib import Path

import numpy as np
import pytest
import spiceypy
from astropy.io import fits
from astropy.table import Table
from astropy.wcs import WCS
from cwltool.main import main as cwltool_main
from matplotlib.image import imread
from sandboxrun import DEMO_VOLUMES, make_home, run_cwltool

from datalabs_hub.pipelines.asset_library import BUILTIN_ASSETS, asset_folders, load_asset, load_asset_library

EIT = "heliophysics/soho/eit/efz20040301.000010_s.fits"
ISGRI = "astronomy/integral/isgri-mosaic/ISGRI_0727_88601650001_28_40_mosaic_original.fits"
JEMX = "astronomy/integral/jemx-lightcurves/1A_1742-289_JEMX1_allmission_timeseries.fits"
STIX = "heliophysics/solar-orbiter/stix/solo_L1_stix-ql-lightcurve_20200506_V01.fits"
HUBBLE = "astronomy/hubble/esa-archive/cone_search_m31_5.vot"
GAIA = "astronomy/gaia/dr3-5937083312263887616/fits/XP_SAMPLED-Gaia_DR3_5937083312263887616.fits"


def data_file(relative: str) -> dict:
    return {"class": "File", "location": f"/data/{relative}"}


def host(relative: str) -> Path:
    return DEMO_VOLUMES / relative


@pytest.fixture(scope="module")
def library():
    loaded = load_asset_library(asset_folders([]))
    assert loaded.errors == ()
    return loaded


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return make_home(tmp_path)


def run_asset(library, home: Path, asset_id: str, job: dict):
    tool = home / f"{asset_id}.cwl"
    tool.write_text(json.dumps(library.get(asset_id).tool))
    return run_cwltool(home, tool, job)


def test_the_library_ships_at_least_five_real_assets(library) -> None:
    ids = {a.id for a in library.assets}
    assert ids == {"fits-header", "fits-cutout", "fits-image-png", "plot-lightcurve", "spice-position", "table-convert"}
    for asset in library.assets:
        hints = asset.tool["hints"]
        assert "DockerRequirement" in hints and "DockerRequirement" not in asset.tool.get("requirements", {})
        for port in [*asset.tool["inputs"].values(), *asset.tool["outputs"].values()]:
            assert port.get("label") or port["type"] == "stdout"


@pytest.mark.parametrize("asset_id", ["fits-header", "fits-cutout", "fits-image-png", "plot-lightcurve",
                                      "spice-position", "table-convert"])
def test_served_tool_is_a_valid_self_contained_document(library, asset_id: str, tmp_path: Path) -> None:
    alone = tmp_path / "elsewhere" / f"{asset_id}.cwl"  # no script next to it
    alone.parent.mkdir()
    alone.write_text(json.dumps(library.get(asset_id).tool))
    out = io.StringIO()
    assert cwltool_main(["--validate", str(alone)], stdout=out, stderr=out) == 0, out.getvalue()


def test_fits_header_reads_keywords(library, home: Path) -> None:
    run = run_asset(library, home, "fits-header", {"fits": data_file(EIT), "keyword": "date-obs"})
    assert run.returncode == 0, run.stderr
    expected = fits.getheader(host(EIT))
    assert run.outputs["value"] == expected["DATE-OBS"]
    header = json.loads(Path(run.outputs["header"]["path"]).read_text())
    assert header["hdu"] == 0
    assert header["cards"]["NAXIS1"] == expected["NAXIS1"] == 128
    assert header["cards"]["TELESCOP"] == "SOHO"
    assert Path(run.outputs["cards"]["path"]).read_text().startswith("SIMPLE  =")
    assert {run.outputs[o]["basename"] for o in ("header", "cards")} == {
        f"{Path(EIT).stem}.header.json", f"{Path(EIT).stem}.header.txt"}, "named after the input, typed"


def test_fits_header_of_an_extension_by_name(library, home: Path) -> None:
    run = run_asset(library, home, "fits-header", {"fits": data_file(JEMX), "hdu": "timeseries"})
    assert run.returncode == 0, run.stderr
    header = json.loads(Path(run.outputs["header"]["path"]).read_text())
    assert header["name"] == "TIMESERIES"
    assert header["cards"]["NAXIS2"] == len(fits.getdata(host(JEMX), "TIMESERIES")) == 863


def test_fits_header_says_which_keyword_is_missing(library, home: Path) -> None:
    run = run_asset(library, home, "fits-header", {"fits": data_file(EIT), "keyword": "NO-SUCH"})
    assert run.returncode != 0
    assert "fits-header: keyword NO-SUCH is not in HDU 0 (PRIMARY)" in run.stderr


def test_fits_cutout_at_a_sky_position_keeps_the_wcs(library, home: Path) -> None:
    with fits.open(host(ISGRI)) as hdul:
        original = hdul[2]
        wcs = WCS(original.header)
        ra, dec = wcs.celestial.all_pix2world([[300.0, 250.0]], 0)[0]  # pixel (301, 251) in FITS numbering
        expected = original.data[250 - 20:250 + 20, 300 - 20:300 + 20]
    run = run_asset(library, home, "fits-cutout", {"image": data_file(ISGRI), "ra": float(ra), "dec": float(dec),
                                                     "size": 40})
    assert run.returncode == 0, run.stderr
    with fits.open(run.outputs["cutout"]["path"]) as cut:
        assert cut[0].data.shape == (40, 40)
        np.testing.assert_array_equal(cut[0].data, expected)
        back_ra, back_dec = WCS(cut[0].header).celestial.all_pix2world([[20.0, 20.0]], 0)[0]
        assert abs(back_ra - ra) < 1e-6 and abs(back_dec - dec) < 1e-6
        assert cut[0].header["DL_HDU"] == 2


def test_fits_cutout_at_a_pixel_and_outside_the_image(library, home: Path) -> None:
    run = run_asset(library, home, "fits-cutout", {"image": data_file(EIT), "x": 10, "y": 20, "size": 8})
    assert run.returncode == 0, run.stderr
    data = fits.getdata(host(EIT))
    cut = fits.getdata(run.outputs["cutout"]["path"])
    assert run.outputs["cutout"]["basename"] == f"{Path(EIT).stem}.cutout.fits", "named after the input, typed"
    assert run.outputs["log"]["basename"] == f"{Path(EIT).stem}.cutout.log"
    assert cut.shape == (8, 8)
    np.testing.assert_array_equal(cut, data[19 - 4:19 + 4, 9 - 4:9 + 4])
    outside = run_asset(library, home, "fits-cutout", {"image": data_file(EIT), "x": 900, "y": 900})
    assert outside.returncode != 0
    assert "fits-cutout: the centre (900.0, 900.0) is outside the 128x128 image" in outside.stderr


def test_table_convert_votable_to_csv_keeps_every_row(library, home: Path) -> None:
    run = run_asset(library, home, "table-convert", {"table": data_file(HUBBLE), "to": "csv"})
    assert run.returncode == 0, run.stderr
    original = Table.read(host(HUBBLE))
    with open(run.outputs["converted"]["path"], newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(original) == 2000
    assert list(rows[0]) == original.colnames
    assert run.outputs["converted"]["basename"] == f"{Path(HUBBLE).stem}.csv", "named after the input, typed"


def test_table_convert_fits_to_votable_and_back(library, home: Path) -> None:
    run = run_asset(library, home, "table-convert", {"table": data_file(GAIA), "to": "votable"})
    assert run.returncode == 0, run.stderr
    original = Table.read(host(GAIA), hdu=1)
    converted = Table.read(run.outputs["converted"]["path"], format="votable")
    assert len(converted) == len(original) == 343
    np.testing.assert_allclose(converted["flux"], original["flux"])
    assert str(converted["wavelength"].unit) == str(original["wavelength"].unit)


def test_table_convert_reports_what_it_cannot_read(library, home: Path) -> None:
    run = run_asset(library, home, "table-convert", {"table": data_file("spice-kernels/mk/demo.tm"), "to": "csv"})
    assert run.returncode != 0
    assert "table-convert: cannot read demo.tm as a table (give the input format" in run.stderr


def test_spice_position_matches_spiceypy(library, home: Path) -> None:
    times = ["2020-01-01T00:00:00", "2024-06-01T12:30:00"]
    run = run_asset(library, home, "spice-position", {
        "metakernel": data_file("spice-kernels/mk/demo.tm"), "target": "MARS BARYCENTER", "times": times,
        "abcorr": "LT+S"})
    assert run.returncode == 0, run.stderr
    with open(run.outputs["positions"]["path"], newline="") as handle:
        rows = list(csv.DictReader(handle))
    # the same kernels, loaded here directly (demo_relative.tm resolves its paths from mk/)
    cwd = os.getcwd()
    os.chdir(host("spice-kernels/mk"))
    try:
        spiceypy.furnsh("demo_relative.tm")
        for row, utc in zip(rows, times, strict=True):
            pos, light_time = spiceypy.spkpos("MARS BARYCENTER", spiceypy.str2et(utc), "J2000", "LT+S", "EARTH")
            assert [float(row[k]) for k in ("x_km", "y_km", "z_km")] == pytest.approx(list(pos), abs=0.01)
            assert float(row["light_time_s"]) == pytest.approx(light_time, abs=1e-5)
            assert float(row["distance_au"]) * 149_597_870.7 == pytest.approx(float(np.linalg.norm(pos)), rel=1e-8)
    finally:
        spiceypy.kclear()
        os.chdir(cwd)


def test_spice_position_says_what_is_not_covered(library, home: Path) -> None:
    run = run_asset(library, home, "spice-position", {
        "metakernel": data_file("spice-kernels/mk/demo.tm"), "target": "IO", "times": ["1990-01-01T00:00:00"]})
    assert run.returncode != 0
    assert "spice-position: no position of IO from EARTH at 1990-01-01T00:00:00" in run.stderr


@pytest.mark.parametrize(("relative", "points"), [(JEMX, 863), (STIX, 21516)])
def test_plot_lightcurve_draws_a_png(library, home: Path, relative: str, points: int) -> None:
    run = run_asset(library, home, "plot-lightcurve", {"lightcurve": data_file(relative)})
    assert run.returncode == 0, run.stderr
    png = Path(run.outputs["plot"]["path"])
    assert png.name == f"{Path(relative).stem}.lightcurve.png", "named after the input, typed"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert imread(png).shape[:2] == (450, 900)
    log = Path(run.outputs["log"]["path"]).read_text()
    assert log.startswith(f"{points} points of ")


def test_fits_image_png_renders_the_image(library, home: Path) -> None:
    run = run_asset(library, home, "fits-image-png", {"image": data_file(EIT), "stretch": "sqrt"})
    assert run.returncode == 0, run.stderr
    assert run.outputs["preview"]["basename"] == f"{Path(EIT).stem}.preview.png", "named after the input, typed"
    image = imread(run.outputs["preview"]["path"])
    assert image.shape[:2] == (600, 600)
    assert image[..., :3].std() > 0.05  # not a blank picture


# --- library: bad asset files ------------------------------------------------------------------------


GOOD = textwrap.dedent("""\
    cwlVersion: v1.2
    class: CommandLineTool
    label: Count words
    requirements:
      InitialWorkDirRequirement:
        listing:
          - entryname: count.py
            entry: {$include: count.py}
    baseCommand: [python3, count.py]
    inputs: {text: {type: File, inputBinding: {position: 1}}}
    outputs: {out: stdout}
    """)


@pytest.mark.parametrize(
    ("name", "text", "script", "field", "message"),
    [
        ("bad name.cwl", GOOD, "print(1)\n", "file name", "an asset file is named <id>.cwl"),
        ("yaml.cwl", "class: [\n", "", "document", "YAML syntax error at line 2"),
        ("list.cwl", "- 1\n", "", "document", "expected a YAML mapping"),
        ("wf.cwl", GOOD.replace("CommandLineTool", "Workflow"), "print(1)\n", "class", "got 'Workflow'"),
        ("old.cwl", GOOD.replace("v1.2", "v1.0"), "print(1)\n", "cwlVersion", "must be v1.2"),
        ("nolabel.cwl", GOOD.replace("label: Count words\n", ""), "print(1)\n", "label", "missing"),
        ("escape.cwl", GOOD.replace("count.py}", "../../etc/passwd}"), "", "requirements.InitialWorkDirRequirement"
         ".listing.0.entry.$include", "no '..'"),
        ("missing.cwl", GOOD, None, "requirements.InitialWorkDirRequirement.listing.0.entry.$include",
         "cannot read count.py"),
        ("expr.cwl", GOOD, "print('$(inputs.x)')\n", "requirements.InitialWorkDirRequirement.listing.0.entry"
         ".$include", "would evaluate as an expression"),
        ("runref.cwl", GOOD + "hints: {x: {run: other.cwl}}\n", "print(1)\n", "hints.x.run", "self-contained"),
        ("reloc.cwl", GOOD.replace("inputs: {text: {type: File,", "inputs: {text: {type: File, default: "
                                   "{class: File, location: data.txt},"), "print(1)\n",
         "inputs.text.default.location", "relative location"),
    ],
)
def test_bad_asset_file_names_file_and_field(tmp_path: Path, name, text, script, field, message) -> None:
    path = tmp_path / name
    path.write_text(text)
    if script is not None:
        (tmp_path / "count.py").write_text(script)
    library = load_asset_library([BUILTIN_ASSETS, tmp_path])
    [problem] = library.errors
    assert problem.file == str(path)
    assert problem.field == field
    assert message in problem.message
    assert len(library.assets) == 6  # the shipped ones still load


def test_duplicate_asset_id_keeps_the_first(tmp_path: Path) -> None:
    (tmp_path / "fits-header.cwl").write_text(GOOD)
    (tmp_path / "count.py").write_text("print(1)\n")
    library = load_asset_library([BUILTIN_ASSETS, tmp_path])
    [problem] = library.errors
    assert "duplicate asset id 'fits-header'" in problem.message
    assert library.get("fits-header").file == BUILTIN_ASSETS / "fits-header.cwl"


def test_operator_asset_script_is_inlined(tmp_path: Path) -> None:
    (tmp_path / "count-words.cwl").write_text(GOOD)
    (tmp_path / "count.py").write_text("import sys\nprint(len(open(sys.argv[1]).read().split()))\n")
    asset = load_asset(tmp_path / "count-words.cwl")
    entry = asset.tool["requirements"]["InitialWorkDirRequirement"]["listing"][0]["entry"]
    assert entry.startswith("import sys")
    assert asset.category == "Other"
