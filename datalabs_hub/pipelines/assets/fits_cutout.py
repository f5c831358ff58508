"""Cut a rectangle out of a FITS image (Datalabs processing asset ``fits-cutout``).

The centre is given in pixels (1-based, as in FITS and DS9) or in sky coordinates (degrees, needs a
celestial WCS). Writes ``--output`` (default ``cutout.fits``): the cut data with the original header and a WCS shifted to
the cutout, so the cutout's coordinates stay right.
"""

import argparse
import os
import sys
import warnings

import numpy as np
from astropy.io import fits
from astropy.nddata import Cutout2D, NoOverlapError
from astropy.wcs import WCS, FITSFixedWarning

warnings.simplefilter("ignore", FITSFixedWarning)


def fail(message):
    print(f"fits-cutout: {message}", file=sys.stderr)
    sys.exit(1)


def pick_hdu(hdul, hdu):
    if hdu is not None:
        if hdu.lstrip("-").isdigit():
            index = int(hdu)
            if not 0 <= index < len(hdul):
                fail(f"HDU {index} does not exist: the file has HDUs 0 to {len(hdul) - 1}")
        else:
            names = [h.name for h in hdul]
            if hdu.upper() not in names:
                fail(f"no HDU named {hdu!r}; the HDUs are {names}")
            index = names.index(hdu.upper())
        if not hdul[index].is_image or hdul[index].data is None or hdul[index].data.ndim != 2:
            fail(f"HDU {index} ({hdul[index].name}) is not a 2-D image")
        return index
    for index, item in enumerate(hdul):
        if item.is_image and item.data is not None and item.data.ndim == 2:
            return index
    fail("the file has no 2-D image HDU")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("image")
    parser.add_argument("--hdu")
    parser.add_argument("--x", type=float, help="centre column, 1-based pixel")
    parser.add_argument("--y", type=float, help="centre row, 1-based pixel")
    parser.add_argument("--ra", type=float, help="centre right ascension, degrees")
    parser.add_argument("--dec", type=float, help="centre declination, degrees")
    parser.add_argument("--size", type=int, default=64, help="width and height in pixels")
    parser.add_argument("--output", default="cutout.fits", help="the cutout file to write")
    args = parser.parse_args()
    if args.size < 1:
        fail(f"size must be at least 1 pixel, got {args.size}")
    try:
        hdul = fits.open(args.image)
    except (OSError, ValueError) as exc:
        fail(f"{os.path.basename(args.image)} is not a readable FITS file: {exc}")
    with hdul:
        index = pick_hdu(hdul, args.hdu)
        image = hdul[index]
        data = np.asarray(image.data)
        wcs = WCS(image.header)
        ny, nx = data.shape
        if args.ra is not None or args.dec is not None:
            if args.ra is None or args.dec is None:
                fail("give both ra and dec (degrees), or x and y (pixels)")
            if not wcs.has_celestial:
                fail(f"HDU {index} has no celestial WCS: give the centre as x and y pixels")
            cx, cy = wcs.celestial.all_world2pix([[args.ra, args.dec]], 0)[0]
        elif args.x is not None and args.y is not None:
            cx, cy = args.x - 1, args.y - 1
        elif args.x is None and args.y is None:
            cx, cy = (nx - 1) / 2, (ny - 1) / 2
        else:
            fail("give both x and y (1-based pixels)")
        try:
            cut = Cutout2D(data, (cx, cy), args.size, wcs=wcs if wcs.naxis == 2 else None, mode="trim")
        except NoOverlapError:
            fail(f"the centre ({cx + 1:.1f}, {cy + 1:.1f}) is outside the {nx}x{ny} image")
        header = image.header.copy()
        if cut.wcs is not None:
            header.update(cut.wcs.to_header())
        header["DL_HDU"] = (index, "HDU of the original file")
        header["DL_X0"] = (int(cut.xmin_original) + 1, "first original column (1-based)")
        header["DL_Y0"] = (int(cut.ymin_original) + 1, "first original row (1-based)")
        fits.PrimaryHDU(cut.data, header=_primary(header)).writeto(args.output, overwrite=True)
        print(f"cutout {cut.data.shape[1]}x{cut.data.shape[0]} of HDU {index} ({image.name}) at "
              f"x={cx + 1:.1f} y={cy + 1:.1f}")


def _primary(header):
    """The image header as a primary header (XTENSION and PCOUNT/GCOUNT belong to extensions)."""
    header = header.copy()
    for key in ("XTENSION", "PCOUNT", "GCOUNT"):
        header.remove(key, ignore_missing=True)
    return header


if __name__ == "__main__":
    main()
