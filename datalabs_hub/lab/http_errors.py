"""Where the datalab server turns Datalabs errors into HTTP answers: the one place for every handler.

Handlers raise :class:`~datalabs_hub.errors.DatalabsError` subclasses (or tornado's own ``HTTPError``) and
mix in :class:`DatalabsErrors` before their Jupyter base class. The status comes from the error class; an
operator fault is logged with its details and the user gets the plain sentence
(:func:`~datalabs_hub.errors.to_http_error`). The message is also the reason phrase, so HTML error pages
(the desktop viewer's) show it; API handlers answer ``{"message": ..., "reason": ...}`` as Jupyter's do.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from ..errors import DatalabsError, OperatorError, to_http_error


class DatalabsErrors:
    """Mixin for the server extension's handlers (before ``JupyterHandler``/``APIHandler`` in the bases)."""

    def log_exception(self, typ: type[BaseException] | None, value: BaseException | None,
                      tb: TracebackType | None) -> None:
        if isinstance(value, DatalabsError):
            return  # expected: logged as it is converted (send_error), without a traceback
        super().log_exception(typ, value, tb)  # type: ignore[misc]

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, DatalabsError):
            log = self.log  # type: ignore[attr-defined]
            http = to_http_error(error, log)  # logs an operator fault with its details
            if not isinstance(error, OperatorError):
                log.info("Datalabs: %s %s: %s", error.status, type(error).__name__, error)
            kwargs["exc_info"] = (type(http), http, kwargs["exc_info"][2])
            status_code = http.status_code
        super().send_error(status_code, **kwargs)  # type: ignore[misc]
