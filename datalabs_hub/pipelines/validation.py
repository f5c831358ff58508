"""Validate a CWL document with cwltool's own loader and validator, and say what is wrong and where.

:func:`validate_document` takes the document's text (the editor sends what it has, saved or not) and
the path it has (or will have) on disk, so relative ``run:`` and ``location`` references resolve as
they will when the file runs. Two passes:

1. :func:`precheck` (ours, source ``datalabs``): YAML syntax, the document kind, ``cwlVersion`` and
   references to the network, each with its line and column.
2. :func:`cwltool_problems` (source ``cwltool``): ``cwltool --validate``'s steps (fetch, resolve and
   validate against the CWL schema, build the process objects, static checks of the connections),
   with a fetcher that reads nothing from the network and only regular files below the allowed
   folders. Its warnings are collected from its log.

This module is slow to import (cwltool) and blocks while it works: the server runs it in a worker
process (:mod:`datalabs_hub.pipelines.worker`).
"""

from __future__ import annotations

import logging
import os
import re
import stat
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .problems import Problem, error, warning

CWL_VERSIONS = ("v1.0", "v1.1", "v1.2")
PROCESS_CLASSES = ("Workflow", "CommandLineTool", "ExpressionTool", "Operation")
#: Keys whose string values are references that cwltool fetches.
REFERENCE_KEYS = ("run", "$import", "$include", "$mixin", "$schemas", "location")
MAX_REFERENCED_BYTES = 8 * 1024 * 1024
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class ReadPolicy:
    """What the validator may read besides the document itself."""

    allowed_roots: tuple[str, ...]
    """Absolute folders; referenced files must lie below one of them (after resolving symlinks)."""
    max_bytes: int = MAX_REFERENCED_BYTES

    def check(self, path: str) -> str | None:
        """Why ``path`` may not be read, or None when it may."""
        real = os.path.realpath(path)
        if not any(real == root or real.startswith(root.rstrip("/") + "/") for root in self._roots()):
            return f"{path} is outside the folders a pipeline may refer to ({', '.join(self.allowed_roots)})"
        try:
            info = os.stat(real)
        except FileNotFoundError:
            return f"{path} does not exist"
        except OSError as exc:
            return f"{path} cannot be read: {exc.strerror or exc}"
        if stat.S_ISDIR(info.st_mode):
            return None
        if not stat.S_ISREG(info.st_mode):
            return f"{path} is not a regular file"
        if not os.access(real, os.R_OK):
            return f"{path} cannot be read: permission denied"
        if info.st_size > self.max_bytes:
            return f"{path} is {info.st_size} bytes, more than the {self.max_bytes} a referenced document may have"
        return None

    def _roots(self) -> list[str]:
        return [os.path.realpath(root) for root in self.allowed_roots]


# --- pass 1: our own checks, with positions ---------------------------------------------------


MAX_FLOW_DEPTH = 100
_BRACKETS = re.compile(r"[\[\]{}\n]")


def flow_depth(content: str) -> tuple[int, int, int]:
    """The deepest nesting of ``[`` / ``{`` (quotes not considered) and the line/column where it is reached.

    ruamel's scanner takes seconds on a few thousand nested brackets, so this cheap count runs first.
    """
    depth = deepest = 0
    where = (1, 1)
    line, line_start = 1, 0
    for match in _BRACKETS.finditer(content):
        char = match.group()
        if char == "\n":
            line, line_start = line + 1, match.end()
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, (line, match.start() - line_start + 1)
        else:
            depth = max(depth - 1, 0)
    return deepest, *where


def parse_yaml(content: str) -> tuple[Any, list[Problem]]:
    """The document as ruamel round-trip objects (which keep line numbers), or a syntax problem."""
    deepest, line, column = flow_depth(content)
    if deepest > MAX_FLOW_DEPTH:
        return None, [error(f"The document nests {deepest} levels of brackets; more than {MAX_FLOW_DEPTH} is not "
                            "a CWL document.", line, column)]
    yaml = YAML(typ="rt")
    try:
        return yaml.load(content), []
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        return None, [error(f"YAML syntax error: {what}", line, column)]
    except (YAMLError, ValueError, RecursionError) as exc:
        return None, [error(f"YAML syntax error: {_one_line(str(exc))}")]


