"""Validation of what a user asks for at launch (form fields or a REST body)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..catalog.loader import field_path
from ..catalog.models import ID_PATTERN, ID_RE
from ..errors import InvalidOptions

#: A spawn request larger than this (as JSON) is refused before it is looked at.
MAX_OPTIONS_BYTES = 16 * 1024
MAX_VOLUMES = 64



class LaunchOptions(BaseModel):
    """What the user picked: a datalab and the archive volumes to mount."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    datalab: str = Field(pattern=ID_PATTERN, max_length=50)
    volumes: list[str] | None = Field(None, max_length=MAX_VOLUMES)

    @field_validator("volumes")
    @classmethod
    def _volume_ids(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return value
        seen: set[str] = set()
        for i, vid in enumerate(value):
            if not isinstance(vid, str) or len(vid) > 50 or not ID_RE.match(vid):
                raise ValueError(f"item {i} is not a volume id (lowercase letters, digits and '-')")
            if vid in seen:
                raise ValueError(f"volume '{vid}' is listed twice")
            seen.add(vid)
        return value


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_options(raw: Any) -> LaunchOptions:
    """Validate raw user options (a dict from the REST API or from :func:`options_from_form`).

    Raises :class:`~datalabs_hub.errors.InvalidOptions` naming the field; the message never echoes long input back.
    """
    if not isinstance(raw, dict):
        raise InvalidOptions("body", f"must be a JSON object with 'datalab' and 'volumes', not {type(raw).__name__}")
    size = len(json.dumps(raw, default=str))
    if size > MAX_OPTIONS_BYTES:
        raise InvalidOptions("body", f"is {size} bytes; spawn options may have at most {MAX_OPTIONS_BYTES}")
    if "datalab" not in raw:
        raise InvalidOptions("datalab", "is required: the id of a datalab from the catalogue")
    try:
        return LaunchOptions.model_validate(raw)
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        field = field_path(err["loc"]) or "body"
        if err["type"] == "extra_forbidden":
            raise InvalidOptions(field, "unknown field; only 'datalab' and 'volumes' are accepted") from None
        if err["type"] == "string_pattern_mismatch":
            raise InvalidOptions(field, f"{_describe(err['input'])} is not a catalogue id (lowercase letters, digits and '-')") from None
        raise InvalidOptions(field, err["msg"].removeprefix("Value error, ")) from None


def options_from_form(formdata: dict[str, list[str]]) -> dict[str, Any]:
    """Turn the catalogue form's fields into raw options (validated later by :func:`parse_options`)."""
    datalab = formdata.get("datalab") or []
    if len(datalab) != 1:
        raise InvalidOptions("datalab", "pick exactly one datalab from the catalogue")
    return {"datalab": datalab[0], "volumes": list(formdata.get("volumes", []))}
