"""The blob keys a file record owns, and whether bytes are the ones it recorded.

A record at ``path`` owns ``path`` (the distribution), ``path.asc`` when it
has a signature and ``path.metadata`` when it has a PEP 658 metadata digest.
The server (``/packages/``), the crash recovery and ``pypi fsck`` all decide
ownership here, so they cannot disagree about what an orphan is.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterable

from .interface import Store
from .records import FileRecord

DISTRIBUTION, SIGNATURE, METADATA = "", ".asc", ".metadata"
SIDE_SUFFIXES = (SIGNATURE, METADATA)


@dataclass(frozen=True)
class Expected:
    """What the bytes at one key must be; ``None`` fields are not recorded."""
    key: str
    size: int | None = None
    md5: str | None = None
    sha256: str | None = None


def owned_keys(record: FileRecord) -> list[Expected]:
    """Every key the record owns, with what its bytes must be."""
    wanted = [Expected(record.path, record.size, record.md5_digest, record.sha256_digest)]
    if record.has_signature:
        wanted.append(Expected(record.path + SIGNATURE))
    if record.metadata_sha256:
        wanted.append(Expected(record.path + METADATA, sha256=record.metadata_sha256))
    return wanted


def owning_record(store: Store, key: str) -> tuple[FileRecord | None, str]:
    """The record that owns ``key`` (None if none does) and what ``key`` is for it."""
    for suffix in SIDE_SUFFIXES:
        if key.endswith(suffix):
            base = key[:-len(suffix)]
            record = store.get_file(base.rsplit("/", 1)[-1])
            if record is not None and record.path == base and \
                    any(e.key == key for e in owned_keys(record)):
                return record, suffix
    record = store.get_file(key.rsplit("/", 1)[-1])
    if record is not None and record.path == key:
        return record, DISTRIBUTION
    return None, DISTRIBUTION


def expected_for(record: FileRecord, key: str) -> Expected | None:
    return next((e for e in owned_keys(record) if e.key == key), None)


@dataclass(frozen=True)
class Measured:
    size: int
    md5: str
    sha256: str
    blake2_256: str


def measure(chunks: Iterable[bytes]) -> Measured:
    """Size and digests of streamed bytes, one chunk in memory at a time."""
    md5, sha256, blake2 = hashlib.md5(), hashlib.sha256(), hashlib.blake2b(digest_size=32)
    size = 0
    for chunk in chunks:
        size += len(chunk)
        md5.update(chunk)
        sha256.update(chunk)
        blake2.update(chunk)
    return Measured(size, md5.hexdigest(), sha256.hexdigest(), blake2.hexdigest())


def mismatches(expected: Expected, measured: Measured) -> list[str]:
    """The recorded values the bytes do not match: ``["size", "sha256"]``, or none."""
    return [name for name in ("size", "md5", "sha256")
            if getattr(expected, name) is not None
            and getattr(expected, name) != getattr(measured, name)]
