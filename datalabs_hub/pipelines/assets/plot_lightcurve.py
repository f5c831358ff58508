"""Plot a light curve from a FITS table (Datalabs processing asset ``plot-lightcurve``).

Finds the time column (TIME or time) and the value column (RATE, COUNTS, FLUX, ... or the first
numeric one) unless they are given; a 2-D value column (e.g. STIX counts per energy band) is drawn as
one line per band. Writes ``--output`` (default ``lightcurve.png``).
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
from astropy.units import UnitsWarning  # noqa: E402

warnings.simplefilter("ignore", UnitsWarning)

VALUE_NAMES = ("RATE", "COUNTS", "FLUX", "COUNT_RATE", "CHANNEL1", "VALUE")


def fail(message):
    print(f"plot-lightcurve: {message}", file=sys.stderr)
    sys.exit(1)


def find_hdu(hdul, hdu):
    if hdu is not None:
        key = int(hdu) if hdu.isdigit() else hdu
        try:
            table = hdul[key]
        except (KeyError, IndexError):
            fail(f"no HDU {hdu!r}; the HDUs are {[h.name for h in hdul]}")
        if not isinstance(table, (fits.BinTableHDU, fits.TableHDU)):
            fail(f"HDU {hdu!r} is not a table")
        return table
    for table in hdul:
        if isinstance(table, (fits.BinTableHDU, fits.TableHDU)) and _column(table, ("TIME",)):
            return table
    fail("no table HDU with a TIME column: give the HDU and the column names")


def _column(table, names):
    by_upper = {name.upper(): name for name in table.columns.names}
    for name in names:
        if name.upper() in by_upper:
            return by_upper[name.upper()]
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("lightcurve")
    parser.add_argument("--hdu")
    parser.add_argument("--time-column")
    parser.add_argument("--value-column")
    parser.add_argument("--error-column")
    parser.add_argument("--title")
    parser.add_argument("--output", default="lightcurve.png", help="the PNG file to write")
    args = parser.parse_args()
    try:
        hdul = fits.open(args.lightcurve)
    except (OSError, ValueError) as exc:
        fail(f"{os.path.basename(args.lightcurve)} is not a readable FITS file: {exc}")
    with hdul:
        table = find_hdu(hdul, args.hdu)
        names = table.columns.names
        time_name = args.time_column or _column(table, ("TIME",))
        value_name = args.value_column or _column(table, VALUE_NAMES)
        if value_name is None:
            numeric = [n for n in names if n != time_name and np.issubdtype(table.data[n].dtype, np.number)]
            value_name = numeric[0] if numeric else None
        for role, name in (("time", time_name), ("value", value_name), ("error", args.error_column)):
            if role != "error" and name is None:
                fail(f"cannot tell which column is the {role}; the columns are {names}")
            if name is not None and name not in names:
                fail(f"no column {name!r}; the columns are {names}")
        if args.error_column is None:
            guess = _column(table, ("ERROR", f"{value_name}_ERR", f"{value_name}_ERROR"))
            error_name = guess if guess and table.data[guess].shape == table.data[value_name].shape else None
        else:
            error_name = args.error_column
        time = np.asarray(table.data[time_name], dtype=float)
        values = np.asarray(table.data[value_name], dtype=float)
        errors = np.asarray(table.data[error_name], dtype=float) if error_name else None
        units = {n: (table.columns[n].unit or "") for n in names}
        fig, ax = plt.subplots(figsize=(9, 4.5), dpi=100)
        series = values.reshape(len(values), -1)
        for band in range(series.shape[1]):
            label = f"{value_name}[{band}]" if series.shape[1] > 1 else value_name
            err = errors.reshape(len(errors), -1)[:, band] if errors is not None else None
            if err is not None and series.shape[1] == 1:
                ax.errorbar(time, series[:, band], yerr=err, fmt=".", ms=3, lw=0.6, label=label)
            else:
                ax.plot(time, series[:, band], lw=0.8, label=label)
        if series.shape[1] > 1:
            ax.set_yscale("log")
            ax.legend(fontsize=8)
        ax.set_xlabel(f"{time_name} [{units[time_name]}]" if units[time_name] else time_name)
        ax.set_ylabel(f"{value_name} [{units[value_name]}]" if units[value_name] else value_name)
        header = hdul[0].header
        title = args.title or " ".join(
            str(header[k]) for k in ("TELESCOP", "INSTRUME", "OBJECT") if header.get(k)
        ) or os.path.basename(args.lightcurve)
        ax.set_title(title)
        fig.tight_layout()
        fig.savefig(args.output)
        print(f"{len(time)} points of {value_name} against {time_name} from HDU {table.name}")


if __name__ == "__main__":
    main()
