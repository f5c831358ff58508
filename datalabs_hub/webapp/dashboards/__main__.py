"""Serve a shipped Voilà dashboard: ``python -m datalabs_hub.webapp.dashboards NAME [voila options]``.

Catalogue entries name the notebook of this folder instead of a path into the installation. The
dashboard uses our ``datalabs`` Voilà template (Voilà's ``lab`` without stylesheets from a CDN) and
loads no JupyterLab extension but the code highlighting (those of JupyterLab datalabs are built
for a newer JupyterLab than Voilà's and warn in the browser).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    names = sorted(p.stem for p in HERE.glob("*.ipynb"))
    if not argv or argv[0] not in names:
        print(f"usage: python -m datalabs_hub.webapp.dashboards NAME [voila options]; NAME is one of {', '.join(names)}",
              file=sys.stderr)
        return 2
    voila = shutil.which("voila", path=str(Path(sys.executable).parent)) or shutil.which("voila")
    if voila is None:
        print("voila is not installed (pip install 'datalabs-hub[astro]')", file=sys.stderr)
        return 2
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(HERE / "share"), os.environ.get("JUPYTER_PATH")) if p)
    defaults = ["--template=datalabs", "--VoilaConfiguration.extension_allowlist=jupyterlab_pygments"]
    os.execv(voila, [voila, str(HERE / f"{argv[0]}.ipynb"), *defaults, *argv[1:]])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
