"""Load and validate the catalogue from a directory of YAML files.

Every problem names the file, the entry and the field, so an operator can fix it without guessing.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterable

import yaml
from pydantic import ValidationError

from ..errors import OperatorError
from .models import ID_HINT, ID_PATTERN, ArchiveVolume, CatalogFile, Datalab

#: A catalogue file larger than this is refused (it is hand-written data, not a dump).
MAX_FILE_BYTES = 1024 * 1024
MAX_ICON_BYTES = 256 * 1024
_ICON_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the catalogue."""

    file: str
    message: str
    entry: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.entry:
            where += f": {self.entry}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class CatalogError(OperatorError):
    """The catalogue is invalid (an operator's fault); ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"The datalab catalogue has {len(problems)} problem(s):\n{lines}")


@dataclass(frozen=True)
class Catalog:
    """The validated catalogue: datalabs and archive volumes by id, in file order."""

    datalabs: dict[str, Datalab]
    volumes: dict[str, ArchiveVolume]
    #: icon data URIs by datalab id
    icons: dict[str, str] = field(default_factory=dict)
    #: which file each entry came from, by ("datalab" | "volume", id)
    origins: dict[tuple[str, str], str] = field(default_factory=dict)


def catalog_files(directory: Path) -> list[Path]:
    """The catalogue files in ``directory``: ``*.yaml`` and ``*.yml``, sorted, hidden files skipped."""
    return sorted(
        p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith(".") and p.is_file()
    )


def _entry_label(data: Any, kind: str, index: int) -> str:
    if isinstance(data, dict) and isinstance(data.get("id"), str) and len(data["id"]) <= 80:
        return f"{kind} '{data['id']}'"
    return f"{kind} #{index + 1}"


def field_path(loc: Iterable[Any]) -> str:
    """A pydantic error location as a readable path: ``resources.memory``, ``volumes[0]``."""
    parts = [str(p) for p in loc]
    text = ""
    for part in parts:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return text


def _validation_problems(name: str, raw: dict[str, Any], error: ValidationError) -> list[Problem]:
    problems = []
    for err in error.errors(include_url=False):
        loc = list(err["loc"])
        entry = None
        if len(loc) >= 2 and loc[0] in ("datalabs", "volumes") and isinstance(loc[1], int):
            kind = "datalab" if loc[0] == "datalabs" else "volume"
            entry = _entry_label(raw[loc[0]][loc[1]], kind, loc[1])
            loc = loc[2:]
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == ID_PATTERN:
            message = f"{err['input']!r:.60} {ID_HINT}"
        elif err["type"] == "extra_forbidden":
            message = "unknown field (check its spelling; see spawner_profiles/README.md)"
        problems.append(Problem(name, message, entry, field_path(loc) or None))
    return problems


def _parse_file(path: Path, name: str) -> tuple[CatalogFile | None, list[Problem]]:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return None, [Problem(name, f"file is {size} bytes; a catalogue file may have at most {MAX_FILE_BYTES}")]
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        return None, [Problem(name, f"not UTF-8 text ({e.reason} at byte {e.start})")]
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return None, [Problem(name, f"invalid YAML{where}: {getattr(e, 'problem', None) or e}")]
    if raw is None:
        return CatalogFile(), []
    if not isinstance(raw, dict):
        return None, [Problem(name, f"the top level must be a mapping with 'datalabs' and/or 'volumes', not {type(raw).__name__}")]
    try:
        return CatalogFile.model_validate(raw), []
    except ValidationError as e:
        return None, _validation_problems(name, raw, e)


def _load_icon(directory: Path, relative: str, name: str, entry: str) -> tuple[str | None, Problem | None]:
    rel = PurePosixPath(relative)
    suffix = rel.suffix.lower()
    if rel.is_absolute() or ".." in rel.parts or suffix not in _ICON_TYPES:
        return None, Problem(name, "must be a relative .svg or .png path inside the catalogue folder", entry, "icon")
    path = directory / rel
    if not path.is_file():
        return None, Problem(name, f"file {relative} does not exist in {directory}", entry, "icon")
    data = path.read_bytes()
    if len(data) > MAX_ICON_BYTES:
        return None, Problem(name, f"{relative} is {len(data)} bytes; at most {MAX_ICON_BYTES}", entry, "icon")
    return f"data:{_ICON_TYPES[suffix]};base64,{base64.b64encode(data).decode()}", None


def _under_any(path: PurePosixPath, roots: Iterable[Path]) -> bool:
    real = Path(os.path.realpath(path))
    return any(real == Path(os.path.realpath(r)) or Path(os.path.realpath(r)) in real.parents for r in roots)


def load_catalog(directory: Path | str, allowed_volume_roots: Iterable[Path | str] | None = None) -> Catalog:
    """Load every catalogue file in ``directory`` and check the catalogue as a whole.

    ``allowed_volume_roots``: host directories that local volume sources must lie below
    (None: do not check local sources, e.g. for a Kubernetes-only catalogue).
    Raises :class:`CatalogError` listing every problem.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise CatalogError([Problem(str(directory), "catalogue folder does not exist or is not a folder")])
    roots = None if allowed_volume_roots is None else [Path(r) for r in allowed_volume_roots]
    problems: list[Problem] = []
    datalabs: dict[str, Datalab] = {}
    volumes: dict[str, ArchiveVolume] = {}
    icons: dict[str, str] = {}
    origins: dict[tuple[str, str], str] = {}

    files = catalog_files(directory)
    if not files:
        problems.append(Problem(str(directory), "no *.yaml catalogue files found"))
    for path in files:
        name = str(path)
        parsed, file_problems = _parse_file(path, name)
        problems += file_problems
        if parsed is None:
            continue

        def first_definition(kind: str, entry_id: str) -> bool:
            """Record where an entry is defined; a second definition is a problem."""
            if (kind, entry_id) in origins:
                problems.append(Problem(name, f"duplicate id: also defined in {origins[kind, entry_id]}",
                                        f"{kind} '{entry_id}'", "id"))
                return False
            origins[kind, entry_id] = name
            return True

        for volume in parsed.volumes:
            entry = f"volume '{volume.id}'"
            if not first_definition("volume", volume.id):
                continue
            volumes[volume.id] = volume
            local = volume.source.local
            if local is not None and roots is not None and not _under_any(local, roots):
                allowed = ", ".join(str(r) for r in roots) or "(none configured)"
                problems.append(
                    Problem(name, f"{local} is outside the allowed volume roots: {allowed}", entry, "source.local")
                )
        for datalab in parsed.datalabs:
            entry = f"datalab '{datalab.id}'"
            if not first_definition("datalab", datalab.id):
                continue
            datalabs[datalab.id] = datalab
            if datalab.icon:
                uri, problem = _load_icon(directory, datalab.icon, name, entry)
                if problem:
                    problems.append(problem)
                elif uri:
                    icons[datalab.id] = uri

    # cross-references, once every file is read
    for datalab in datalabs.values():
        for i, vid in enumerate(datalab.default_volumes):
            if vid not in volumes:
                problems.append(
                    Problem(
                        origins["datalab", datalab.id],
                        f"volume '{vid}' is not defined in any catalogue file",
                        f"datalab '{datalab.id}'",
                        f"default_volumes[{i}]",
                    )
                )
    paths: dict[PurePosixPath, str] = {}
    for volume in volumes.values():
        mount = volume.path_in_datalab
        clash = next((other for p, other in paths.items() if p == mount or p in mount.parents or mount in p.parents), None)
        if clash:
            problems.append(
                Problem(
                    origins["volume", volume.id],
                    f"{mount} overlaps the mount path of volume '{clash}'",
                    f"volume '{volume.id}'",
                    "mount_path",
                )
            )
        paths[mount] = volume.id
    if problems:
        raise CatalogError(problems)
    return Catalog(datalabs=datalabs, volumes=volumes, icons=icons, origins=origins)
