"""Fetch, verify, cache and mirror the course's datasets.

Every dataset is a :class:`Resource`. :func:`fetch` turns one into a local path, looking in
three places, in this order:

1. **A read-only mirror** named by the environment variable ``COURSE_DATA_MIRROR`` (CI and the
   book build point it at ``../shared/data``). It holds datasets already extracted, laid out as
   ``<mirror>/<resource.mirror_path>``. Files there are used in place and never written.
2. **The cache** (``COURSE_DATA_CACHE``, default ``~/.cache/rnn-to-attention``), laid out like
   the mirror. An archive counts as fetched only once its extracted folder holds the marker file
   :data:`MARKER`, written before the folder is moved into place; a single file counts once it
   exists, because it is renamed into place only after its checksum matched. Nothing is ever
   downloaded twice.
3. **The dataset's canonical home**, over HTTP(S) with ``urllib`` and a tqdm bar. The download
   goes to a temporary file beside its destination, is checked against the published checksum,
   extracted into a temporary sibling folder and renamed into place in one step. If anything
   fails (a wrong checksum, a dropped connection, Ctrl-C) the temporary files are removed, so
   the cache never holds half a dataset.

Importing this module touches neither the network nor the disk.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from tqdm.auto import tqdm

MIRROR_ENV = "COURSE_DATA_MIRROR"
CACHE_ENV = "COURSE_DATA_CACHE"
DEFAULT_CACHE = Path("~/.cache/rnn-to-attention")
MARKER = ".course_data_complete"  # written inside an extracted folder once it is whole
CHUNK_BYTES = 1 << 16  # read and hash downloads 64 KiB at a time
TIMEOUT_SECONDS = 60.0  # give up on a silent server after a minute

Kind = Literal["file", "tar.gz", "zip"]
Algorithm = Literal["sha256", "sha1", "md5", "git-blob-sha1"]


class ChecksumError(RuntimeError):
    """A downloaded file's checksum differs from the published one."""


class DataUnavailableError(RuntimeError):
    """The data is in no mirror, not in the cache, and could not be downloaded."""


@dataclass(frozen=True)
class Resource:
    """One downloadable file or archive and where it lives.

    Attributes:
        name: short human name used in messages, e.g. ``"IMDB (aclImdb v1)"``.
        url: the canonical download address.
        checksum: hex digest of the downloaded bytes, as published.
        algorithm: how ``checksum`` is computed: ``"sha256"``, ``"sha1"``, ``"md5"`` or
            ``"git-blob-sha1"`` (git's object id: SHA-1 of ``b"blob <size>\\0" + data``).
        filename: name of the downloaded file.
        kind: ``"file"`` (used as is), ``"tar.gz"`` or ``"zip"`` (extracted).
        mirror_path: path of the file or extracted folder relative to the mirror root; the
            cache uses the same relative path.
        archive_root: for archives, the folder inside the archive that becomes
            ``mirror_path`` (``""`` when the archive's members sit at its top level).
        mirror_subsets: paths in the mirror holding a documented *subset* of the data (used,
            in order, when the mirror lacks ``mirror_path``; the loader says so).
        checksum_source: where the checksum was published or how it was obtained.
    """

    name: str
    url: str
    checksum: str
    algorithm: Algorithm
    filename: str
    kind: Kind
    mirror_path: str
    archive_root: str = ""
    mirror_subsets: tuple[str, ...] = ()
    checksum_source: str = ""


def mirror_dir() -> Path | None:
    """The mirror folder from ``COURSE_DATA_MIRROR``, or ``None`` if unset or missing."""
    value = os.environ.get(MIRROR_ENV)
    if value and Path(value).expanduser().is_dir():
        return Path(value).expanduser()
    return None


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The cache folder: ``cache_dir``, else ``COURSE_DATA_CACHE``, else the default."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE).expanduser()


def file_digest(path: Path, algorithm: Algorithm) -> str:
    """Hex digest of a file's bytes under ``algorithm`` (see :class:`Resource`)."""
    hasher = _new_hasher(algorithm, path.stat().st_size)
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            hasher.update(chunk)
    return hasher.hexdigest()


def _new_hasher(algorithm: Algorithm, size: int):  # type: ignore[no-untyped-def]
    if algorithm == "git-blob-sha1":
        hasher = hashlib.sha1()
        hasher.update(b"blob %d\0" % size)  # git hashes a header before the content
        return hasher
    if algorithm in ("sha256", "sha1", "md5"):
        return hashlib.new(algorithm)
    raise ValueError(f"unknown checksum algorithm {algorithm!r}")


def _is_present(path: Path, kind: Kind) -> bool:
    if kind == "file":
        return path.is_file()
    return (path / MARKER).is_file()


