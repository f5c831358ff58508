"""Where the bundled noVNC viewer lives (built from ``proxies/viewer/`` by bootstrap.sh into ``static/``)."""

from __future__ import annotations

from pathlib import Path

VIEWER_DIR = Path(__file__).resolve().parent / "static"
