"""cwltool as another CWL tool sees a pipeline: pack it, validate it, and notice any network lookup it makes.

cwltool runs in a child Python whose audit hook reports every ``socket.getaddrinfo`` and ``socket.connect``
(Python's own audit events, no patching): a lookup shows even where it fails fast (no DNS server), and would
otherwise wait for a DNS timeout on a machine without internet.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LAYOUT_NAMESPACE = "https://datalabs.dev/cwl#"
LAYOUT_FIELD = LAYOUT_NAMESPACE + "layout"
LEGACY_LAYOUT_CLASS = LAYOUT_NAMESPACE + "Layout"

_AUDITED_CWLTOOL = """
import sys
def audit(event, args):
    if event in ("socket.getaddrinfo", "socket.connect"):
        print(f"NETWORK {event} {args[0]!r} {args[1]!r}", file=sys.stderr, flush=True)
sys.addaudithook(audit)
from cwltool.main import main
sys.exit(main(sys.argv[1:]))
"""
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class CwltoolRun:
    code: int
    stdout: str
    stderr: str

    @property
    def log(self) -> str:
        return _ANSI.sub("", self.stderr + self.stdout)

    @property
    def lookups(self) -> set[str]:
        """The host names cwltool looked up or connected to."""
        return {line.split()[2].strip("'") for line in self.stderr.splitlines() if line.startswith("NETWORK ")}

    @property
    def warnings(self) -> list[str]:
        """cwltool's warnings, without the file name and position (they differ between a file and its copy)."""
        text = self.log
        found = []
        for block in re.split(r"\n(?=\S)", text):
            if block.startswith("WARNING"):
                message = re.sub(r"\S+:\d+:\d+:", "", block.removeprefix("WARNING"))
                found.append(" ".join(message.split()))
        return found


def cwltool(*args: str, cwd: Path | None = None, timeout: float = 300) -> CwltoolRun:
    run = subprocess.run([sys.executable, "-c", _AUDITED_CWLTOOL, *args], capture_output=True, text=True,
                         timeout=timeout, cwd=cwd)
    return CwltoolRun(run.returncode, run.stdout, run.stderr)


def pack(path: Path) -> tuple[dict[str, Any], CwltoolRun]:
    """``cwltool --pack``: the packed document, with file URIs of the file's folder written ``file://FOLDER``."""
    run = cwltool("--pack", str(path))
    assert run.code == 0, run.log[-3000:]
    text = run.stdout[run.stdout.index("{"):].replace(path.parent.resolve().as_uri(), "file://FOLDER")
    return json.loads(text), run


def without_editor_layout(packed: dict[str, Any]) -> dict[str, Any]:
    """A packed document without what the editor adds: its layout field (or the old hint) and the layout
    namespace."""
    data = json.loads(json.dumps(packed))
    for process in data.get("$graph", [data]):
        process.pop(LAYOUT_FIELD, None)
        hints = process.get("hints")
        if isinstance(hints, list):
            process["hints"] = [h for h in hints if not (isinstance(h, dict) and h.get("class") == LEGACY_LAYOUT_CLASS)]
            if not process["hints"]:
                del process["hints"]
    namespaces = data.get("$namespaces", {})
    for prefix in [p for p, uri in namespaces.items() if uri == LAYOUT_NAMESPACE]:
        del namespaces[prefix]
    if not namespaces:
        data.pop("$namespaces", None)
    return data
