"""The JS9 web app: JS9 (npm ``js9``), a page listing the FITS images of the mounted archive volumes, and the files.

Run by jupyter-server-proxy inside the datalab (``python -m datalabs_hub.webapp.js9_server --unix-socket PATH``):

=====================  ======================================================================
``/``                  the page: the images on the left, JS9 on the right (``?file=<url>`` opens one)
``/api/images``        JSON list of the FITS images found in the volumes (first image HDU, NAXISn)
``/files/<vol>/<p>``   the files of archive volume ``<vol>`` (read-only, below its mount path)
``/js9/<p>``           JS9 itself, from the npm package installed by bootstrap.sh
=====================  ======================================================================

All URLs in the page are relative, so the app works below any prefix. JS9 loads FITS files over
HTTP from the same origin; no JS9 helper (node/CGI) runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import mimetypes
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from tornado import web
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_unix_socket

from ..contract import VolumeInfo, read_volumes

#: where bootstrap.sh installs the npm package (``npm ci --prefix`` this folder)
JS9_DIR = Path(__file__).resolve().parent / "js9" / "node_modules" / "js9"
PAGE = Path(__file__).resolve().parent / "templates" / "js9.html"
FITS_SUFFIXES = (".fits", ".fit", ".fts", ".fits.gz", ".fit.gz", ".fts.gz")
#: at most this many files are opened to look for images (a large volume is listed partly)
MAX_FILES = 2000

mimetypes.add_type("application/wasm", ".wasm")


@dataclass(frozen=True)
class FitsImage:
    """One FITS file with an image: where it is and what JS9 will show."""

    volume: str
    path: str  # relative to the volume
    url: str  # relative to the app's root
    hdu: int
    naxis1: int
    naxis2: int
    bytes: int


def first_image(path: Path) -> tuple[int, int, int] | None:
    """(HDU index, NAXIS1, NAXIS2) of the first HDU holding a 2-d (or deeper) image, None if there is none."""
    from astropy.io import fits

    try:
        with fits.open(path, memmap=False, lazy_load_hdus=True) as hdus:
            for index, hdu in enumerate(hdus):
                header = hdu.header
                if header.get("XTENSION", "IMAGE") not in ("IMAGE", "") and index > 0:
                    continue
                if header.get("NAXIS", 0) >= 2 and header.get("NAXIS1", 0) > 1 and header.get("NAXIS2", 0) > 1:
                    return index, int(header["NAXIS1"]), int(header["NAXIS2"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return None


def find_images(volumes: list[VolumeInfo]) -> list[FitsImage]:
    """The FITS images of the volumes, in path order (files without an image are left out)."""
    found: list[FitsImage] = []
    seen = 0
    for volume in volumes:
        root = Path(volume.mount_path)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if not name.lower().endswith(FITS_SUFFIXES) or seen >= MAX_FILES:
                    continue
                seen += 1
                path = Path(dirpath) / name
                image = first_image(path)
                if image is None:
                    continue
                relative = path.relative_to(root).as_posix()
                found.append(FitsImage(volume=volume.id, path=relative, url=f"files/{volume.id}/{relative}",
                                       hdu=image[0], naxis1=image[1], naxis2=image[2], bytes=path.stat().st_size))
    return found


class ImagesHandler(web.RequestHandler):
    async def get(self) -> None:
        cache: dict = self.settings["images"]
        if "list" not in cache:
            cache["list"] = await asyncio.get_running_loop().run_in_executor(None, find_images, self.settings["volumes"])
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({"images": [asdict(i) for i in cache["list"]],
                                "volumes": [{"id": v.id, "title": v.title} for v in self.settings["volumes"]]}))


class PageHandler(web.RequestHandler):
    def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.finish(PAGE.read_bytes())


class VolumeFileHandler(web.StaticFileHandler):
    """A volume's files; JS9 adds a random ``?r=`` to avoid caches, which is ignored here."""

    @classmethod
    def get_content_type_for(cls, path: str) -> str:
        return "application/octet-stream"

    def get_content_type(self) -> str:
        return "application/octet-stream"


def make_app(volumes: list[VolumeInfo], js9_dir: Path = JS9_DIR) -> web.Application:
    handlers: list = [
        (r"/", PageHandler),
        (r"/api/images", ImagesHandler),
        (r"/js9/(.*)", web.StaticFileHandler, {"path": str(js9_dir)}),
    ]
    for volume in volumes:
        handlers.append((rf"/files/{volume.id}/(.*)", VolumeFileHandler, {"path": volume.mount_path}))
    return web.Application(handlers, volumes=volumes, images={}, compress_response=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--unix-socket", help="listen on this unix socket (mode 0600)")
    where.add_argument("--port", type=int, help="listen on this port of 127.0.0.1")
    args = parser.parse_args(argv)
    if not (JS9_DIR / "js9.min.js").is_file():
        print(f"JS9 is not installed at {JS9_DIR}: run bash bootstrap.sh", file=sys.stderr)
        return 2
    volumes = read_volumes(os.environ)

    async def serve() -> None:
        server = HTTPServer(make_app(volumes))
        if args.unix_socket:
            server.add_socket(bind_unix_socket(args.unix_socket, mode=0o600))
        else:
            server.listen(args.port, address="127.0.0.1")
        await asyncio.Event().wait()

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
