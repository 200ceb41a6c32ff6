"""The BlobStore contract on every blob store: streaming digests, publish, ranges, delete.

Local-only behaviour (directory pruning, symlinks) is in test_local_blobs.py.
"""
from __future__ import annotations

import hashlib
import io
import os
from datetime import datetime, timedelta, timezone

import pytest

from storage_backends.errors import BadBlobKey, BlobTooLarge, NoSuchFile
from storage_backends.local_blobs import LocalBlobStore

KEY = "source/d/demo/demo-1.0.tar.gz"
BIG = 512 * 1024 * 3 + 12345          # several datastore chunks and a short last one


@pytest.fixture(params=["local", "gae"])
def blobs(request, tmp_path):
    if request.param == "local":
        yield LocalBlobStore(tmp_path / "files")
        return
    try:
        from storage_backends.gae import open_gae_store
        from storage_backends.gae.blobs import GaeBlobStore
    except ImportError as err:
        if os.environ.get("PYPI_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail(f"the App Engine SDK is required here: {err}")
        pytest.skip(f"the App Engine SDK is not installed: {err}")
    store = open_gae_store(tmp_path / "datastore.pickle", create=True)
    yield GaeBlobStore(store.access)
    store.close()


class TrickleStream(io.RawIOBase):
    """Returns at most 1000 bytes per read, as a socket may."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self):
        return True

    def read(self, size=-1):
        return self._data.read(min(size if size >= 0 else 1000, 1000))


def test_put_stream_computes_size_and_digests(blobs):
    data = os.urandom(BIG)
    blob = blobs.put_stream(TrickleStream(data))
    assert blob.size == len(data)
    assert blob.md5 == hashlib.md5(data).hexdigest()
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert blob.blake2_256 == hashlib.blake2b(data, digest_size=32).hexdigest()
    assert not blobs.exists(KEY)                      # nothing visible before publish
    blobs.publish(blob, KEY)
    assert b"".join(blobs.open_range(KEY)) == data


def test_ranges_across_chunks(blobs):
    data = os.urandom(BIG)
    blobs.publish(blobs.put_stream(io.BytesIO(data)), KEY)
    assert blobs.size(KEY) == BIG
    for start, end in [(0, 10), (2, 5), (524_280, 524_300), (BIG - 5, None), (1000, 1_600_000),
                       (BIG, None)]:
        assert b"".join(blobs.open_range(KEY, start, end)) == data[start:end], (start, end)
    parts = list(blobs.open_range(KEY, 0, 100_000, chunk_size=30_000))
    assert [len(p) for p in parts] == [30_000, 30_000, 30_000, 10_000]


def test_publish_replaces_and_delete_removes(blobs):
    blobs.publish(blobs.put_stream(io.BytesIO(b"old bytes")), KEY)
    blobs.publish(blobs.put_stream(io.BytesIO(b"new")), KEY)
    assert b"".join(blobs.open_range(KEY)) == b"new"
    blobs.delete(KEY)
    assert not blobs.exists(KEY)
    blobs.delete(KEY)                                  # absent is no error
    with pytest.raises(NoSuchFile):
        blobs.size(KEY)
    with pytest.raises(NoSuchFile):
        blobs.open_range(KEY)


def test_limit_and_discard_keep_nothing(blobs):
    with pytest.raises(BlobTooLarge):
        blobs.put_stream(io.BytesIO(b"x" * BIG), limit=BIG - 1)
    blobs.discard(blobs.put_stream(io.BytesIO(b"x")))
    assert not blobs.exists(KEY)


def test_empty_blob(blobs):
    blob = blobs.put_stream(io.BytesIO(b""))
    assert blob.size == 0 and blob.md5 == hashlib.md5(b"").hexdigest()
    blobs.publish(blob, KEY)
    assert blobs.size(KEY) == 0 and b"".join(blobs.open_range(KEY)) == b""


@pytest.mark.parametrize("key", ["../outside", "/etc/passwd", "a//b", "", ".incoming/x", "a/.."])
def test_bad_keys(blobs, key):
    with pytest.raises(BadBlobKey):
        blobs.exists(key)


# -- enumeration and temporary bytes (``pypi fsck``, crash recovery) -----------------------
def test_list_keys_names_published_bytes_only(blobs):
    assert list(blobs.list_keys()) == []
    blobs.publish(blobs.put_stream(io.BytesIO(b"a")), KEY)
    blobs.publish(blobs.put_stream(io.BytesIO(b"b")), KEY + ".asc")
    blobs.put_stream(io.BytesIO(b"never published"), target="source/o/other/other-1.tar.gz")
    assert sorted(blobs.list_keys()) == [KEY, KEY + ".asc"]
    blobs.delete(KEY + ".asc")
    assert list(blobs.list_keys()) == [KEY]


def test_temporary_bytes_are_listed_with_their_target_until_published(blobs):
    before = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(seconds=5)
    plain = blobs.put_stream(io.BytesIO(b"no target"))
    aimed = blobs.put_stream(io.BytesIO(b"aimed"), target=KEY)
    temps = {t.temp_key: t for t in blobs.list_temporary()}
    assert set(temps) == {plain.temp_key, aimed.temp_key}
    assert temps[aimed.temp_key].target == KEY and temps[plain.temp_key].target is None
    assert all(t.complete and t.modified >= before for t in temps.values())
    assert b"".join(blobs.read_temporary(aimed.temp_key, chunk_size=2)) == b"aimed"
    blobs.publish(aimed, KEY)
    blobs.discard_temporary(plain.temp_key)
    assert list(blobs.list_temporary()) == []
    with pytest.raises(NoSuchFile):
        blobs.read_temporary(plain.temp_key)
    blobs.discard_temporary(plain.temp_key)            # gone already: no error


def test_publishing_again_after_a_recovery_published_is_no_error(blobs):
    blob = blobs.put_stream(io.BytesIO(b"bytes"), target=KEY)
    blobs.publish(blob, KEY)                          # as the recovery at start-up would
    blobs.publish(blob, KEY)                          # the interrupted writer, late
    assert b"".join(blobs.open_range(KEY)) == b"bytes"


def test_a_bad_target_is_refused_before_anything_is_written(blobs):
    with pytest.raises(BadBlobKey):
        blobs.put_stream(io.BytesIO(b"x"), target="../escape")
    assert list(blobs.list_temporary()) == []


def test_bytes_written_without_sync_are_made_durable_and_published(blobs):
    unsynced = blobs.put_stream(io.BytesIO(b"later"), target=KEY, sync=False)
    dropped = blobs.put_stream(io.BytesIO(b"dropped"), target=KEY + ".asc", sync=False)
    blobs.make_durable(unsynced, None)
    blobs.make_durable(unsynced)                     # once more: nothing left to wait for
    blobs.discard(dropped)                           # never waited for
    blobs.publish(unsynced, KEY)
    assert b"".join(blobs.open_range(KEY)) == b"later"
    assert list(blobs.list_temporary()) == []
    published_unwaited = blobs.put_stream(io.BytesIO(b"unwaited"), sync=False)
    blobs.publish(published_unwaited, KEY)           # publish waits by itself
    assert b"".join(blobs.open_range(KEY)) == b"unwaited"
