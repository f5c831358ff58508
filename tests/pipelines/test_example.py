"""The shipped example pipeline: up to date with the assets, valid, and it runs on the demo data in the sandbox."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np
import pytest
import spiceypy
import yaml
from astropy.io import fits
from cwltool.main import main as cwltool_main
from matplotlib.image import imread
from sandboxrun import DEMO_VOLUMES, make_home, run_cwltool

from datalabs_hub.pipelines.asset_library import BUILTIN_ASSETS, load_asset_library
from datalabs_hub.pipelines.examples import BUILDERS, EXAMPLES, LAB_MODULE, write_examples

WORKFLOW = EXAMPLES / "eit-images.cwl"
JOB = EXAMPLES / "eit-images.job.yml"


def test_shipped_files_are_what_the_builder_makes(tmp_path: Path) -> None:
    written = write_examples(tmp_path, load_asset_library([BUILTIN_ASSETS]), tmp_path / LAB_MODULE.name)
    assert {p.name for p in written} == {f"{name}{ext}" for name in BUILDERS for ext in (".cwl", ".job.yml")} | {
        LAB_MODULE.name}
    for path in written:
        shipped = LAB_MODULE if path.name == LAB_MODULE.name else EXAMPLES / path.name
        assert shipped.read_text() == path.read_text(), (
            f"{shipped.name} is out of date: run `python -m datalabs_hub.pipelines.examples`")


def test_example_embeds_the_library_tools_and_scatters() -> None:
    doc = yaml.safe_load(WORKFLOW.read_text())
    library = load_asset_library([BUILTIN_ASSETS])
    assert doc["cwlVersion"] == "v1.2" and doc["class"] == "Workflow"
    assert doc["steps"]["cutout"]["run"] == library.get("fits-cutout").tool
    assert [s for s, step in doc["steps"].items() if "scatter" in step] == ["read_date", "cutout", "preview"]
    assert "hints" not in doc, "the editor's layout is no CWL hint"
    placed = {node: (x, y) for node, x, y in doc["dl:layout"]["nodes"]}
    assert set(placed) == {*doc["steps"], *(f"input:{i}" for i in doc["inputs"]),
                           *(f"output:{o}" for o in doc["outputs"])}, "every node is placed: none drawn on another"


def test_example_is_valid_for_cwltool() -> None:
    out = io.StringIO()
    assert cwltool_main(["--validate", str(WORKFLOW)], stdout=out, stderr=out) == 0, out.getvalue()


def test_example_runs_on_the_demo_data(tmp_path: Path) -> None:
    run = run_cwltool(make_home(tmp_path), WORKFLOW, JOB)
    assert run.returncode == 0, run.stderr
    out = run.outputs
    job = yaml.safe_load(JOB.read_text())
    images = [DEMO_VOLUMES / Path(f["location"]).relative_to("/data") for f in job["images"]]

    expected_times = [fits.getheader(p)["DATE-OBS"] for p in images]
    assert out["observation_times"] == expected_times

    size = job["cutout_size"]
    for cutout, image in zip(out["cutouts"], images, strict=True):
        data = fits.getdata(image)
        cut = fits.getdata(cutout["path"])
        centre = (data.shape[0] - 1) / 2
        start = int(np.floor(centre - size / 2 + 0.5))  # astropy Cutout2D's rounding of the centre
        assert cut.shape == (size, size)
        np.testing.assert_array_equal(cut, data[start:start + size, start:start + size])
    for preview in out["previews"]:
        assert imread(preview["path"]).shape[:2] == (600, 600)
    # scattered outputs are named after their input and keep their type (not cutout.fits, cutout.fits_2)
    stems = [image.stem for image in images]
    assert [f["basename"] for f in out["cutouts"]] == [f"{s}.cutout.fits" for s in stems]
    assert [f["basename"] for f in out["previews"]] == [f"{s}.cutout.preview.png" for s in stems]
    assert [f["basename"] for f in out["headers"]] == [f"{s}.header.json" for s in stems]

    with open(out["sun_positions"]["path"], newline="") as handle:
        rows = list(csv.DictReader(handle))
    cwd = os.getcwd()
    os.chdir(DEMO_VOLUMES / "spice-kernels" / "mk")
    try:
        spiceypy.furnsh("demo_relative.tm")
        for row, utc in zip(rows, expected_times, strict=True):
            pos, _ = spiceypy.spkpos("SUN", spiceypy.str2et(utc), "J2000", "NONE", "EARTH")
            assert float(row["distance_km"]) == pytest.approx(float(np.linalg.norm(pos)), abs=0.01)
            assert 0.98 < float(row["distance_au"]) < 1.0  # early March: the Earth is near perihelion
    finally:
        spiceypy.kclear()
        os.chdir(cwd)
