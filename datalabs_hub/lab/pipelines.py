"""HTTP API of the pipeline editor: the processing-asset library and CWL validation.

``GET  {base_url}datalabs/api/pipelines/assets``        -> ``{"assets": [...], "errors": [...]}``
``GET  {base_url}datalabs/api/pipelines/assets/<id>``   -> one asset
``POST {base_url}datalabs/api/pipelines/validate``      -> ``{"valid": bool, "problems": [...]}``

The logic lives in :mod:`datalabs_hub.pipelines`; these handlers check access, parse and answer.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from typing import Any

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler

from ..errors import NotFound
from ..pipelines.asset_library import AssetLibrary, asset_folders
from ..pipelines.cache import AssetLibraryCache
from ..pipelines.requests import RequestError, document_path, parse_validate_body
from ..pipelines.settings import DatalabsPipelines
from ..pipelines.validator_service import ValidatorService
from .http_errors import DatalabsErrors

SETTINGS_KEY = "datalabs_pipelines"


@dataclass
class PipelinesBackend:
    """What the handlers share: the operator settings, the library and the validation worker."""

    settings: DatalabsPipelines
    library: AssetLibraryCache
    validator: ValidatorService


def make_backend(settings: DatalabsPipelines, log: logging.Logger) -> PipelinesBackend:
    """The library and the validation worker (started on first use; the extension's stop hook closes it)."""

    def report(library: AssetLibrary) -> None:
        for problem in library.errors:
            log.error("Datalabs processing asset %s: %s: %s", problem.file, problem.field, problem.message)
        log.info("Datalabs processing assets: %d loaded, %d with errors", len(library.assets), len(library.errors))

    validator = ValidatorService(timeout=settings.validate_timeout, memory_limit=settings.validator_memory_limit)
    return PipelinesBackend(settings, AssetLibraryCache(asset_folders(settings.asset_paths), report), validator)


class _PipelinesHandler(DatalabsErrors, APIHandler):
    auth_resource = "contents"

    @property
    def backend(self) -> PipelinesBackend:
        return self.settings[SETTINGS_KEY]

    def reply(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body))


class AssetsHandler(_PipelinesHandler):
    """The palette: every processing asset, and the asset files that could not be loaded."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        library = self.backend.library.current()
        self.reply(200, {"assets": [a.to_json() for a in library.assets],
                         "errors": [e.to_json() for e in library.errors]})


class AssetHandler(_PipelinesHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, asset_id: str) -> None:
        asset = self.backend.library.current().get(asset_id)
        if asset is None:
            raise NotFound(f"There is no processing asset {asset_id[:100]!r}.")
        self.reply(200, asset.to_json())


class ValidateHandler(_PipelinesHandler):
    """Validate a CWL document (the editor's content, saved or not) with cwltool."""

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        backend = self.backend
        try:
            request = parse_validate_body(self.request.body, backend.settings.max_document_bytes)
        except RequestError as exc:
            raise tornado.web.HTTPError(exc.status, exc.message) from None
        root = self._root_dir()
        roots = [root, *(r for r in backend.settings.reference_roots if os.path.isdir(r))]
        problems = await backend.validator.validate(request.content, document_path(root, request.path), roots)
        self.reply(200, {"valid": not any(p.severity == "error" for p in problems),
                         "problems": [p.to_json() for p in problems]})

    def _root_dir(self) -> str:
        root = getattr(self.contents_manager, "root_dir", None)
        return os.path.abspath(str(root or self.settings.get("server_root_dir") or os.getcwd()))
