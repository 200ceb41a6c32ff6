"""``BlobStore.write_many`` (bulk loads write bytes before their records), on every blob store."""
from __future__ import annotations

import hashlib

from .test_blob_stores import BIG, blobs  # noqa: F401 (a fixture)


def _read(blobs, key: str) -> bytes:
    return b"".join(blobs.open_range(key))


def test_write_many_publishes_every_key(blobs):
    items = [(f"source/d/demo{i}/demo{i}-1.0.tar.gz", bytes([i]) * (100 + i)) for i in range(5)]
    items.append(("py3/d/demo/demo-1.0-py3-none-any.whl", b"".join(
        hashlib.sha256(str(i).encode()).digest() for i in range(BIG // 32 + 1))))  # several chunks
    items.append(("source/e/empty/empty-1.0.tar.gz", b""))
    blobs.write_many(items)
    for key, data in items:
        assert blobs.exists(key) and blobs.size(key) == len(data)
        assert _read(blobs, key) == data
    assert _read(blobs, items[-2][0])[BIG - 10:BIG + 10] == items[-2][1][BIG - 10:BIG + 10]


def test_write_many_replaces_and_leaves_no_temporary_bytes(blobs):
    key = "source/d/demo/demo-1.0.tar.gz"
    blobs.write_many([(key, b"old bytes")])
    blobs.write_many([(key, b"new bytes, longer")])
    assert _read(blobs, key) == b"new bytes, longer"
    blobs.write_many([])
    if hasattr(blobs, "list_temporary"):
        assert list(blobs.list_temporary()) == []
