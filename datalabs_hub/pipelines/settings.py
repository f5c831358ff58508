"""Operator settings of the pipeline features of the datalab server (traitlets, ``c.DatalabsPipelines``)."""

from __future__ import annotations

from traitlets import Float, Int, List, Unicode
from traitlets.config import Configurable

MiB = 1024 * 1024


class DatalabsPipelines(Configurable):
    """Processing-asset library and CWL validation in each datalab (set in the server's config)."""

    asset_paths = List(
        Unicode(),
        help="""Folders of extra processing assets (``<id>.cwl`` CommandLineTools, scripts next to them),
        listed in the pipeline editor's palette after the ones Datalabs ships. A broken file is logged and
        reported by the assets API; the other assets still load. Edits apply on the next request.""",
    ).tag(config=True)

    reference_roots = List(
        Unicode(),
        default_value=["/data"],
        help="""Folders, besides the server's root directory, whose files a validated CWL document may refer
        to (``run:``, ``$import``, ``$include``). Anything else, and anything on the network, is refused.""",
    ).tag(config=True)

    max_document_bytes = Int(
        8 * MiB,
        help="Largest CWL document (request body) the validate API accepts; larger ones get HTTP 413.",
    ).tag(config=True)

    validate_timeout = Float(
        30.0,
        help="Seconds one validation may take before the validator is stopped and the editor is told so.",
    ).tag(config=True)

    validator_memory_limit = Int(
        2048 * MiB,
        help="Address-space limit (bytes) of the validation worker process; 0 for none.",
    ).tag(config=True)
