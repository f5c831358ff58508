"""The library of processing assets: CWL CommandLineTools the pipeline editor offers in its palette.

An asset is one ``<id>.cwl`` file (a CWL v1.2 CommandLineTool) in an asset folder; the package ships
``datalabs_hub/pipelines/assets/`` and operators add folders with ``c.DatalabsPipelines.asset_paths``.
A tool may keep its script next to it and pull it in with ``$include`` (in an
``InitialWorkDirRequirement``); the library inlines it, so each served tool is one self-contained
object that a workflow can embed in a step's ``run:``. The palette shows the tool's ``label``, ``doc``
and ``dl:category`` (namespace ``https://datalabs.dev/cwl#``).

A broken asset file becomes an :class:`AssetError` naming the file and the field; the other assets
are still served. :func:`load_asset` and :func:`load_asset_library` only read files.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

BUILTIN_ASSETS = Path(__file__).with_name("assets")
CATEGORY_KEY = "dl:category"
DEFAULT_CATEGORY = "Other"
ASSET_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
MAX_ASSET_BYTES = 1024 * 1024
MAX_INCLUDE_BYTES = 1024 * 1024
MAX_ASSETS_PER_FOLDER = 500
#: References a served tool must not contain (they would point outside the tool object).
FORBIDDEN_KEYS = ("$import", "$mixin", "$schemas", "$base", "run")


class AssetFileError(ValueError):
    """An asset file is unusable; ``field`` names the part of the document that is wrong."""

    def __init__(self, file: Path, field: str, message: str) -> None:
        super().__init__(f"{file}: {field}: {message}")
        self.file = file
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Asset:
    """One processing asset as the palette lists it."""

    id: str
    label: str
    description: str
    category: str
    tool: dict[str, Any]
    """The CWL CommandLineTool, self-contained (scripts inlined), as JSON-able data."""
    file: Path

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "description": self.description,
                "category": self.category, "tool": self.tool}


@dataclass(frozen=True)
class AssetError:
    """An asset file that could not be loaded."""

    file: str
    field: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "field": self.field, "error": self.message}


@dataclass(frozen=True)
class AssetLibrary:
    """Every asset that loaded, in folder then name order, and every file that did not."""

    assets: tuple[Asset, ...] = ()
    errors: tuple[AssetError, ...] = field(default_factory=tuple)

    def get(self, asset_id: str) -> Asset | None:
        return next((a for a in self.assets if a.id == asset_id), None)


def load_asset(path: Path) -> Asset:
    """Read, check and inline one asset file; raises :class:`AssetFileError`."""
    asset_id = path.stem
    if not ASSET_ID.fullmatch(asset_id):
        raise AssetFileError(path, "file name", "an asset file is named <id>.cwl with an id of lower-case letters, "
                             "digits and '-' (at most 63), e.g. fits-header.cwl")
    doc = _read_yaml(path, path, MAX_ASSET_BYTES)
    if not isinstance(doc, dict):
        raise AssetFileError(path, "document", "expected a YAML mapping (a CWL CommandLineTool)")
    if doc.get("cwlVersion") != "v1.2":
        raise AssetFileError(path, "cwlVersion", f"must be v1.2, got {_short(doc.get('cwlVersion'))!r}")
    if doc.get("class") != "CommandLineTool":
        raise AssetFileError(path, "class", f"an asset is a CommandLineTool, got {_short(doc.get('class'))!r}")
    if "id" in doc:
        raise AssetFileError(path, "id", "leave 'id' out: the file name is the asset id, and an id inside "
                             "would clash when a workflow embeds the tool twice")
    label = doc.get("label")
    if not isinstance(label, str) or not label.strip():
        raise AssetFileError(path, "label", "missing: the palette shows it as the asset's name")
    description = doc.get("doc", "")
    if isinstance(description, list):
        description = "\n".join(str(d) for d in description)
    if not isinstance(description, str):
        raise AssetFileError(path, "doc", "must be text")
    category = doc.get(CATEGORY_KEY, DEFAULT_CATEGORY)
    if not isinstance(category, str) or not category.strip() or len(category) > 60:
        raise AssetFileError(path, CATEGORY_KEY, "must be a short text such as FITS, Tables or Plots")
    for key in ("inputs", "outputs"):
        if not isinstance(doc.get(key), (dict, list)):
            raise AssetFileError(path, key, "missing: a tool declares its inputs and outputs (use {} for none)")
    tool = _inline(doc, path, "")
    return Asset(id=asset_id, label=label.strip(), description=description.strip(),
                 category=category.strip(), tool=tool, file=path)


def load_asset_library(folders: Sequence[Path]) -> AssetLibrary:
    """Every ``*.cwl`` asset in ``folders`` (in order; a later duplicate id is an error)."""
    assets: list[Asset] = []
    errors: list[AssetError] = []
    seen: dict[str, Path] = {}
    for folder in folders:
        try:
            files = sorted(p for p in folder.iterdir() if p.suffix == ".cwl")[:MAX_ASSETS_PER_FOLDER]
        except OSError as exc:
            errors.append(AssetError(str(folder), "asset folder", f"cannot be read: {exc.strerror or exc}"))
            continue
        for path in files:
            try:
                asset = load_asset(path)
            except AssetFileError as exc:
                errors.append(AssetError(str(exc.file), exc.field, exc.message))
                continue
            if asset.id in seen:
                errors.append(AssetError(str(path), "file name", f"duplicate asset id {asset.id!r}, "
                                         f"already defined by {seen[asset.id]}"))
                continue
            seen[asset.id] = path
            assets.append(asset)
    return AssetLibrary(tuple(assets), tuple(errors))


def asset_folders(extra: Iterable[str]) -> list[Path]:
    """The shipped folder followed by the operator's (``~`` expanded)."""
    return [BUILTIN_ASSETS, *(Path(os.path.expanduser(p)) for p in extra if p)]


