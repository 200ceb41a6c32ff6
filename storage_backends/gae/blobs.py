"""Distribution bytes as datastore chunks, for the App Engine backend.

An upload streams into ``BlobContent/<upload id>`` with ``BlobChunk``
children of 512 KiB (an entity holds at most 1 MiB), hashing as it goes, so
neither the request nor this module holds the file. The content is marked
complete only after its last chunk is stored. ``publish`` then puts a
``BlobFile`` entity keyed by the public path that points at the content: one
small put, so a path is either absent or names complete bytes, and the file
record (committed before ``publish``) never names missing bytes for longer
than the window the SQL + local store also has. A replaced or deleted path's
content and chunks are deleted after the pointer changed.

On the file stub every commit rewrites the whole datastore file (see
``runtime``), which would make an upload of N chunks cost N times the
datastore's size. Chunk puts therefore run with the stub's saving switched
off and the file is written once when the content is complete; a crash before
then loses only that unfinished upload. If another process wrote the file
meanwhile, the reload drops those unsaved chunks: the completeness check
notices and the upload fails instead of publishing holes. Another commit of
this process may save some chunks of an unfinished upload, so a crash can
leave chunks without their ``BlobContent``: ``list_temporary`` reports them
as incomplete, and ``pypi fsck`` removes them.

A ``BlobContent`` no ``BlobFile`` points at is temporary. Its ``target`` is
the key its writer meant to publish it under, so a crash between the
metadata commit and ``publish`` can be rolled forward (``recovery``).
"""
from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timezone
from typing import BinaryIO, Iterator, Sequence

from ..errors import BadBlobKey, BlobTooLarge, NoSuchFile, StorageError
from ..interface import BlobStore
from ..records import StoredBlob, TemporaryBlob
from .runtime import DatastoreAccess
from .sdk import ndb

CHUNK = 512 * 1024
_PUT_BATCH = 400           # the datastore writes at most 500 entities per call
INCOMING = ".incoming"


class BlobContent(ndb.Model):
    """Key: ``BlobContent/<upload id>``; complete once every chunk is stored."""
    _use_cache = False
    _use_memcache = False
    size = ndb.IntegerProperty(indexed=False)
    chunks = ndb.IntegerProperty(indexed=False)
    complete = ndb.BooleanProperty(default=False)
    target = ndb.TextProperty()                    # the key it is to be published under
    created = ndb.DateTimeProperty(indexed=False)


class BlobChunk(ndb.Model):
    """Key: ``BlobContent/<id>/BlobChunk/<1..n>``."""
    _use_cache = False
    _use_memcache = False
    data = ndb.BlobProperty()
    created = ndb.DateTimeProperty(indexed=False)  # when an orphaned chunk was left


class BlobFile(ndb.Model):
    """Key: ``BlobFile/<path>``: a published path and the content it serves."""
    _use_cache = False
    _use_memcache = False
    content = ndb.StringProperty(indexed=False)
    size = ndb.IntegerProperty(indexed=False)


def check_key(key: str) -> str:
    """The local store's rules, so a key valid here is valid there (and migrates)."""
    if not key or "\x00" in key or "\\" in key or key.startswith("/"):
        raise BadBlobKey(key)
    parts = key.split("/")
    if any(part in ("", ".", "..") for part in parts) or parts[0] == INCOMING:
        raise BadBlobKey(key)
    return key


def _chunk_key(content: str, index: int) -> ndb.Key:
    return ndb.Key(BlobContent, content, BlobChunk, index)


