"""Distribution bytes in a local directory, in the legacy path layout.

Uploads stream into ``<root>/.incoming/`` while their digests are computed,
and are renamed into place only after the metadata commit, so a crash leaves
at worst an orphan that ``fsck`` can find, never a record without bytes. Every
key is checked so that no request can name a path outside the root.
"""
from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from typing import BinaryIO, Iterator, Sequence

from .errors import BadBlobKey, BlobTooLarge, NoSuchFile
from .interface import BlobStore
from .records import StoredBlob

INCOMING = ".incoming"
COPY_CHUNK = 1 << 20


class LocalBlobStore(BlobStore):
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / INCOMING).mkdir(exist_ok=True)

    def _path(self, key: str) -> Path:
        """The absolute path of a key, refusing anything that is not a plain relative path."""
        if not key or "\x00" in key or "\\" in key or key.startswith("/"):
            raise BadBlobKey(key)
        parts = key.split("/")
        if any(part in ("", ".", "..") for part in parts) or parts[0] == INCOMING:
            raise BadBlobKey(key)
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise BadBlobKey(key)
        return path

    def put_stream(self, stream: BinaryIO, limit: int | None = None) -> StoredBlob:
        temp_key = f"{INCOMING}/{uuid.uuid4().hex}"
        temp_path = self.root / temp_key
        md5, sha256, blake2 = hashlib.md5(), hashlib.sha256(), hashlib.blake2b(digest_size=32)
        size = 0
        try:
            with open(temp_path, "xb") as out:
                while chunk := stream.read(COPY_CHUNK):
                    size += len(chunk)
                    if limit is not None and size > limit:
                        raise BlobTooLarge(limit)
                    md5.update(chunk)
                    sha256.update(chunk)
                    blake2.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise
        return StoredBlob(temp_key, size, md5.hexdigest(), sha256.hexdigest(), blake2.hexdigest())

    def publish(self, blob: StoredBlob, key: str) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.root / blob.temp_key, target)

    def discard(self, blob: StoredBlob) -> None:
        (self.root / blob.temp_key).unlink(missing_ok=True)

    def write_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        """Each file is written under ``.incoming`` and renamed into place; one ``sync``
        for the batch replaces the per-file ``fsync`` (thousands of small files)."""
        made = set()
        for key, data in items:
            target = self._path(key)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            temp = self.root / INCOMING / uuid.uuid4().hex
            temp.write_bytes(data)
            os.replace(temp, target)
        os.sync()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise NoSuchFile(key) from None

    def open_range(self, key: str, start: int = 0, end: int | None = None,
                   chunk_size: int = 65536) -> Iterator[bytes]:
        path = self._path(key)
        if not path.is_file():
            raise NoSuchFile(key)
        return _read_range(path, start, end, chunk_size)

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        # Legacy pruned directories that a removal left empty, never the root.
        parent = path.parent
        while parent != self.root:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent


def _read_range(path: Path, start: int, end: int | None, chunk_size: int) -> Iterator[bytes]:
    """Opened on first iteration, so a response that is never read (HEAD) holds no file."""
    with open(path, "rb") as handle:
        handle.seek(start)
        remaining = None if end is None else end - start
        while remaining is None or remaining > 0:
            chunk = handle.read(chunk_size if remaining is None else min(chunk_size, remaining))
            if not chunk:
                return
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk
