"""HTTP API of the datalab server extension."""

from __future__ import annotations

import asyncio
import json
import os

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler

from .volumes import ENV_VAR, check_available, describe_volume, parse_volumes

CHECK_TIMEOUT_S = 5.0
"""How long one volume may take to answer before it is reported unavailable (hung network mount)."""


class VolumesHandler(APIHandler):
    """``GET {base_url}datalabs/api/volumes``: the archive volumes mounted in this datalab."""

    auth_resource = "contents"

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        parsed = parse_volumes(os.environ.get(ENV_VAR))
        if parsed.error:
            self.log.warning("Datalabs: %s", parsed.error)

        root_dir = self._root_dir()
        checks = await asyncio.gather(*(_check(v.mount_path) for v in parsed.volumes))
        body = {
            "volumes": [
                describe_volume(volume, root_dir, check)
                for volume, check in zip(parsed.volumes, checks, strict=True)
            ]
        }
        if parsed.error:
            body["error"] = parsed.error
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body))

    def _root_dir(self) -> str:
        """The directory the file browser shows as ``/``."""
        root = getattr(self.contents_manager, "root_dir", None)
        return str(root or self.settings.get("server_root_dir") or os.getcwd())


async def _check(mount_path: str) -> tuple[bool, int | None, str | None]:
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(check_available, mount_path), CHECK_TIMEOUT_S
        )
    except TimeoutError:
        return False, None, f"The volume did not answer within {CHECK_TIMEOUT_S:g} s."
