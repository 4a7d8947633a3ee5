"""course_lib.data.download: mirror, cache, checksums, atomic extraction, offline errors.

Downloads are served by a local ``http.server`` on 127.0.0.1 that counts requests; the
archives are built by the tests themselves.
"""
from __future__ import annotations

import hashlib
import http.server
import io
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from course_lib.data import download
from course_lib.data.download import (
    MARKER,
    ChecksumError,
    DataUnavailableError,
    Resource,
    fetch,
    file_digest,
)

FILES = {"pack/a.txt": b"alpha\n", "pack/sub/b.txt": b"beta\n"}


def _tar_gz(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


class _Server:
    """Serves ``payloads`` (path -> bytes) and counts GET requests per path."""

    def __init__(self) -> None:
        self.payloads: dict[str, bytes] = {}
        self.hits: dict[str, int] = {}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
                data = server.payloads.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[_Server]:
    s = _Server()
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _no_mirror(monkeypatch, tmp_path):
    monkeypatch.delenv(download.MIRROR_ENV, raising=False)
    monkeypatch.setenv(download.CACHE_ENV, str(tmp_path / "env-cache"))


def _resource(server: _Server, data: bytes, kind: str, *, checksum: str | None = None,
              algorithm: str = "sha256", name: str = "toy") -> Resource:
    filename = {"file": "toy.txt", "tar.gz": "toy.tar.gz", "zip": "toy.zip"}[kind]
    server.payloads[f"/{filename}"] = data
    return Resource(
        name=name, url=f"{server.base}/{filename}",
        checksum=checksum or hashlib.new(algorithm, data).hexdigest(),
        algorithm=algorithm, filename=filename, kind=kind,  # type: ignore[arg-type]
        mirror_path="toy/pack" if kind != "file" else "toy/toy.txt",
        archive_root="pack" if kind != "file" else "",
    )


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if ".partial" in p.name)


@pytest.mark.parametrize("kind, make", [("tar.gz", _tar_gz), ("zip", _zip)])
def test_archive_is_downloaded_verified_extracted_and_never_fetched_twice(server, tmp_path, kind, make):
    resource = _resource(server, make(FILES), kind)
    path = fetch(resource, cache_dir=tmp_path, progress=False)
    assert path == tmp_path / "toy" / "pack"
    assert (path / "a.txt").read_bytes() == b"alpha\n"
    assert (path / "sub" / "b.txt").read_bytes() == b"beta\n"
    assert (path / MARKER).is_file()
    assert fetch(resource, cache_dir=tmp_path, progress=False) == path
    assert server.hits == {f"/{resource.filename}": 1}
    assert _leftovers(tmp_path) == []
    assert not list((tmp_path / "toy").glob("*.tar.gz")) and not list((tmp_path / "toy").glob("*.zip"))


def test_single_file_and_cache_env_variable(server, tmp_path):
    resource = _resource(server, b"hello world\n", "file")
    path = fetch(resource, progress=False)  # no cache_dir: COURSE_DATA_CACHE decides
    assert path == tmp_path / "env-cache" / "toy" / "toy.txt"
    assert path.read_bytes() == b"hello world\n"
    fetch(resource, progress=False)
    assert server.hits == {"/toy.txt": 1}


def test_checksum_mismatch_names_file_and_hashes_and_keeps_nothing(server, tmp_path):
    data = _tar_gz(FILES)
    wrong = "0" * 64
    resource = _resource(server, data, "tar.gz", checksum=wrong)
    with pytest.raises(ChecksumError) as info:
        fetch(resource, cache_dir=tmp_path, progress=False)
    message = str(info.value)
    assert "toy.tar.gz" in message and wrong in message and hashlib.sha256(data).hexdigest() in message
    assert not (tmp_path / "toy" / "pack").exists()
    assert _leftovers(tmp_path) == [] and list((tmp_path / "toy").iterdir()) == []


def test_corrupt_archive_leaves_nothing(server, tmp_path):
    data = b"this is not a gzip file"
    resource = _resource(server, data, "tar.gz")  # checksum matches the garbage
    with pytest.raises(tarfile.TarError):
        fetch(resource, cache_dir=tmp_path, progress=False)
    assert list((tmp_path / "toy").iterdir()) == []


class _BrokenResponse(io.BytesIO):
    """Yields one chunk, then fails like a dropped connection (or a Ctrl-C)."""

    def __init__(self, data: bytes, error: BaseException) -> None:
        super().__init__(data)
        self.error = error
        self.headers = {"Content-Length": str(len(data) * 10)}

    def read(self, size: int | None = -1) -> bytes:
        if self.tell() > 0:
            raise self.error
        return super().read(4)


@pytest.mark.parametrize("error, expected", [(ConnectionResetError("reset"), DataUnavailableError),
                                             (KeyboardInterrupt(), KeyboardInterrupt)])
