"""The local blob store: streaming writes with digests, publishing, and keys that cannot escape."""
from __future__ import annotations

import hashlib
import io

import pytest

from storage_backends.errors import BadBlobKey, BlobTooLarge, NoSuchFile
from storage_backends.local_blobs import LocalBlobStore


@pytest.fixture
def blobs(tmp_path):
    return LocalBlobStore(tmp_path / "files")


def test_put_stream_computes_size_and_digests(blobs):
    data = b"abc" * 500_000
    blob = blobs.put_stream(io.BytesIO(data))
    assert blob.size == len(data)
    assert blob.md5 == hashlib.md5(data).hexdigest()
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert blob.blake2_256 == hashlib.blake2b(data, digest_size=32).hexdigest()


def test_publish_then_read_ranges_and_delete_prunes_directories(blobs, tmp_path):
    blob = blobs.put_stream(io.BytesIO(b"0123456789"))
    blobs.publish(blob, "source/d/demo/demo-1.0.tar.gz")
    assert blobs.exists("source/d/demo/demo-1.0.tar.gz")
    assert blobs.size("source/d/demo/demo-1.0.tar.gz") == 10
    assert b"".join(blobs.open_range("source/d/demo/demo-1.0.tar.gz", 2, 5)) == b"234"
    assert b"".join(blobs.open_range("source/d/demo/demo-1.0.tar.gz", chunk_size=3)) == b"0123456789"
    blobs.delete("source/d/demo/demo-1.0.tar.gz")
    assert not (tmp_path / "files" / "source").exists()
    assert (tmp_path / "files").is_dir()


def test_limit_keeps_nothing(blobs, tmp_path):
    with pytest.raises(BlobTooLarge):
        blobs.put_stream(io.BytesIO(b"x" * 100), limit=99)
    assert list((tmp_path / "files" / ".incoming").iterdir()) == []


def test_discard_removes_the_temporary_blob(blobs, tmp_path):
    blobs.discard(blobs.put_stream(io.BytesIO(b"x")))
    assert list((tmp_path / "files" / ".incoming").iterdir()) == []


@pytest.mark.parametrize("key", ["../outside", "/etc/passwd", "a/../../b", "a//b", "a/./b", "",
                                 "a\x00b", "a\\..\\b", ".incoming/x", "..", "a/.."])
def test_keys_cannot_leave_the_root(blobs, key):
    with pytest.raises(BadBlobKey):
        blobs.exists(key)
    with pytest.raises(BadBlobKey):
        blobs.publish(blobs.put_stream(io.BytesIO(b"x")), key)


def test_symlink_out_of_the_root_is_refused(blobs, tmp_path):
    (tmp_path / "secret").write_text("secret")
    (tmp_path / "files" / "link").symlink_to(tmp_path)
    with pytest.raises(BadBlobKey):
        blobs.size("link/secret")


def test_missing_key(blobs):
    with pytest.raises(NoSuchFile):
        blobs.size("source/x/x/x.tar.gz")
    with pytest.raises(NoSuchFile):
        blobs.open_range("source/x/x/x.tar.gz")


# -- the .incoming layout: flat files naming their target, nested for long targets --------
TARGET = "source/d/demo/demo-1.0.tar.gz"


def _incoming(tmp_path):
    return sorted(p.relative_to(tmp_path / "files" / ".incoming").as_posix()
                  for p in (tmp_path / "files" / ".incoming").rglob("*"))


def test_a_temporary_blob_is_one_file_naming_its_target(blobs, tmp_path):
    blob = blobs.put_stream(io.BytesIO(b"bytes"), target=TARGET)
    [name] = _incoming(tmp_path)                      # no directory made for it
    assert blob.temp_key == f".incoming/{name}" and "/" not in name
    [temp] = blobs.list_temporary()
    assert (temp.temp_key, temp.target, temp.complete) == (blob.temp_key, TARGET, True)
    blobs.publish(blob, TARGET)                       # into a directory that is new
    assert _incoming(tmp_path) == []
    assert b"".join(blobs.open_range(TARGET)) == b"bytes"


def test_a_target_too_long_for_one_file_name_is_kept_nested(blobs, tmp_path):
    target = f"source/l/{'l' * 120}/{'l' * 120}-1.0.tar.gz"
    blob = blobs.put_stream(io.BytesIO(b"long"), target=target)
    assert blob.temp_key.endswith("/" + target)
    assert [t.target for t in blobs.list_temporary()] == [target]
    blobs.publish(blob, target)
    assert _incoming(tmp_path) == []
    assert b"".join(blobs.open_range(target)) == b"long"


def test_the_nested_layout_of_older_versions_is_still_read(blobs, tmp_path):
    left = tmp_path / "files" / ".incoming" / "0123abcd" / TARGET
    left.parent.mkdir(parents=True)
    left.write_bytes(b"old layout")
    [temp] = blobs.list_temporary()
    assert (temp.temp_key, temp.target) == (f".incoming/0123abcd/{TARGET}", TARGET)
    assert b"".join(blobs.read_temporary(temp.temp_key)) == b"old layout"
    blobs.discard_temporary(temp.temp_key)
    assert _incoming(tmp_path) == []


@pytest.mark.parametrize("name", ["0123abcd.%2E%2E%2Fescape", "0123abcd.%2Fetc%2Fpasswd",
                                  "0123abcd.%ff%fe", "0123abcd."])
def test_a_flat_name_carrying_a_bad_target_names_none(blobs, tmp_path, name):
    (tmp_path / "files" / ".incoming" / name).write_bytes(b"x")
    [temp] = blobs.list_temporary()
    assert temp.temp_key == f".incoming/{name}" and temp.target is None
