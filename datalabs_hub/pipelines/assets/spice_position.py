"""Position of a body relative to an observer from SPICE kernels (Datalabs processing asset ``spice-position``).

Loads a metakernel with SpiceyPy and writes ``positions.csv``: one row per time with the position
(km) in the chosen frame, the distance in km and au, and the one-way light time in seconds.
"""

import argparse
import csv
import math
import sys

import spiceypy
from spiceypy.utils.exceptions import SpiceyError

AU_KM = 149_597_870.7


def fail(message):
    print(f"spice-position: {message}", file=sys.stderr)
    sys.exit(1)


def spice_message(exc):
    text = getattr(exc, "short", "") or ""
    detail = getattr(exc, "long", "") or str(exc)
    return f"{text} {detail}".strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--metakernel", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--observer", default="EARTH")
    parser.add_argument("--frame", default="J2000")
    parser.add_argument("--abcorr", default="NONE")
    parser.add_argument("--time", action="append", required=True, help="UTC time; repeat for several")
    args = parser.parse_args()
    try:
        spiceypy.furnsh(args.metakernel)
    except SpiceyError as exc:
        fail(f"cannot load the metakernel {args.metakernel}: {spice_message(exc)}")
    rows = []
    for utc in args.time:
        try:
            et = spiceypy.str2et(utc)
        except SpiceyError as exc:
            fail(f"{utc!r} is not a time SPICE understands: {spice_message(exc)}")
        try:
            pos, light_time = spiceypy.spkpos(args.target, et, args.frame, args.abcorr, args.observer)
        except SpiceyError as exc:
            fail(f"no position of {args.target} from {args.observer} at {utc}: {spice_message(exc)}")
        distance = math.sqrt(sum(p * p for p in pos))
        rows.append({
            "utc": spiceypy.et2utc(et, "ISOC", 3),
            "et": f"{et:.3f}",
            "x_km": f"{pos[0]:.3f}",
            "y_km": f"{pos[1]:.3f}",
            "z_km": f"{pos[2]:.3f}",
            "distance_km": f"{distance:.3f}",
            "distance_au": f"{distance / AU_KM:.9f}",
            "light_time_s": f"{light_time:.6f}",
        })
    with open("positions.csv", "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{args.target} from {args.observer} ({args.frame}, {args.abcorr}): {len(rows)} positions")


if __name__ == "__main__":
    main()