# --- helpers ---------------------------------------------------------------------------------------


def _read_yaml(path: Path, asset: Path, limit: int) -> Any:
    text = _read_text(path, asset, "document", limit)
    try:
        data = YAML(typ="safe").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise AssetFileError(asset, "document", f"YAML syntax error{where}: {exc.problem or exc}") from None
    except (YAMLError, ValueError, RecursionError) as exc:
        raise AssetFileError(asset, "document", f"YAML syntax error: {_short(exc)}") from None
    # JSON-able: YAML timestamps and the like become text
    return json.loads(json.dumps(data, default=str))


def _read_text(path: Path, asset: Path, where: str, limit: int) -> str:
    try:
        size = path.stat().st_size
        if size > limit:
            raise AssetFileError(asset, where, f"{path.name} is {size} bytes, the limit is {limit}")
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise AssetFileError(asset, where, f"{path.name} is not UTF-8 text") from None
    except OSError as exc:
        raise AssetFileError(asset, where, f"cannot read {path.name}: {exc.strerror or exc}") from None


def _inline(node: Any, asset: Path, where: str) -> Any:
    """A copy of ``node`` with every ``{$include: file}`` replaced by the file's text."""
    if isinstance(node, dict):
        if "$include" in node:
            return _include(node["$include"], asset, where)
        for key in FORBIDDEN_KEYS:
            if key in node:
                raise AssetFileError(asset, f"{where}{key}", "not allowed in an asset: a served tool is one "
                                     "self-contained object (inline what it refers to)")
        return {key: _inline(value, asset, f"{where}{key}.") for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(value, asset, f"{where}{index}.") for index, value in enumerate(node)]
    if isinstance(node, str) and where.endswith("location.") and not node.startswith(("/", "file:")):
        raise AssetFileError(asset, where.rstrip("."), "a relative location would not resolve once the tool "
                             "is embedded in a workflow: inline the file or use an absolute path")
    return node


def _include(name: Any, asset: Path, where: str) -> str:
    field_name = f"{where}$include"
    if not isinstance(name, str) or not name or name.startswith("/") or ".." in Path(name).parts:
        raise AssetFileError(asset, field_name, "must name a file next to the asset (no '/' at the start, no '..')")
    text = _read_text(asset.parent / name, asset, field_name, MAX_INCLUDE_BYTES)
    if "$(" in text or "${" in text:
        raise AssetFileError(asset, field_name, f"{name} contains '$(' or '${{', which CWL would evaluate as an "
                             "expression in an InitialWorkDirRequirement entry")
    return text


def _short(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
