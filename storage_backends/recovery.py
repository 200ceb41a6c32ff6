"""Rolling interrupted uploads forward: temporary bytes that a committed record wants.

An upload streams its bytes to a temporary key naming their target, commits
the file record, then publishes. A crash between the last two leaves a
record whose bytes wait under the temporary key. ``publish_pending`` finds
those and publishes them when the record owning the target still wants
exactly these bytes (its size and digests), and touches nothing else: it runs
at every server start, beside other running servers, and in ``pypi fsck``.
Temporary bytes no record wants are left for ``pypi fsck --repair``.
"""
from __future__ import annotations

from .errors import NoSuchFile
from .file_keys import expected_for, measure, mismatches, owning_record
from .interface import BlobStore, Store
from .records import StoredBlob, TemporaryBlob


def pending_publication(store: Store, blobs: BlobStore,
                        temp: TemporaryBlob) -> StoredBlob | None:
    """The temporary blob, measured, if a record wants it published; else None."""
    if not temp.complete or temp.target is None:
        return None
    record, _ = owning_record(store, temp.target)
    expected = expected_for(record, temp.target) if record is not None else None
    if expected is None:
        return None
    try:
        if blobs.exists(temp.target) and (expected.size is None and expected.sha256 is None
                                          or not mismatches(expected, measure(
                                              blobs.open_range(temp.target)))):
            return None                     # the right bytes are there already
        measured = measure(blobs.read_temporary(temp.temp_key))
    except NoSuchFile:
        return None                         # published or removed meanwhile
    if mismatches(expected, measured):
        return None                         # another upload's bytes for the same name
    return StoredBlob(temp.temp_key, measured.size, measured.md5, measured.sha256,
                      measured.blake2_256)


def publish_pending(store: Store, blobs: BlobStore) -> list[str]:
    """Publish every temporary blob a committed record waits for; returns their keys."""
    published = []
    for temp in list(blobs.list_temporary()):
        blob = pending_publication(store, blobs, temp)
        if blob is not None:
            try:
                blobs.publish(blob, temp.target)
            except NoSuchFile:
                continue
            published.append(temp.target)
    return published
