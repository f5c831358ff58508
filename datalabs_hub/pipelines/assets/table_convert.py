"""Convert a table between FITS, VOTable, CSV and ECSV (Datalabs processing asset ``table-convert``).

Reads with astropy (format guessed from the content, or given) and writes ``<stem>.<ext>`` (``--stem``, default ``table``).
"""

import argparse
import os
import sys
import warnings

from astropy.io import fits
from astropy.io.votable.exceptions import VOWarning
from astropy.table import Table
from astropy.units import UnitsWarning

warnings.simplefilter("ignore", UnitsWarning)
warnings.simplefilter("ignore", VOWarning)

WRITERS = {"csv": ("ascii.csv", "csv"), "ecsv": ("ascii.ecsv", "ecsv"),
           "votable": ("votable", "xml"), "fits": ("fits", "fits")}


def fail(message):
    print(f"table-convert: {message}", file=sys.stderr)
    sys.exit(1)


def read(path, fmt, hdu):
    kwargs = {}
    if fmt and fmt != "auto":
        kwargs["format"] = fmt
    if hdu is not None:
        kwargs["hdu"] = int(hdu) if hdu.isdigit() else hdu
    elif fmt in (None, "auto", "fits") and _is_fits(path):
        kwargs["hdu"] = _first_table_hdu(path)
    try:
        return Table.read(path, **kwargs)
    except Exception as exc:  # astropy raises many kinds for unreadable input
        hint = "" if kwargs.get("format") else " (give the input format, e.g. ascii or fits)"
        fail(f"cannot read {os.path.basename(path)} as a table{hint}: {exc}")


def _is_fits(path):
    with open(path, "rb") as handle:
        return handle.read(9) == b"SIMPLE  ="


def _first_table_hdu(path):
    with fits.open(path) as hdul:
        for index, hdu in enumerate(hdul):
            if isinstance(hdu, (fits.BinTableHDU, fits.TableHDU)):
                return index
    fail(f"{os.path.basename(path)} has no table HDU")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("table")
    parser.add_argument("--to", required=True, choices=sorted(WRITERS))
    parser.add_argument("--from", dest="source_format", default="auto")
    parser.add_argument("--hdu")
    parser.add_argument("--stem", default="table", help="output file name without its extension")
    args = parser.parse_args()
    table = read(args.table, args.source_format, args.hdu)
    writer, ext = WRITERS[args.to]
    if args.to == "csv":
        multi = [name for name in table.colnames if table[name].ndim > 1]
        if multi:
            fail(f"CSV cannot hold the multi-dimensional columns {multi}: choose ecsv, votable or fits")
    try:
        table.write(f"{args.stem}.{ext}", format=writer, overwrite=True)
    except Exception as exc:
        fail(f"cannot write the table as {args.to}: {exc}")
    print(f"{len(table)} rows, {len(table.colnames)} columns -> {args.stem}.{ext}")


if __name__ == "__main__":
    main()
