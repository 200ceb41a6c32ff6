"""Distribution bytes in a local directory, in the legacy path layout.

Uploads stream into one flat directory, ``<root>/.incoming``, while their
digests are computed, and are renamed into place only after the metadata
commit. A temporary file is named ``<upload id>`` or, when the writer names
the key it will publish under, ``<upload id>.<target key, percent-encoded>``,
so no directory is made or removed per upload. A target too long for one file
name goes into ``<upload id>/<target key>`` instead (the layout every upload
had before; still read, so data directories holding it recover). A crash
between the commit and the rename leaves the bytes there with their target,
which recovery publishes (or ``pypi fsck`` removes when no record wants them);
a record never stays without its bytes. With ``put_stream(sync=False)`` the
fsync of the bytes runs in a small thread pool while the caller does its
database work, and ``make_durable`` waits for it before the record commits.
Every key is checked so that no request can name a path outside the root.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Iterator, Sequence
from urllib.parse import quote, unquote

from .errors import BadBlobKey, BlobTooLarge, NoSuchFile
from .interface import BlobStore
from .records import StoredBlob, TemporaryBlob

INCOMING = ".incoming"
COPY_CHUNK = 1 << 20
FLUSH_THREADS = 4            # background fsyncs at once (``put_stream(sync=False)``)
NAME_MAX = 255               # bytes in one file name (ext4, xfs, btrfs, tmpfs)
TARGET_MARK = "."            # between the upload id (hex) and the encoded target


class LocalBlobStore(BlobStore):
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / INCOMING).mkdir(exist_ok=True)
        self._flushing: dict[str, Future] = {}     # temp key -> its fsync (``sync=False``)
        self._flusher: ThreadPoolExecutor | None = None
        self._flush_lock = threading.Lock()

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

    def _temp_path(self, temp_key: str) -> Path:
        """The path of a temporary key: ``.incoming/<id>[.<encoded target>]`` or
        ``.incoming/<id>/<target>``."""
        parts = temp_key.split("/")
        if len(parts) < 2 or parts[0] != INCOMING or "\x00" in temp_key or "\\" in temp_key \
                or any(part in ("", ".", "..") for part in parts):
            raise BadBlobKey(temp_key)
        return self.root.joinpath(*parts)

    def put_stream(self, stream: BinaryIO, limit: int | None = None,
                   target: str | None = None, *, sync: bool = True) -> StoredBlob:
        temp_key = _temp_key(uuid.uuid4().hex,
                             None if target is None else self._checked(target))
        temp_path = self.root / temp_key
        md5, sha256, blake2 = hashlib.md5(), hashlib.sha256(), hashlib.blake2b(digest_size=32)
        size = 0
        try:
            if temp_key.count("/") > 1:            # the nested layout of a long target
                temp_path.parent.mkdir(parents=True, exist_ok=True)
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
                if sync:
                    os.fsync(out.fileno())
                else:
                    self._flush_later(temp_key, os.dup(out.fileno()))
        except BaseException:
            self.discard_temporary(temp_key)
            raise
        return StoredBlob(temp_key, size, md5.hexdigest(), sha256.hexdigest(), blake2.hexdigest())

    def _flush_later(self, temp_key: str, fd: int) -> None:
        with self._flush_lock:
            if self._flusher is None:
                self._flusher = ThreadPoolExecutor(FLUSH_THREADS, thread_name_prefix="fsync")
        self._flushing[temp_key] = self._flusher.submit(_fsync_and_close, fd)

    def make_durable(self, *blobs: StoredBlob | None) -> None:
        pending = [self._flushing.pop(b.temp_key, None) for b in blobs if b is not None]
        for flush in pending:
            if flush is not None:
                flush.result()

    def _checked(self, target: str) -> str:
        self._path(target)                         # refuse a bad target before writing
        return target

    def publish(self, blob: StoredBlob, key: str) -> None:
        target = self._path(key)
        temp_path = self._temp_path(blob.temp_key)
        self.make_durable(blob)
        try:
            os.replace(temp_path, target)
        except FileNotFoundError:
            if temp_path.is_file():                # the target's directory is new
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(temp_path, target)
            elif not target.is_file():
                raise NoSuchFile(blob.temp_key) from None
            # else a recovery published it already
        if blob.temp_key.count("/") > 1:
            self.discard_temporary(blob.temp_key)  # the emptied upload directory

    def discard_temporary(self, temp_key: str) -> None:
        self._temp_path(temp_key)
        self._flushing.pop(temp_key, None)         # its thread closes the file alone
        upload = self.root / INCOMING / temp_key.split("/")[1]
        if upload.is_dir() and not upload.is_symlink():
            shutil.rmtree(upload, ignore_errors=True)
        else:
            upload.unlink(missing_ok=True)

    def list_keys(self) -> Iterator[str]:
        for directory, subdirectories, files in os.walk(self.root):
            if Path(directory) == self.root:
                subdirectories[:] = [d for d in subdirectories if d != INCOMING]
            relative = Path(directory).relative_to(self.root)
            for name in files:
                yield (relative / name).as_posix()

    def list_temporary(self) -> Iterator[TemporaryBlob]:
        with os.scandir(self.root / INCOMING) as uploads:
            for upload in uploads:
                yield self._temporary(Path(upload.path))

    def _temporary(self, upload: Path) -> TemporaryBlob:
        """One upload's entry: a file (its name may carry the target), a directory
        holding ``<target>``, or an empty rest."""
        temp_key = f"{INCOMING}/{upload.name}"
        if upload.is_dir() and not upload.is_symlink():
            files = [Path(d, f) for d, _, names in os.walk(upload) for f in names]
            if len(files) != 1:           # died before creating its file (or not ours)
                return TemporaryBlob(temp_key, None, _mtime(upload), complete=False)
            target = files[0].relative_to(upload).as_posix()
            return TemporaryBlob(f"{temp_key}/{target}", target, _mtime(files[0]))
        return TemporaryBlob(temp_key, self._named_target(upload.name), _mtime(upload))

    def _named_target(self, name: str) -> str | None:
        """The target a flat temporary file's name carries; None for none or a bad one."""
        _, mark, encoded = name.partition(TARGET_MARK)
        if not mark:
            return None
        try:
            return self._checked(unquote(encoded, errors="strict"))
        except (BadBlobKey, UnicodeDecodeError):
            return None

    def read_temporary(self, temp_key: str, chunk_size: int = 65536) -> Iterator[bytes]:
        path = self._temp_path(temp_key)
        if not path.is_file():
            raise NoSuchFile(temp_key)
        return _read_range(path, 0, None, chunk_size)

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

    def open_file(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), "rb")
        except (FileNotFoundError, IsADirectoryError):
            raise NoSuchFile(key) from None

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


def _fsync_and_close(fd: int) -> None:
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_key(upload: str, target: str | None) -> str:
    """``.incoming/<id>``, ``.incoming/<id>.<encoded target>``, or for a target too long for
    one file name, ``.incoming/<id>/<target>``."""
    if target is None:
        return f"{INCOMING}/{upload}"
    name = f"{upload}{TARGET_MARK}{quote(target, safe='')}"
    if len(name.encode()) <= NAME_MAX:
        return f"{INCOMING}/{name}"
    return f"{INCOMING}/{upload}/{target}"


def _mtime(path: Path) -> datetime | None:
    try:
        stamp = path.lstat().st_mtime
    except FileNotFoundError:
        return None
    return datetime.fromtimestamp(stamp, timezone.utc).replace(tzinfo=None)


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