def precheck(doc: Any) -> list[Problem]:
    """Problems cwltool would report less clearly: the kind of document, its version, network references."""
    if not isinstance(doc, CommentedMap):
        kind = "empty" if doc is None else f"a {_yaml_type(doc)}"
        return [error(f"A CWL document must be a mapping with 'cwlVersion' and 'class'; this one is {kind}.", 1, 1)]
    problems: list[Problem] = []
    if "$graph" not in doc:
        cls = doc.get("class")
        if cls is None:
            problems.append(error("Missing 'class': a CWL document here is a Workflow or a CommandLineTool.", 1, 1))
        elif cls not in PROCESS_CLASSES:
            line, column = _key_position(doc, "class")
            problems.append(error(
                f"'class: {_short(cls)}' is not a CWL process: use Workflow, CommandLineTool or ExpressionTool.",
                line, column,
            ))
    version = doc.get("cwlVersion")
    line, column = _key_position(doc, "cwlVersion")
    if version is None:
        problems.append(error("Missing 'cwlVersion': add 'cwlVersion: v1.2' at the top.", 1, 1))
    elif version not in CWL_VERSIONS:
        problems.append(error(
            f"Unknown cwlVersion {_short(version)!r}: this server understands {', '.join(CWL_VERSIONS)} (use v1.2).",
            line, column,
        ))
    elif version != "v1.2":
        problems.append(warning(
            f"cwlVersion {version}: cwltool upgrades it to v1.2 when it runs; the editor saves v1.2.", line, column
        ))
    problems += _identifier_problems(doc)
    for value, line, column in _references(doc):
        scheme = urllib.parse.urlsplit(value).scheme.lower()
        if scheme and scheme != "file" and len(scheme) > 1:  # one letter: a Windows drive, not a scheme
            problems.append(error(
                f"{_short(value)!r}: documents are not fetched from the network here; "
                "copy it into your files and refer to it by a relative path.",
                line, column,
            ))
    return problems


PORTABLE_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def _identifier_problems(doc: CommentedMap) -> list[Problem]:
    """Ids of inputs, outputs and steps (of the document and of inline processes) that references cannot name."""
    problems: list[Problem] = []
    stack = [doc]
    while stack:
        process = stack.pop()
        for section in ("inputs", "outputs", "steps"):
            entries = process.get(section)
            named: list[tuple[Any, int | None, int | None]] = []
            if isinstance(entries, CommentedMap):
                named = [(key, *_key_position(entries, key)) for key in entries]
            elif isinstance(entries, CommentedSeq):
                named = [(e.get("id"), *_key_position(e, "id")) for e in entries if isinstance(e, CommentedMap)]
            for name, line, column in named:
                short = name.split("/")[-1] if isinstance(name, str) and name.startswith("#") else name
                if isinstance(short, str) and not PORTABLE_ID.fullmatch(short):
                    problems.append(warning(
                        f"{section[:-1]} id {_short(name)!r} is not a portable identifier: use letters, digits, "
                        "'_', '-' and '.', starting with a letter or '_'.", line, column))
        steps = process.get("steps")
        for step in (steps.values() if isinstance(steps, CommentedMap) else steps if isinstance(steps, CommentedSeq)
                     else []):
            if isinstance(step, CommentedMap) and isinstance(step.get("run"), CommentedMap):
                stack.append(step["run"])
    return problems


