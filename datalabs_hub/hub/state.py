"""The hub's own folder (database, cookie secret, proxy pid and token), and preparing the machine for the hub.

``datalabs prepare-hub --state-dir DIR`` (:func:`prepare_hub`) does every step with side effects
once, before the hub starts; the hub's configuration file only reads what it made.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from .accounts import ADMINS_GROUP, USERS_GROUP, ensure_group

#: Where the hub keeps its own files unless configured otherwise; readable by root only.
DEFAULT_STATE_DIR = "/var/lib/datalabs"
#: The proxy's API token (in the state folder): the proxy outlives hub restarts, so its token must too.
PROXY_TOKEN_FILE = "proxy_auth_token"


def prepare_hub(state_dir: Path | str) -> None:
    """Create the state folder (0700), the groups PAM checks, and the proxy's token (once)."""
    state = Path(state_dir)
    state.mkdir(mode=0o700, parents=True, exist_ok=True)
    for group in (USERS_GROUP, ADMINS_GROUP):
        ensure_group(group)  # PAM's group checks fail on a group that does not exist
    token = state / PROXY_TOKEN_FILE
    if not token.exists():
        with open(token, "w", opener=lambda p, f: os.open(p, f, 0o600)) as fh:
            fh.write(secrets.token_hex(32))


def read_proxy_token(state_dir: Path | str) -> str:
    """The proxy's API token made by :func:`prepare_hub`; a missing file says what to run."""
    token = Path(state_dir) / PROXY_TOKEN_FILE
    try:
        return token.read_text().strip()
    except FileNotFoundError:
        raise SystemExit(
            f"\nThe hub cannot start: {token} is missing. Run `datalabs prepare-hub --state-dir {state_dir}` first"
            " (bash bootstrap.sh run does).\n"
        ) from None
