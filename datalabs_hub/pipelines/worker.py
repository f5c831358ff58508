"""The validation worker: a long-lived child process of the Jupyter server that runs cwltool.

cwltool is slow to import, blocks while it loads a document and keeps module-level state, so the
server keeps one worker and talks to it over pipes, one JSON object per line:

    request  {"id": 1, "content": "<CWL text>", "path": "/abs/path/doc.cwl", "roots": ["/abs", ...]}
    answer   {"id": 1, "problems": [{"severity": ..., "message": ..., "line": ..., "column": ..., "source": ...}]}

The server kills and replaces it when a request takes too long (:mod:`.validator_service`). The worker
ends when its stdin closes or its parent dies.
"""

from __future__ import annotations

import ctypes
import json
import logging
import signal
import sys
from typing import Any

READY = {"ready": True}


def _die_with_parent() -> None:
    """Linux: get SIGTERM when the server process ends, however it ends."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _quiet_cwltool() -> None:
    """cwltool logs to stderr by default; the worker reports through its answers instead."""
    for name in ("cwltool", "salad"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.addHandler(logging.NullHandler())
        logger.propagate = False
        logger.setLevel(logging.WARNING)


def handle(request: Any) -> dict[str, Any]:
    from .problems import error
    from .validation import ReadPolicy, validate_document

    if not isinstance(request, dict) or not isinstance(request.get("content"), str) \
            or not isinstance(request.get("path"), str) or not isinstance(request.get("roots"), list):
        return {"problems": [error("internal: malformed request to the validation worker").to_json()]}
    policy = ReadPolicy(tuple(str(r) for r in request["roots"]))
    problems = validate_document(request["content"], request["path"], policy)
    return {"problems": [p.to_json() for p in problems]}


def main() -> None:
    _die_with_parent()
    _quiet_cwltool()
    sys.setrecursionlimit(5000)
    from .validation import ReadPolicy, validate_document

    # warm up: the first validation loads the CWL schemas (about a second)
    validate_document("cwlVersion: v1.2\nclass: Workflow\ninputs: {}\noutputs: {}\nsteps: {}\n",
                      "/nonexistent/warmup.cwl", ReadPolicy(()))
    out = sys.stdout
    out.write(json.dumps(READY) + "\n")
    out.flush()
    for line in sys.stdin:
        request: Any = None
        try:
            request = json.loads(line)
            answer = handle(request)
        except Exception as exc:  # never die on one request; say what happened
            answer = {"problems": [{"severity": "error", "message": f"The validator failed: {type(exc).__name__}: "
                                    f"{str(exc)[:500]}", "line": None, "column": None, "source": "datalabs"}]}
        answer["id"] = request.get("id") if isinstance(request, dict) else None
        out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
