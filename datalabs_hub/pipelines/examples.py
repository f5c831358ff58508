"""The example pipelines shipped with Datalabs, built from the processing-asset catalogue.

Each example is a self-contained CWL v1.2 Workflow (the tools are embedded in the steps' ``run:``,
as the pipeline editor saves them) with a job file next to it that uses the demo archive volumes at
``/data/<volume-id>``. The documents are built here (pure) and written to ``examples/`` with
``python -m datalabs_hub.pipelines.examples``; a test checks that the files are up to date.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import yaml

from .asset_library import BUILTIN_ASSETS, Catalogue, load_catalogue

EXAMPLES = Path(__file__).with_name("examples")
#: The pipeline editor keeps node positions in this namespaced extension field, which CWL tools ignore
#: (see labextension/src/pipeline/model/savedlayout.ts): ``nodes`` lists ``[node id, x, y]``.
LAYOUT_NAMESPACE = {"dl": "https://datalabs.dev/cwl#"}
LAYOUT_FIELD = "dl:layout"


class _FlowList(list):
    """A list written on one line (``[id, x, y]``)."""


def _layout(positions: dict[str, tuple[int, int]]) -> dict[str, Any]:
    return {"nodes": [_FlowList([node, x, y]) for node, (x, y) in positions.items()]}


def _tool(catalogue: Catalogue, asset_id: str) -> dict[str, Any]:
    asset = catalogue.get(asset_id)
    if asset is None:
        raise KeyError(f"the example needs the processing asset {asset_id!r}, which is not in the catalogue")
    return copy.deepcopy(asset.tool)


def eit_images(catalogue: Catalogue) -> dict[str, Any]:
    """SOHO EIT images: cut out the centre of each, preview it as PNG, and where the Sun was seen from Earth."""
    return {
        "cwlVersion": "v1.2",
        "class": "Workflow",
        "$namespaces": dict(LAYOUT_NAMESPACE),
        "label": "SOHO EIT images: cutouts, previews and the Sun's distance",
        "doc": "For each SOHO/EIT image: read DATE-OBS from its header, cut out the centre and render the cutout "
               "as a PNG; then compute the Sun's position seen from the Earth at every observation time "
               "from the SPICE kernels.",
        "requirements": {"ScatterFeatureRequirement": {}},
        "inputs": {
            "images": {"type": "File[]", "label": "EIT images (FITS)"},
            "metakernel": {"type": "File", "label": "SPICE metakernel"},
            "cutout_size": {"type": "int", "default": 64, "label": "Cutout size (pixels)"},
        },
        "outputs": {
            "observation_times": {"type": "string[]", "outputSource": "read_date/value"},
            "headers": {"type": "File[]", "outputSource": "read_date/header"},
            "cutouts": {"type": "File[]", "outputSource": "cutout/cutout"},
            "previews": {"type": "File[]", "outputSource": "preview/preview"},
            "sun_positions": {"type": "File", "outputSource": "sun_position/positions"},
        },
        "steps": {
            "read_date": {
                "run": _tool(catalogue, "fits-header"),
                "scatter": "fits",
                "in": {"fits": "images", "keyword": {"default": "DATE-OBS"}},
                "out": ["header", "value"],
            },
            "cutout": {
                "run": _tool(catalogue, "fits-cutout"),
                "scatter": "image",
                "in": {"image": "images", "size": "cutout_size"},
                "out": ["cutout"],
            },
            "preview": {
                "run": _tool(catalogue, "fits-image-png"),
                "scatter": "image",
                "in": {"image": "cutout/cutout", "stretch": {"default": "log"}},
                "out": ["preview"],
            },
            "sun_position": {
                "run": _tool(catalogue, "spice-position"),
                "in": {"metakernel": "metakernel", "target": {"default": "SUN"},
                       "observer": {"default": "EARTH"}, "times": "read_date/value"},
                "out": ["positions"],
            },
        },
        LAYOUT_FIELD: _layout({
            "read_date": (320, 40), "sun_position": (620, 40), "cutout": (320, 260), "preview": (620, 260),
        }),
    }


def eit_images_job() -> dict[str, Any]:
    return {
        "images": [
            {"class": "File", "location": "/data/heliophysics/soho/eit/efz20040301.000010_s.fits"},
            {"class": "File", "location": "/data/heliophysics/soho/eit/efz20040301.010016_s.fits"},
        ],
        "metakernel": {"class": "File", "location": "/data/spice-kernels/mk/demo.tm"},
        "cutout_size": 48,
    }


BUILDERS = {"eit-images": (eit_images, eit_images_job)}


class _Dumper(yaml.SafeDumper):
    """Block style; multi-line strings (the embedded scripts) as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(_FlowList, lambda dumper, value: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", value, flow_style=True))


def render(document: dict[str, Any], comment: str, shebang: bool = False) -> str:
    text = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    header = "".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines())
    return ("#!/usr/bin/env cwl-runner\n" if shebang else "") + header + text


def write_examples(folder: Path = EXAMPLES, catalogue: Catalogue | None = None) -> list[Path]:
    catalogue = catalogue or load_catalogue([BUILTIN_ASSETS])
    written = []
    for name, (workflow, job) in BUILDERS.items():
        note = (f"Datalabs example pipeline '{name}' (generated by `python -m datalabs_hub.pipelines.examples`\n"
                f"from the processing assets; run it in a datalab with: cwltool {name}.cwl {name}.job.yml)")
        (folder / f"{name}.cwl").write_text(render(workflow(catalogue), note, shebang=True))
        (folder / f"{name}.job.yml").write_text(render(job(), f"Job for {name}.cwl on the demo archive volumes"))
        written += [folder / f"{name}.cwl", folder / f"{name}.job.yml"]
    return written


if __name__ == "__main__":
    for path in write_examples():
        print(path, file=sys.stderr)
