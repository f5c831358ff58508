"""Render a FITS image as a PNG preview (Datalabs processing asset ``fits-image-png``).

Uses astropy's ZScale (or a percentile) interval and a linear, square-root or log stretch, draws
the image with its origin at the lower left like DS9, and writes ``--output`` (default ``preview.png``).
"""

import argparse
import os
import sys
import warnings

os.environ.setdefault("MPLCONFIGDIR", os.path.join(os.getcwd(), ".matplotlib"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from astropy.io import fits  # noqa: E402
from astropy.visualization import (  # noqa: E402
    ImageNormalize,
    LinearStretch,
    LogStretch,
    PercentileInterval,
    SqrtStretch,
    ZScaleInterval,
)
from astropy.wcs import WCS, FITSFixedWarning  # noqa: E402

warnings.simplefilter("ignore", FITSFixedWarning)
STRETCHES = {"linear": LinearStretch, "sqrt": SqrtStretch, "log": LogStretch}


def fail(message):
    print(f"fits-image-png: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("image")
    parser.add_argument("--hdu")
    parser.add_argument("--stretch", default="linear", choices=sorted(STRETCHES))
    parser.add_argument("--percentile", type=float, help="e.g. 99.5; default ZScale")
    parser.add_argument("--title")
    parser.add_argument("--output", default="preview.png", help="the PNG file to write")
    args = parser.parse_args()
    try:
        hdul = fits.open(args.image)
    except (OSError, ValueError) as exc:
        fail(f"{os.path.basename(args.image)} is not a readable FITS file: {exc}")
    with hdul:
        candidates = range(len(hdul)) if args.hdu is None else [int(args.hdu) if args.hdu.isdigit() else args.hdu]
        image = None
        for key in candidates:
            try:
                item = hdul[key]
            except (KeyError, IndexError):
                fail(f"no HDU {args.hdu!r}; the HDUs are {[h.name for h in hdul]}")
            if item.is_image and item.data is not None and item.data.ndim == 2:
                image = item
                break
        if image is None:
            fail("no 2-D image " + ("in the file" if args.hdu is None else f"in HDU {args.hdu}"))
        data = np.asarray(image.data, dtype=float)
        finite = data[np.isfinite(data)]
        if finite.size == 0:
            fail("the image has no finite pixel values")
        interval = PercentileInterval(args.percentile) if args.percentile else ZScaleInterval()
        norm = ImageNormalize(finite, interval=interval, stretch=STRETCHES[args.stretch]())
        wcs = WCS(image.header)
        celestial = wcs.has_celestial and wcs.naxis == 2
        fig = plt.figure(figsize=(6, 6), dpi=100)
        ax = fig.add_subplot(projection=wcs if celestial else None)
        shown = ax.imshow(data, origin="lower", cmap="gray", norm=norm)
        fig.colorbar(shown, ax=ax, shrink=0.8, label=image.header.get("BUNIT", ""))
        header = hdul[0].header
        ax.set_title(args.title or " ".join(
            str(header[k]) for k in ("TELESCOP", "INSTRUME", "DATE-OBS") if header.get(k)
        ) or os.path.basename(args.image))
        fig.savefig(args.output)
        print(f"{data.shape[1]}x{data.shape[0]} image from HDU {image.name}")


if __name__ == "__main__":
    main()
