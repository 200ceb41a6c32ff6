"""How a release's metadata is kept: one compressed JSON value, chunked when large.

A datastore entity holds at most 1 MiB, and a release may carry a 4 MiB
description and 60 KB dependency strings (the handlers' limits). Indexed
properties are limited to 1500 bytes as well. So the metadata is one
zlib-compressed JSON document on the ``Release`` entity; when it is larger
than ``CHUNK`` after compression, it is split into ``ReleaseChunk`` children
of the release (``Project/<norm>/Release/<version>/ReleaseChunk/<1..n>``),
written in the same transaction. Only what queries and file uploads need
(hidden, ordering, classifiers, requires_python) are separate properties.
"""
from __future__ import annotations

import dataclasses
import json
import zlib

from ..records import LIST_FIELDS, ReleaseMetadata
from . import models as m
from .sdk import ndb

# Under the stub's 1 MiB request limit with room for the rest of a commit's batch.
CHUNK = 512 * 1024


def encode(metadata: ReleaseMetadata) -> bytes:
    values = dataclasses.asdict(metadata)
    values["classifiers"] = sorted(set(metadata.classifiers))
    return zlib.compress(json.dumps(values, ensure_ascii=False).encode(), 6)


def decode(data: bytes) -> ReleaseMetadata:
    values = json.loads(zlib.decompress(data))
    for f in LIST_FIELDS:
        values[f] = tuple(values.get(f) or ())
    known = {f.name for f in dataclasses.fields(ReleaseMetadata)}
    return ReleaseMetadata(**{k: v for k, v in values.items() if k in known})


def chunk_key(release_key: ndb.Key, index: int) -> ndb.Key:
    return ndb.Key(m.ReleaseChunk, index, parent=release_key)


def pack(entity: m.Release, metadata: ReleaseMetadata) -> tuple[list, list]:
    """Set ``entity``'s metadata; returns the chunk entities to put and chunk keys to delete."""
    data = encode(metadata)
    entity.classifiers = sorted(set(metadata.classifiers))
    entity.requires_python = metadata.requires_python
    old_chunks = entity.chunks or 0
    if len(data) <= CHUNK:
        entity.metadata, entity.chunks = data, 0
        puts = []
    else:
        parts = [data[i:i + CHUNK] for i in range(0, len(data), CHUNK)]
        entity.metadata, entity.chunks = b"", len(parts)
        puts = [m.ReleaseChunk(key=chunk_key(entity.key, i + 1), data=part)
                for i, part in enumerate(parts)]
    deletes = [chunk_key(entity.key, i) for i in range(entity.chunks + 1, old_chunks + 1)]
    return puts, deletes


def unpack_all(entities: list[m.Release]) -> list[ReleaseMetadata]:
    """The metadata of each release, fetching the chunks of large ones in one batch."""
    wanted = [chunk_key(e.key, i) for e in entities for i in range(1, (e.chunks or 0) + 1)]
    chunks = dict(zip(wanted, ndb.get_multi(wanted))) if wanted else {}
    result = []
    for e in entities:
        data = e.metadata if not e.chunks else b"".join(
            chunks[chunk_key(e.key, i)].data for i in range(1, e.chunks + 1))
        result.append(decode(data))
    return result
