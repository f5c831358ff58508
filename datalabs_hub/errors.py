"""One error vocabulary for every Datalabs process, each class carrying its HTTP status.

Domain code raises these and never picks an HTTP status itself; each process converts them in one
place (:func:`to_http_error`: the hub's spawner, the datalab server's handlers).

- :class:`UserError` and its subclasses (4xx) are the user's mistakes: the message names the field
  and says what to do; it is shown as it is.
- :class:`OperatorError` and its subclasses (5xx) are faults of the installation (a missing system
  account, a missing volume folder, a malformed contract): the detailed message goes to the log for
  the operator, the user sees a plain sentence that says it is not their fault and whom to ask.
"""

from __future__ import annotations

import logging
from typing import ClassVar

from tornado import web


class DatalabsError(Exception):
    """Base of every Datalabs error. ``field`` names what was wrong (``volumes[1]``, ``body``), if anything."""

    status: ClassVar[int] = 500

    def __init__(self, message: str, *, field: str | None = None):
        self.message = message
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)

    def user_message(self) -> str:
        """What the user is shown."""
        return str(self)


class UserError(DatalabsError):
    """Something the user sent is wrong (400); the message names the field."""

    status = 400


class InvalidOptions(UserError):
    """Launch options (spawn form or REST body) that cannot be launched."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)


class PermissionDenied(UserError):
    status = 403


class NotFound(UserError):
    status = 404


class Conflict(UserError):
    """The request is fine but the current state forbids it (e.g. the per-user limit of running datalabs)."""

    status = 409


class PayloadTooLarge(UserError):
    status = 413


class OperatorError(DatalabsError):
    """A fault of the installation, not of the user (500): details for the operator's log, a plain message for the user."""

    status = 500
    #: what the user is told instead of the details
    plain: ClassVar[str] = "The platform is not set up correctly for this request; an administrator has been told why in the log."

    def user_message(self) -> str:
        return self.plain


class MissingAccount(OperatorError):
    """The hub user has no system account to run datalabs as."""

    plain = "Your account is not set up on this machine yet. Ask an administrator to create it."


class MissingVolume(OperatorError):
    """An archive volume's folder is missing on the host."""

    plain = "An archive volume you picked is not available on this machine right now. Ask an administrator."


class ContractError(OperatorError):
    """What the hub handed a datalab (the contract's environment variables) is malformed."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)


class Unavailable(DatalabsError):
    """A part of the datalab could not be started or reached (503); the message says what to do."""

    status = 503


def to_http_error(error: DatalabsError, log: logging.Logger | logging.LoggerAdapter | None = None) -> web.HTTPError:
    """The HTTP error a process answers for ``error``; operator faults are logged with their details."""
    if isinstance(error, OperatorError) and log is not None:
        log.error("Datalabs: %s: %s", type(error).__name__, error)
    message = error.user_message()
    http = web.HTTPError(error.status, message, reason=_reason(message))
    http.jupyterhub_message = message  # JupyterHub's own pages show this instead of "HTTP 400: ... (...)"
    return http


def _reason(message: str) -> str:
    """An HTTP reason phrase (one line): tornado's HTML error pages show it, so it carries the message."""
    return " ".join(message.split())[:400] or "Error"
