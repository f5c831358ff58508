"""A problem found in a CWL document, as the validate API and the editor show it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]
Source = Literal["cwltool", "datalabs"]


@dataclass(frozen=True)
class Problem:
    """One error or warning; ``line``/``column`` are 1-based, ``None`` when not known."""

    severity: Severity
    message: str
    line: int | None = None
    column: int | None = None
    source: Source = "datalabs"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def error(message: str, line: int | None = None, column: int | None = None, source: Source = "datalabs") -> Problem:
    return Problem("error", message, line, column, source)


def warning(message: str, line: int | None = None, column: int | None = None, source: Source = "datalabs") -> Problem:
    return Problem("warning", message, line, column, source)
