"""Check the body of ``POST .../pipelines/validate`` (pure: bytes in, a request or an error out)."""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from pathlib import PurePosixPath

UNTITLED = "untitled.cwl"
MAX_PATH_CHARS = 4096


class RequestError(ValueError):
    """The body is unusable: ``status`` is the HTTP status, the message says what to fix."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ValidateRequest:
    content: str
    path: str | None
    """Relative to the server root, posix, normalised; None when the document has no file yet."""


def parse_validate_body(body: bytes, max_bytes: int) -> ValidateRequest:
    if len(body) > max_bytes:
        raise RequestError(413, f"The request is {len(body)} bytes; documents up to {max_bytes} bytes "
                           f"({max_bytes // (1024 * 1024)} MiB) can be validated.")
    if not body.strip():
        raise RequestError(400, 'The body is empty: send {"content": "<CWL document>", "path": "<file path>"}.')
    try:
        data = json.loads(body)
    except UnicodeDecodeError:
        raise RequestError(400, "The body is not UTF-8 text.") from None
    except (ValueError, RecursionError) as exc:
        raise RequestError(400, f"The body is not valid JSON: {str(exc)[:200]}.") from None
    if not isinstance(data, dict):
        raise RequestError(400, 'The body must be a JSON object: {"content": "<CWL document>", "path": "..."}.')
    unknown = sorted(set(data) - {"content", "path"})
    if unknown:
        raise RequestError(400, f"Unknown field(s) {', '.join(map(repr, unknown))[:200]}: "
                           "the body has 'content' and optionally 'path'.")
    content = data.get("content")
    if not isinstance(content, str):
        got = "missing" if content is None else f"a {type(content).__name__}"
        raise RequestError(400, f"'content' must be a string holding the CWL document (YAML or JSON); it is {got}.")
    if "\x00" in content:
        raise RequestError(400, "'content' contains a NUL character: a CWL document is text.")
    return ValidateRequest(content=content, path=_path(data.get("path")))


def _path(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RequestError(400, f"'path' must be a string (the file's path in the file browser), "
                           f"not a {type(value).__name__}.")
    if len(value) > MAX_PATH_CHARS or "\x00" in value:
        raise RequestError(400, "'path' is too long or contains a NUL character.")
    if value.startswith("/") or "\\" in value:
        raise RequestError(400, f"'path' {value[:100]!r} must be relative to the server root, as the file browser "
                           "shows it (e.g. 'work/pipeline.cwl').")
    norm = posixpath.normpath(value)
    if norm == ".." or norm.startswith("../") or ".." in PurePosixPath(value).parts:
        raise RequestError(400, f"'path' {value[:100]!r} must not contain '..'.")
    return norm


def document_path(root_dir: str, path: str | None) -> str:
    """The absolute path the document is validated as (``untitled.cwl`` in the root without a path)."""
    return posixpath.join(posixpath.abspath(root_dir), path or UNTITLED)