class GaeBlobStore(BlobStore):
    """Bytes in the datastore ``access`` guards (the one its ``GaeStore`` uses)."""

    def __init__(self, access: DatastoreAccess):
        self._access = access

    def put_stream(self, stream: BinaryIO, limit: int | None = None,
                   target: str | None = None, *, sync: bool = True) -> StoredBlob:
        """Durable on return whatever ``sync`` says: each chunk is a datastore write."""
        if target is not None:
            check_key(target)
        content = uuid.uuid4().hex
        md5, sha256, blake2 = hashlib.md5(), hashlib.sha256(), hashlib.blake2b(digest_size=32)
        size = count = 0
        try:
            while chunk := _read_full(stream, CHUNK):
                size += len(chunk)
                if limit is not None and size > limit:
                    raise BlobTooLarge(limit)
                for digest in (md5, sha256, blake2):
                    digest.update(chunk)
                count += 1
                with self._access(), self._access.unsaved():
                    BlobChunk(key=_chunk_key(content, count), data=chunk,
                              created=_utcnow()).put()
            with self._access():
                stored = ndb.get_multi([_chunk_key(content, i) for i in range(1, count + 1)])
                if any(c is None for c in stored):
                    raise StorageError("upload chunks were lost (another process rewrote the "
                                       "datastore file); retry the upload")
                BlobContent(id=content, size=size, chunks=count, complete=True,
                            target=target, created=_utcnow()).put()
        except BaseException:
            self._drop_content(content, count)
            raise
        return StoredBlob(f"{INCOMING}/{content}", size, md5.hexdigest(), sha256.hexdigest(),
                          blake2.hexdigest())

    def publish(self, blob: StoredBlob, key: str) -> None:
        check_key(key)
        content = _content_id(blob.temp_key)
        with self._access():
            stored = ndb.Key(BlobContent, content).get()
            if stored is None or not stored.complete:
                raise NoSuchFile(blob.temp_key)
            old = ndb.Key(BlobFile, key).get()
            if old is not None and old.content == content:
                return                             # a recovery published it already
            BlobFile(id=key, content=content, size=stored.size).put()
        if old is not None:
            self._drop_content(old.content)

    def discard_temporary(self, temp_key: str) -> None:
        self._drop_content(_content_id(temp_key))

    def list_keys(self) -> Iterator[str]:
        with self._access():
            keys = BlobFile.query().fetch(keys_only=True)
        return iter([key.id() for key in keys])

    def list_temporary(self) -> Iterator[TemporaryBlob]:
        """Contents no ``BlobFile`` points at, and chunks whose content was never put."""
        with self._access():
            published = {f.content for f in BlobFile.query().fetch()}
            contents = {c.key.id(): c for c in BlobContent.query().fetch()}
            chunk_owners = {k.parent().id() for k in BlobChunk.query().fetch(keys_only=True)}
            found = [TemporaryBlob(f"{INCOMING}/{cid}", c.target, c.created,
                                   complete=bool(c.complete))
                     for cid, c in sorted(contents.items()) if cid not in published]
            for cid in sorted(chunk_owners - contents.keys()):
                first = ndb.get_multi(ndb.Query(ancestor=ndb.Key(BlobContent, cid))
                                      .fetch(1, keys_only=True))
                found.append(TemporaryBlob(f"{INCOMING}/{cid}", None,
                                           first[0].created if first and first[0] else None,
                                           complete=False))
        return iter(found)

    def read_temporary(self, temp_key: str, chunk_size: int = 65536) -> Iterator[bytes]:
        content = _content_id(temp_key)
        with self._access():
            stored = ndb.Key(BlobContent, content).get()
        if stored is None or not stored.complete:
            raise NoSuchFile(temp_key)
        return self._read_range(content, 0, stored.size, chunk_size)

    def write_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        """Chunks, contents and pointers of the whole batch in a few multi-puts, with the
        stub's file written once at the end; replaced contents are dropped after."""
        for key, _ in items:
            check_key(key)
        with self._access():
            with self._access.unsaved():
                old = ndb.get_multi([ndb.Key(BlobFile, key) for key, _ in items])
                puts = []
                for key, data in items:
                    content = uuid.uuid4().hex
                    pieces = [data[i:i + CHUNK] for i in range(0, len(data), CHUNK)] or [b""]
                    puts += [BlobChunk(key=_chunk_key(content, n), data=piece)
                             for n, piece in enumerate(pieces, 1)]
                    puts += [BlobContent(id=content, size=len(data), chunks=len(pieces),
                                         complete=True),
                             BlobFile(id=key, content=content, size=len(data))]
                for start in range(0, len(puts), _PUT_BATCH):
                    ndb.put_multi(puts[start:start + _PUT_BATCH])
            self._access.save()
        for replaced in old:
            if replaced is not None:
                self._drop_content(replaced.content)

    def exists(self, key: str) -> bool:
        with self._access():
            return ndb.Key(BlobFile, check_key(key)).get() is not None

    def size(self, key: str) -> int:
        with self._access():
            found = ndb.Key(BlobFile, check_key(key)).get()
        if found is None:
            raise NoSuchFile(key)
        return found.size

    def open_range(self, key: str, start: int = 0, end: int | None = None,
                   chunk_size: int = 65536) -> Iterator[bytes]:
        with self._access():
            found = ndb.Key(BlobFile, check_key(key)).get()
        if found is None:
            raise NoSuchFile(key)
        end = found.size if end is None else min(end, found.size)
        return self._read_range(found.content, start, end, chunk_size)

    def delete(self, key: str) -> None:
        with self._access():
            found = ndb.Key(BlobFile, check_key(key)).get()
            if found is None:
                return
            found.key.delete()
        self._drop_content(found.content)

    # -- helpers ---------------------------------------------------------------------
    def _read_range(self, content: str, start: int, end: int,
                    chunk_size: int) -> Iterator[bytes]:
        """One stored chunk in memory at a time, fetched as the response is read."""
        position = start
        while position < end:
            index = position // CHUNK + 1
            with self._access():
                chunk = _chunk_key(content, index).get()
            if chunk is None:
                raise NoSuchFile(content)       # deleted while being read
            data = chunk.data[position - (index - 1) * CHUNK:end - (index - 1) * CHUNK]
            for offset in range(0, len(data), chunk_size):
                yield data[offset:offset + chunk_size]
            position += len(data)

    def _drop_content(self, content: str, chunks: int | None = None) -> None:
        with self._access():
            if chunks is None:
                keys = ndb.Query(ancestor=ndb.Key(BlobContent, content)).fetch(keys_only=True)
            else:
                keys = [ndb.Key(BlobContent, content),
                        *(_chunk_key(content, i) for i in range(1, chunks + 1))]
            ndb.delete_multi(keys)


def _content_id(temp_key: str) -> str:
    content = temp_key.removeprefix(INCOMING + "/")
    if content == temp_key or not content or "/" in content:
        raise BadBlobKey(temp_key)
    return content


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _read_full(stream: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes; short only at the end (a socket may return less per read)."""
    parts, wanted = [], size
    while wanted > 0:
        part = stream.read(wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)
