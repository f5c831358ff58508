"""The example pipelines shipped with Datalabs, built from the processing-asset library.

Each example is a self-contained CWL v1.2 Workflow (the tools are embedded in the steps' ``run:``,
as the pipeline editor saves them) with a job file next to it that uses the demo archive volumes at
``/data/<volume-id>``, and a saved layout that places every node (steps, workflow inputs and outputs)
apart. The documents are built here (pure) and written with ``python -m datalabs_hub.pipelines.examples``
to ``examples/`` and, for JupyterLab's "Example Pipeline" launcher tiles and File menu items, to the lab
extension's ``examples.generated.ts``; a test checks that the files are up to date.
"""

from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .asset_library import BUILTIN_ASSETS, AssetLibrary, load_asset_library

EXAMPLES = Path(__file__).with_name("examples")
LAB_MODULE = Path(__file__).resolve().parents[2] / "labextension" / "src" / "pipeline" / "examples.generated.ts"
#: The pipeline editor keeps node positions in this namespaced extension field, which CWL tools ignore
#: (see labextension/src/pipeline/model/savedlayout.ts): ``nodes`` lists ``[node id, x, y]``.
LAYOUT_NAMESPACE = {"dl": "https://datalabs.dev/cwl#"}
LAYOUT_FIELD = "dl:layout"


class _FlowList(list):
    """A list written on one line (``[id, x, y]``)."""


def _layout(positions: dict[str, tuple[int, int]]) -> dict[str, Any]:
    return {"nodes": [_FlowList([node, x, y]) for node, (x, y) in positions.items()]}


def _tool(library: AssetLibrary, asset_id: str) -> dict[str, Any]:
    asset = library.get(asset_id)
    if asset is None:
        raise KeyError(f"the example needs the processing asset {asset_id!r}, which is not in the library")
    return copy.deepcopy(asset.tool)


def eit_images(library: AssetLibrary) -> dict[str, Any]:
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
                "run": _tool(library, "fits-header"),
                "scatter": "fits",
                "in": {"fits": "images", "keyword": {"default": "DATE-OBS"}},
                "out": ["header", "value"],
            },
            "cutout": {
                "run": _tool(library, "fits-cutout"),
                "scatter": "image",
                "in": {"image": "images", "size": "cutout_size"},
                "out": ["cutout"],
            },
            "preview": {
                "run": _tool(library, "fits-image-png"),
                "scatter": "image",
                "in": {"image": "cutout/cutout", "stretch": {"default": "log"}},
                "out": ["preview"],
            },
            "sun_position": {
                "run": _tool(library, "spice-position"),
                "in": {"metakernel": "metakernel", "target": {"default": "SUN"},
                       "observer": {"default": "EARTH"}, "times": "read_date/value"},
                "out": ["positions"],
            },
        },
        # columns left to right: inputs, the steps that read them, the steps after, outputs (the editor's
        # nodes are 220 px wide and 36 + 20 px per port row high)
        LAYOUT_FIELD: _layout({
            "input:metakernel": (0, 0), "input:images": (0, 140), "input:cutout_size": (0, 280),
            "read_date": (300, 40), "cutout": (300, 200),
            "sun_position": (600, 0), "preview": (600, 240),
            "output:observation_times": (900, 0), "output:headers": (900, 80), "output:sun_positions": (900, 160),
            "output:cutouts": (900, 240), "output:previews": (900, 320),
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


@dataclass(frozen=True)
class Example:
    title: str
    """Short name on the launcher tile and in the File menu."""
    description: str
    workflow: Any
    job: Any


BUILDERS = {
    "eit-images": Example("SOHO EIT Images", "Cut-outs, PNG previews and the Sun's distance for two SOHO/EIT images.",
                          eit_images, eit_images_job),
}


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


def example_files(library: AssetLibrary) -> dict[str, dict[str, str]]:
    """Each example's files by example name: ``{"<name>.cwl": text, "<name>.job.yml": text}``."""
    files = {}
    for name, example in BUILDERS.items():
        note = (f"Datalabs example pipeline '{name}' (generated by `python -m datalabs_hub.pipelines.examples`\n"
                f"from the processing assets; run it in a datalab with: cwltool {name}.cwl {name}.job.yml)")
        files[name] = {
            f"{name}.cwl": render(example.workflow(library), note, shebang=True),
            f"{name}.job.yml": render(example.job(), f"Job for {name}.cwl on the demo archive volumes"),
        }
    return files


def lab_module(files: dict[str, dict[str, str]]) -> str:
    """The TypeScript module the lab extension bundles: the examples the launcher and File menu offer."""
    examples = [{"name": name, "title": BUILDERS[name].title, "description": BUILDERS[name].description,
                 "files": [{"name": n, "content": c} for n, c in texts.items()]} for name, texts in files.items()]
    return ("// Generated by `python -m datalabs_hub.pipelines.examples` from datalabs_hub/pipelines/examples.py:"
            " do not edit.\n"
            "/** An example pipeline: its workflow file first, then its job file. */\n"
            "export interface IExample {\n  name: string;\n  title: string;\n  description: string;\n"
            "  files: { name: string; content: string }[];\n}\n\n"
            f"export const EXAMPLES: IExample[] = {json.dumps(examples, indent=1, ensure_ascii=False)};\n")


def write_examples(folder: Path = EXAMPLES, library: AssetLibrary | None = None,
                   lab_module_path: Path | None = LAB_MODULE) -> list[Path]:
    files = example_files(library or load_asset_library([BUILTIN_ASSETS]))
    written = []
    for texts in files.values():
        for name, text in texts.items():
            (folder / name).write_text(text)
            written.append(folder / name)
    if lab_module_path is not None and lab_module_path.parent.is_dir():  # a source checkout
        lab_module_path.write_text(lab_module(files))
        written.append(lab_module_path)
    return written


if __name__ == "__main__":
    for path in write_examples():
        print(path, file=sys.stderr)
