"""Run validations in the worker process (:mod:`.worker`) from the async server, with a time limit."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from .problems import Problem, error

STREAM_LIMIT = 64 * 1024 * 1024
START_TIMEOUT_S = 60.0


@dataclass
class ValidatorService:
    """One worker process, started on first use and replaced after a timeout or a crash."""

    timeout: float = 30.0
    """Seconds one validation may take."""
    memory_limit: int = 2 * 1024**3
    """Address-space limit of the worker (bytes, 0 for none): a hostile document cannot eat the machine."""
    python: str = sys.executable

    def __post_init__(self) -> None:
        self._process: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()
        self._requests = 0

    async def validate(self, content: str, doc_path: str, roots: Sequence[str]) -> list[Problem]:
        """Problems of ``content`` as the file ``doc_path``; referenced files must lie below ``roots``."""
        self._requests += 1
        request_id = self._requests
        request = json.dumps({"id": request_id, "content": content, "path": doc_path, "roots": list(roots)}) + "\n"
        async with self._lock:
            try:
                process = await self._ensure_started()
                assert process.stdin is not None and process.stdout is not None
                process.stdin.write(request.encode())
                await process.stdin.drain()
                line = await asyncio.wait_for(process.stdout.readline(), self.timeout)
            except asyncio.CancelledError:
                self._kill()  # its answer would otherwise be read as the next request's
                raise
            except TimeoutError:
                await self._stop()
                return [error(f"Validation took longer than {self.timeout:g} s and was stopped: the document is "
                              "too large or too deeply nested, or refers to something that does not answer.")]
            except (OSError, RuntimeError) as exc:
                await self._stop()
                return [error(f"The validator could not run ({exc}); try again, and tell an administrator if "
                              "it keeps failing.")]
            if not line:
                await self._stop()
                return [error("The validator stopped while checking this document (it may have run out of "
                              "memory); the document is probably too large or too deeply nested.")]
        try:
            answer = json.loads(line)
            if answer.get("id") != request_id:
                self._kill()
                return [error("The validator answered another request; try again.")]
            return [Problem(**p) for p in answer["problems"]]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return [error(f"The validator gave an answer that could not be read: {exc}")]

    async def _ensure_started(self) -> asyncio.subprocess.Process:
        if self._process is not None and self._process.returncode is None:
            return self._process
        limit = self.memory_limit

        def preexec() -> None:
            if limit:
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        self._process = await asyncio.create_subprocess_exec(
            self.python, "-m", "datalabs_hub.pipelines.worker",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
            preexec_fn=preexec, limit=STREAM_LIMIT, env=env,
        )
        assert self._process.stdout is not None
        try:
            ready = await asyncio.wait_for(self._process.stdout.readline(), START_TIMEOUT_S)
        except TimeoutError:
            await self._stop()
            raise RuntimeError(f"the worker did not start within {START_TIMEOUT_S:g} s") from None
        if not ready:
            await self._stop()
            raise RuntimeError("the worker exited at start (is cwltool installed?)")
        return self._process

    async def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        process.kill()
        await process.wait()

    async def close(self) -> None:
        """End the worker (the server calls this when it stops)."""
        async with self._lock:
            await self._stop()

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            try:
                process.kill()
            except ProcessLookupError:
                pass