def _references(node: Any) -> Iterator[tuple[str, int | None, int | None]]:
    """(value, line, column) of every string that cwltool would fetch, anywhere in the document."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CommentedMap):
            for key, value in item.items():
                if key in REFERENCE_KEYS:
                    values = value if isinstance(value, CommentedSeq) else [value]
                    for index, ref in enumerate(values):
                        if isinstance(ref, str):
                            if values is value:
                                line, column = _item_position(value, index)
                            else:
                                line, column = _value_position(item, key)
                            yield ref, line, column
                if isinstance(value, (CommentedMap, CommentedSeq)):
                    stack.append(value)
        elif isinstance(item, CommentedSeq):
            stack.extend(v for v in item if isinstance(v, (CommentedMap, CommentedSeq)))


# --- pass 2: cwltool ----------------------------------------------------------------------------


def cwltool_problems(content: str, doc_path: str, policy: ReadPolicy) -> list[Problem]:
    """Run cwltool's validation (as ``cwltool --validate`` does) on ``content`` placed at ``doc_path``."""
    from cwltool.context import LoadingContext
    from cwltool.errors import WorkflowException
    from cwltool.load_tool import fetch_document, make_tool, resolve_and_validate_document
    from cwltool.workflow import default_make_tool
    from schema_salad.exceptions import ValidationException

    doc_uri = Path(doc_path).as_uri()
    loading = LoadingContext()
    loading.construct_tool_object = default_make_tool
    loading.fetcher_constructor = _fetcher_class(doc_uri, content, policy)
    capture = _WarningCapture()
    loggers = [logging.getLogger(name) for name in ("cwltool", "salad")]
    for logger in loggers:
        logger.addHandler(capture)
    problems: list[Problem] = []
    try:
        loading, workflowobj, uri = fetch_document(doc_uri, loading)
        loading, uri = resolve_and_validate_document(loading, workflowobj, uri)
        make_tool(uri, loading)
    except ValidationException as exc:
        problems += _from_exception(exc, doc_uri)
    except (WorkflowException, RuntimeError) as exc:
        problems.append(error(_one_line(str(exc)) or type(exc).__name__, source="cwltool"))
    except RecursionError:
        problems.append(error("The document is nested too deeply to validate.", source="cwltool"))
    except Exception as exc:  # cwltool raises many kinds for odd documents; report, never crash
        problems.append(error(f"cwltool could not load the document: {_one_line(str(exc)) or type(exc).__name__}",
                              source="cwltool"))
    finally:
        for logger in loggers:
            logger.removeHandler(capture)
    problems += [p for p in (_from_log(m, doc_uri) for m in capture.messages) if p is not None]
    return _unique(problems)


def _fetcher_class(doc_uri: str, content: str, policy: ReadPolicy) -> Any:
    """A schema-salad fetcher that serves the document from memory and refuses what the policy forbids."""
    from schema_salad.exceptions import ValidationException
    from schema_salad.fetcher import DefaultFetcher

    class PolicyFetcher(DefaultFetcher):
        def __init__(self, cache: dict[str, Any], session: Any) -> None:
            super().__init__(cache, None)  # no requests session: no network
            cache[doc_uri] = content

        def _allowed_path(self, url: str) -> str:
            split = urllib.parse.urlsplit(url)
            if split.scheme != "file":
                raise ValidationException(
                    f"{url}: documents are not fetched from the network here; "
                    "copy it into your files and refer to it by a relative path."
                )
            path = urllib.request.url2pathname(split.path)
            reason = policy.check(path)
            if reason is not None:
                raise ValidationException(f"Cannot use {url}: {reason}.")
            return path

        def fetch_text(self, url: str, content_types: list[str] | None = None) -> str:
            if url in self.cache and isinstance(self.cache[url], str):
                return self.cache[url]
            self._allowed_path(url)
            return super().fetch_text(url, content_types)

        def check_exists(self, url: str) -> bool:
            if url in self.cache:
                return True
            split = urllib.parse.urlsplit(url)
            if split.scheme != "file":
                return False
            path = urllib.request.url2pathname(split.path)
            if not os.path.lexists(path):
                return False
            self._allowed_path(url)  # raises with the reason: clearer than "undefined reference"
            return super().check_exists(url)

    return PolicyFetcher


class _WarningCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.messages.append(record.getMessage())
        except Exception:  # a malformed log call must not break validation
            pass


_POSITION = re.compile(r"^(?P<file>[^\n]*?):(?P<line>\d+):(?P<column>\d+):\s*(?P<message>.*)$", re.S)


def _leaves(exc: Any, context: str = "") -> Iterator[tuple[Any, str]]:
    """The tips of schema-salad's exception tree, each with the nearest message naming a field."""
    message = _clean(exc.message)
    if "field" in message and exc.children:
        context = message.rstrip(":").removesuffix(" because").strip()
    if not exc.children:
        yield exc, context
    for child in exc.children:
        yield from _leaves(child, context)


def _from_exception(exc: Any, doc_uri: str) -> list[Problem]:
    leaves = list(_leaves(exc))[:MAX_PROBLEMS] or [(exc, "")]
    problems = []
    for leaf, context in leaves:
        message = _clean(leaf.detailed_message or leaf.message) or _clean(str(leaf))
        if context and context not in message:
            message = f"{context}: {message}"
        line, column = leaf.start if leaf.start else (None, None)
        message, inner = _inline_positions(message, doc_uri)
        if line is None and inner is not None:
            line, column = inner
        if leaf.file and not _same_document(leaf.file, doc_uri):
            message = f"{_display_name(leaf.file)}:{line}:{column}: {message}" if line else f"{_display_name(leaf.file)}: {message}"
            line = column = None
        problems.append(Problem("warning" if leaf.is_warning else "error", message, line, column, "cwltool"))
    return problems


