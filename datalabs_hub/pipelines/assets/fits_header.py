"""Read the header of one HDU of a FITS file (Datalabs processing asset ``fits-header``).

Writes ``<stem>.json`` (keyword -> value, plus the HDU index and name), ``<stem>.txt`` (the
80-character cards as text; ``--stem`` defaults to ``header``) and ``value.txt`` (the value of ``--keyword``, empty without one).
"""

import argparse
import json
import os
import sys

from astropy.io import fits


def fail(message):
    print(f"fits-header: {message}", file=sys.stderr)
    sys.exit(1)


def pick_hdu(hdul, hdu):
    if hdu is None:
        return 0
    if hdu.lstrip("-").isdigit():
        index = int(hdu)
        if not 0 <= index < len(hdul):
            fail(f"HDU {index} does not exist: the file has HDUs 0 to {len(hdul) - 1}")
        return index
    names = [h.name for h in hdul]
    if hdu.upper() not in names:
        fail(f"no HDU named {hdu!r}; the HDUs are {names}")
    return names.index(hdu.upper())


def plain(value):
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return str(value)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("fits")
    parser.add_argument("--hdu", help="HDU index (0 = primary) or EXTNAME")
    parser.add_argument("--keyword", help="one keyword whose value goes to value.txt")
    parser.add_argument("--stem", default="header", help="name of the .json and .txt files without extension")
    args = parser.parse_args()
    try:
        hdul = fits.open(args.fits)
    except (OSError, ValueError) as exc:
        fail(f"{os.path.basename(args.fits)} is not a readable FITS file: {exc}")
    with hdul:
        index = pick_hdu(hdul, args.hdu)
        header = hdul[index].header
        cards = {}
        for card in header.cards:
            if card.keyword in ("", "COMMENT", "HISTORY"):
                cards.setdefault(card.keyword or "BLANK", []).append(str(card.value))
            else:
                cards[card.keyword] = plain(card.value)
        value = ""
        if args.keyword:
            key = args.keyword.upper()
            if key not in header:
                fail(f"keyword {key} is not in HDU {index} ({hdul[index].name}) of {os.path.basename(args.fits)}")
            value = str(header[key])
        with open(f"{args.stem}.json", "w") as out:
            json.dump({"hdu": index, "name": hdul[index].name, "cards": cards}, out, indent=1)
        with open(f"{args.stem}.txt", "w") as out:
            out.write("\n".join(str(card) for card in header.cards) + "\n")
        with open("value.txt", "w") as out:
            out.write(value)


if __name__ == "__main__":
    main()
