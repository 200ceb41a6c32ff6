"""``pypi backfill-digests``: sha256, BLAKE2b-256, size and signature flag for legacy files.

Legacy PyPI recorded an md5 only; pip prefers sha256, and PEP 691/700 want
sizes. Each file's stored bytes are read once, streaming, checked against the
recorded md5 and the result committed file by file, so an interrupted run
loses nothing and the next run carries on with the files still lacking them.
A wheel also gets its PEP 658 metadata file, as an upload would.
"""
from __future__ import annotations

import hashlib
import io
import sys
import tempfile

from storage_backends.errors import NoSuchFile
from storage_backends.interface import BlobStore, Store
from storage_backends.records import FileRecord

from .backends import open_backends
from .config import Config

SPOOL_LIMIT = 8 << 20


class DigestMismatch(Exception):
    pass


def cmd_backfill_digests(config: Config, args) -> int:
    store, blobs = open_backends(config)
    filled = problems = 0
    after = ""
    try:
        while batch := store.files_lacking_digests(after, args.batch):
            for record in batch:
                after = record.filename
                try:
                    _backfill(store, blobs, record)
                    filled += 1
                except NoSuchFile:
                    problems += 1
                    print(f"{record.filename}: no stored bytes at {record.path}", file=sys.stderr)
                except DigestMismatch as err:
                    problems += 1
                    print(f"{record.filename}: {err}; left as it is", file=sys.stderr)
    finally:
        store.close()
    print(f"{filled} files given sha256/BLAKE2b digests and sizes"
          + (f"; {problems} files could not be read (see above)" if problems else ""))
    return 1 if problems else 0


def _backfill(store: Store, blobs: BlobStore, record: FileRecord) -> None:
    md5, sha256, blake2 = hashlib.md5(), hashlib.sha256(), hashlib.blake2b(digest_size=32)
    size = 0
    wheel = record.filename.endswith(".whl")
    with tempfile.SpooledTemporaryFile(SPOOL_LIMIT) as copy:
        for chunk in blobs.open_range(record.path):
            for digest in (md5, sha256, blake2):
                digest.update(chunk)
            size += len(chunk)
            if wheel:
                copy.write(chunk)
        if md5.hexdigest() != record.md5_digest:
            raise DigestMismatch(f"the stored bytes have md5 {md5.hexdigest()}, "
                                 f"the record says {record.md5_digest}")
        metadata_sha256 = _publish_metadata(blobs, record, copy) if wheel else None
    store.record_file_digests(
        record.filename, sha256_digest=sha256.hexdigest(), blake2_256_digest=blake2.hexdigest(),
        size=size, has_signature=blobs.exists(record.path + ".asc"),
        metadata_sha256=metadata_sha256)


def _publish_metadata(blobs: BlobStore, record: FileRecord, wheel) -> str | None:
    """The wheel's METADATA beside it (bytes first, then the record: an orphan at worst)."""
    from legacy.core_metadata import wheel_metadata

    wheel.seek(0)
    metadata = wheel_metadata(record.filename, wheel)
    if metadata is None:
        return None
    blob = blobs.put_stream(io.BytesIO(metadata))
    blobs.publish(blob, record.path + ".metadata")
    return blob.sha256