def _from_log(text: str, doc_uri: str) -> Problem | None:
    text = text[: 4 * MAX_MESSAGE_CHARS]  # the patterns below must not see megabytes
    if text.startswith("loader is "):
        return None  # a debugging line cwltool logs at warning level
    match = _POSITION.match(text.strip())
    line = column = None
    message = text
    if match:
        message = match["message"]
        if _same_document(match["file"], doc_uri):
            line, column = int(match["line"]), int(match["column"])
        else:
            message = f"{_display_name(match['file'])}:{match['line']}:{match['column']}: {message}"
    message, _ = _inline_positions(_clean(message), doc_uri)
    if line is not None:  # cwltool repeats the position of the first line on every line
        message = message.replace(f"(line {line}) ", "")
    return warning(message, line, column, source="cwltool") if message else None


_INLINE_POSITION = re.compile(r"(?P<file>[^\s:]{1,4096}):(?P<line>\d+):(?P<column>\d+): ")


def _inline_positions(message: str, doc_uri: str) -> tuple[str, tuple[int, int] | None]:
    """Replace ``file:line:col:`` prefixes inside a message (cwltool's static checker) by "(line N)".

    Returns the new message and the first position in the document itself.
    """
    first: list[tuple[int, int]] = []

    def replace(match: re.Match[str]) -> str:
        if not _same_document(match["file"], doc_uri):
            return f"({_display_name(match['file'])} line {match['line']}) "
        if not first:
            first.append((int(match["line"]), int(match["column"])))
            return ""
        return f"(line {match['line']}) "

    return _INLINE_POSITION.sub(replace, message).strip(), (first[0] if first else None)


def _same_document(name: str, doc_uri: str) -> bool:
    doc_path = urllib.parse.unquote(urllib.parse.urlsplit(doc_uri).path)
    return _display_name(name) == doc_path


def _display_name(name: str) -> str:
    """An absolute path for a file name from cwltool (a file: URL, or a path relative to the working directory)."""
    if name.startswith("file://"):
        return urllib.parse.unquote(urllib.parse.urlsplit(name).path)
    return os.path.abspath(name)


def _clean(text: str) -> str:
    """One readable line: no 'Warning:' prefixes or colour codes, single spaces (cut to a sane length first)."""
    if len(text) > 2 * MAX_MESSAGE_CHARS:
        text = text[: 2 * MAX_MESSAGE_CHARS] + "..."
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    text = re.sub(r"(^|\s)Warning:\s*", " ", text)
    return " ".join(text.split())


MAX_MESSAGE_CHARS = 2000


def _unique(problems: Sequence[Problem]) -> list[Problem]:
    """Without repeats, at most MAX_PROBLEMS, each message at most MAX_MESSAGE_CHARS (values can be huge)."""
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for problem in problems:
        if len(problem.message) > MAX_MESSAGE_CHARS:
            problem = replace(problem, message=problem.message[: MAX_MESSAGE_CHARS - 3] + "...")
        key = (problem.severity, problem.message, problem.line, problem.column)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    return unique[:MAX_PROBLEMS]


# --- both passes ----------------------------------------------------------------------------------


def validate_document(content: str, doc_path: str, policy: ReadPolicy) -> list[Problem]:
    """Every problem of ``content`` as the document at ``doc_path`` (absolute); empty means valid."""
    doc, problems = parse_yaml(content)
    if problems:
        return problems
    problems = precheck(doc)
    if any(p.severity == "error" for p in problems):
        return problems
    return _unique(problems + cwltool_problems(content, doc_path, policy))


# --- helpers ---------------------------------------------------------------------------------------


def _key_position(node: CommentedMap, key: str) -> tuple[int | None, int | None]:
    try:
        line, column = node.lc.key(key)
        return line + 1, column + 1
    except (KeyError, AttributeError, TypeError):
        return None, None


def _value_position(node: CommentedMap, key: str) -> tuple[int | None, int | None]:
    try:
        line, column = node.lc.value(key)
        return line + 1, column + 1
    except (KeyError, AttributeError, TypeError):
        return _key_position(node, key)


def _item_position(node: CommentedSeq, index: int) -> tuple[int | None, int | None]:
    try:
        line, column = node.lc.item(index)
        return line + 1, column + 1
    except (KeyError, AttributeError, TypeError, IndexError):
        return None, None


def _yaml_type(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


def _short(value: Any, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _one_line(text: str, limit: int = 2000) -> str:
    text = _clean(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."
