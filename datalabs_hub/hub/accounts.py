"""Demo accounts of the embedded default: system users with random passwords, printed once."""

from __future__ import annotations

import grp
import os
import pwd
import secrets
import subprocess
from pathlib import Path

USERS_GROUP = "datalabs-users"
ADMINS_GROUP = "datalabs-admins"
#: (account, group)
DEMO_ACCOUNTS = (("dladmin", ADMINS_GROUP), ("alice", USERS_GROUP), ("bob", USERS_GROUP))
CREDENTIALS_FILE = "demo-credentials.txt"


def _run(*argv: str, stdin: str | None = None) -> None:
    subprocess.run(argv, input=stdin, text=True, check=True, capture_output=True)


def ensure_group(name: str) -> None:
    try:
        grp.getgrnam(name)
    except KeyError:
        _run("groupadd", name)


def create_account(name: str, group: str, password: str) -> None:
    """Create a login account with a home folder, in ``group``, with ``password``."""
    ensure_group(group)
    _run("useradd", "--create-home", "--shell", "/bin/bash", "--groups", group, name)
    _run("chpasswd", stdin=f"{name}:{password}\n")


def ensure_demo_users(state_dir: Path) -> int:
    """Create missing demo accounts, print their passwords once, and say where to find them later."""
    for group in (USERS_GROUP, ADMINS_GROUP):
        ensure_group(group)
    created = []
    for name, group in DEMO_ACCOUNTS:
        try:
            pwd.getpwnam(name)
            continue
        except KeyError:
            password = secrets.token_urlsafe(9)
            create_account(name, group, password)
            created.append((name, group, password))
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    creds = state_dir / CREDENTIALS_FILE
    if created:
        with open(creds, "a", opener=lambda p, f: os.open(p, f, 0o600)) as fh:
            for name, group, password in created:
                fh.write(f"{name}\t{password}\t{group}\n")
        print("Demo accounts created (the passwords are shown only now):")
        for name, group, password in created:
            role = "administrator" if group == ADMINS_GROUP else "user"
            print(f"    {name:10s} password: {password}   ({role})")
    else:
        names = ", ".join(n for n, _ in DEMO_ACCOUNTS)
        print(f"Demo accounts: {names} (passwords were printed when they were created; root can read {creds})")
    return 0