def test_interrupted_download_leaves_nothing_and_retries(server, tmp_path, monkeypatch, error, expected):
    resource = _resource(server, _tar_gz(FILES), "tar.gz")
    monkeypatch.setattr(download, "_open_url", lambda url: _BrokenResponse(b"partial bytes", error))
    with pytest.raises(expected):
        fetch(resource, cache_dir=tmp_path, progress=False)
    assert list((tmp_path / "toy").iterdir()) == []
    monkeypatch.undo()
    monkeypatch.delenv(download.MIRROR_ENV, raising=False)
    assert (fetch(resource, cache_dir=tmp_path, progress=False) / "a.txt").is_file()


def test_unmarked_folder_is_not_trusted(server, tmp_path):
    resource = _resource(server, _tar_gz(FILES), "tar.gz")
    stale = tmp_path / "toy" / "pack"
    stale.mkdir(parents=True)
    (stale / "a.txt").write_bytes(b"half")
    path = fetch(resource, cache_dir=tmp_path, progress=False)
    assert (path / "a.txt").read_bytes() == b"alpha\n" and server.hits == {"/toy.tar.gz": 1}


def test_mirror_is_used_in_place_and_never_written(server, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    (mirror / "toy" / "pack").mkdir(parents=True)
    (mirror / "toy" / "pack" / "a.txt").write_bytes(b"from mirror")
    before = sorted(p.relative_to(mirror) for p in mirror.rglob("*"))
    monkeypatch.setenv(download.MIRROR_ENV, str(mirror))
    resource = _resource(server, _tar_gz(FILES), "tar.gz")
    path = fetch(resource, cache_dir=tmp_path / "cache", progress=False)
    assert path == mirror / "toy" / "pack"
    assert sorted(p.relative_to(mirror) for p in mirror.rglob("*")) == before
    assert server.hits == {} and not (tmp_path / "cache").exists()


def test_mirror_subset_is_used_when_full_file_is_absent(server, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    (mirror / "toy").mkdir(parents=True)
    (mirror / "toy" / "toy.head2.txt").write_text("a\nb\n")
    monkeypatch.setenv(download.MIRROR_ENV, str(mirror))
    base = _resource(server, b"a\nb\nc\n", "file")
    resource = Resource(**{**base.__dict__, "mirror_subsets": ("toy/toy.head2.txt",)})
    assert fetch(resource, cache_dir=tmp_path / "cache", progress=False) == mirror / "toy" / "toy.head2.txt"
    assert server.hits == {}


def test_offline_error_names_variable_url_and_remedy(tmp_path):
    resource = Resource(name="toy", url="http://127.0.0.1:9/none.tar.gz", checksum="0" * 64,
                        algorithm="sha256", filename="none.tar.gz", kind="tar.gz", mirror_path="toy/pack")
    with pytest.raises(DataUnavailableError) as info:
        fetch(resource, cache_dir=tmp_path, progress=False)
    message = str(info.value)
    assert "COURSE_DATA_MIRROR" in message and resource.url in message and "toy/pack" in message
    assert list((tmp_path / "toy").iterdir()) == []


def test_http_error_is_reported_as_unavailable(server, tmp_path):
    resource = Resource(name="toy", url=f"{server.base}/missing.txt", checksum="0" * 64,
                        algorithm="sha256", filename="missing.txt", kind="file", mirror_path="toy/m.txt")
    with pytest.raises(DataUnavailableError, match="404"):
        fetch(resource, cache_dir=tmp_path, progress=False)


def test_git_blob_sha1_matches_git(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"hello\n")
    # `printf 'hello\n' | git hash-object --stdin`
    assert file_digest(path, "git-blob-sha1") == "ce013625030ba8dba906f756967f9e9ca394464a"
    assert file_digest(path, "md5") == hashlib.md5(b"hello\n").hexdigest()
    with pytest.raises(ValueError, match="unknown checksum"):
        file_digest(path, "crc32")  # type: ignore[arg-type]


def test_git_blob_checksum_is_accepted_by_fetch(server, tmp_path):
    data = b"id\tdocument\tlabel\n1\tok\t1\n"
    blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    resource = _resource(server, data, "file", checksum=blob, algorithm="git-blob-sha1")
    assert fetch(resource, cache_dir=tmp_path, progress=False).read_bytes() == data


def test_unsafe_archive_member_is_refused(server, tmp_path):
    resource = _resource(server, _tar_gz({"../evil.txt": b"x", "pack/a.txt": b"a"}), "tar.gz")
    with pytest.raises(ChecksumError, match="unsafe"):
        fetch(resource, cache_dir=tmp_path, progress=False)
    assert not (tmp_path / "evil.txt").exists()


def test_import_has_no_side_effects(tmp_path):
    import subprocess
    import sys

    code = ("import os, course_lib.data.download, course_lib.data.imdb, course_lib.data.reuters, "
            "course_lib.data.nsmc, course_lib.data.corpora, course_lib.data.keras_text; "
            "print(os.path.exists(os.environ['COURSE_DATA_CACHE']))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"COURSE_DATA_CACHE": str(tmp_path / "c"), "PATH": ""})
    assert out.stdout.strip() == "False"