def fetch(resource: Resource, *, cache_dir: str | os.PathLike[str] | None = None,
          progress: bool = True) -> Path:
    """Return a local path to ``resource``: the file itself, or the extracted folder.

    Looks in the mirror, then the cache, then downloads (see the module docstring).

    Raises:
        ChecksumError: the download's checksum is wrong (nothing is kept).
        DataUnavailableError: offline (or the server failed) and no mirror holds the data.
    """
    mirror = mirror_dir()
    if mirror is not None:
        for relative in (resource.mirror_path, *resource.mirror_subsets):
            candidate = mirror / relative
            if candidate.exists():
                return candidate
    target = cache_root(cache_dir) / resource.mirror_path
    if _is_present(target, resource.kind):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    download = _download_verified(resource, target.parent, progress=progress)
    try:
        if resource.kind == "file":
            os.replace(download, target)  # atomic: the file appears whole or not at all
        else:
            _extract_into_place(resource, download, target)
    finally:
        download.unlink(missing_ok=True)
    return target


def _open_url(url: str) -> BinaryIO:
    """Open ``url`` for reading (a seam that tests replace to count or break downloads)."""
    request = urllib.request.Request(url, headers={"User-Agent": "rnn-to-attention-course"})
    return urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS)  # type: ignore[no-any-return]


def _offline_message(resource: Resource, reason: object) -> str:
    return (
        f"could not download {resource.name} from {resource.url} ({reason}).\n"
        f"No mirror holds it: set the environment variable {MIRROR_ENV} to a folder that "
        f"contains '{resource.mirror_path}' (the course's shared data folder has this layout), "
        f"or connect to the internet and try again, or download {resource.url} yourself, "
        f"put it (extracted, if an archive) at <folder>/{resource.mirror_path} and set "
        f"{MIRROR_ENV}=<folder>."
    )


def _download_verified(resource: Resource, folder: Path, *, progress: bool) -> Path:
    """Download into a temporary file in ``folder``, verify it, and return its path."""
    fd, name = tempfile.mkstemp(prefix=f".{resource.filename}.", suffix=".partial", dir=folder)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                response = _open_url(resource.url)
            except (urllib.error.URLError, OSError, ValueError) as error:
                raise DataUnavailableError(_offline_message(resource, error)) from error
            with response:
                length = response.headers.get("Content-Length") if hasattr(response, "headers") else None
                total = int(length) if length else None
                with tqdm(total=total, unit="B", unit_scale=True, desc=resource.filename,
                          disable=not progress) as bar:
                    try:
                        while chunk := response.read(CHUNK_BYTES):
                            out.write(chunk)
                            bar.update(len(chunk))
                    except (urllib.error.URLError, OSError) as error:
                        raise DataUnavailableError(
                            f"the download of {resource.url} broke off ({error}); nothing was "
                            f"kept, try again"
                        ) from error
        actual = file_digest(path, resource.algorithm)
        if actual != resource.checksum.lower():
            raise ChecksumError(
                f"{resource.filename} from {resource.url} has {resource.algorithm} {actual}, "
                f"expected {resource.checksum} ({resource.checksum_source or 'published value'}). "
                f"The file was deleted; the download was corrupt or the upstream file changed."
            )
    except BaseException:  # also Ctrl-C: never leave a partial file behind
        path.unlink(missing_ok=True)
        raise
    return path


def _extract_into_place(resource: Resource, archive: Path, target: Path) -> None:
    """Extract ``archive`` into a temporary sibling of ``target`` and rename it into place."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    try:
        if resource.kind == "tar.gz":
            with tarfile.open(archive, "r:gz") as tar:
                _check_members([m.name for m in tar.getmembers()], archive)
                tar.extractall(staging, filter="data")  # no links or devices out of staging
        elif resource.kind == "zip":
            with zipfile.ZipFile(archive) as zf:
                _check_members(zf.namelist(), archive)
                zf.extractall(staging)
        else:
            raise ValueError(f"cannot extract kind {resource.kind!r}")
        root = staging / resource.archive_root if resource.archive_root else staging
        if not root.is_dir():
            raise ChecksumError(f"{archive.name} has no folder {resource.archive_root!r}")
        (root / MARKER).write_text(f"{resource.algorithm}:{resource.checksum}\n")
        if target.exists():  # an earlier, unmarked (incomplete) copy
            shutil.rmtree(target)
        os.replace(root, target)  # atomic on one filesystem
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _check_members(names: list[str], archive: Path) -> None:
    """Refuse archives whose members would land outside the extraction folder."""
    for name in names:
        parts = Path(name).parts
        if Path(name).is_absolute() or ".." in parts:
            raise ChecksumError(f"{archive.name}: unsafe member path {name!r}")
