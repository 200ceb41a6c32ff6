"""Built index pages kept as files, the second level below the in-process ``PageCache``.

At 100k projects the pages of ``/simple/<name>/`` add up to well over 100 MB,
far more than a process may hold, so most requests for a random project miss
the in-process cache. Building the page again means reading all its files'
rows (the bulk of a miss); reading the page's file costs a few µs, and the
kernel keeps the files in its page cache, outside the server's RSS and shared
by every server process on the machine.

A file is named by a digest of the page's key (no request text ever becomes a
path) and holds one page: the newest one written for that key. It is served
only when its ETag is the one the page has now; the ETag digests the page's
key and the serials it was built from (``page_cache.etag_for``), so a file
left by an older state of the index, by another server process or by an
older version of the page format is simply not used, and is overwritten by the
next build. Files are written whole under a temporary name and renamed into
place; a checksum guards against a file cut short by a crash. Nothing here can
fail a request: a file that cannot be read or written is a miss.
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
import zlib
from pathlib import Path
from typing import Hashable, Iterator

log = logging.getLogger(__name__)

MAGIC = b"pypi-page-1"
READ_AT_MOST = 64 << 20   # larger files are not pages this server wrote
READ_BLOCK = 64 << 10     # nearly every page is smaller: read in one call
TEMPORARY_KEPT_S = 3600   # a temporary file this old was left by a crash


class PageFiles:
    """One file per page key under ``root``, in 256 directories by the key's digest."""

    def __init__(self, root: Path):
        self.root = root
        self._root = str(root)
        self._write_failed = False

    @classmethod
    def open(cls, root: Path) -> PageFiles | None:
        """The page files under ``root``, created if need be; None (with a warning) where the
        directory cannot be made, as on a read-only file system."""
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            log.warning("built pages are not kept as files: %s", err)
            return None
        return cls(root)

    def read(self, key: Hashable, etag: str) -> tuple[bytes, str, int] | None:
        """The page kept for ``key`` if its ETag is ``etag``, as ``page_cache.Page`` holds it:
        body, head (lines of headers, the ETag second) and the 304's count of lines; else None."""
        data = _read_whole(self._path(key))
        if data is None:
            return None
        first, _, rest = data.partition(b"\n")
        try:
            magic, checksum, head_length, not_modified_lines = first.split(b" ")
            checksum, head_length = int(checksum), int(head_length)
            not_modified_lines = int(not_modified_lines)
        except ValueError:
            return None
        if magic != MAGIC or zlib.crc32(rest) != checksum or head_length > len(rest):
            return None
        try:
            head = rest[:head_length].decode("utf-8")
        except UnicodeDecodeError:
            return None
        lines = head.split("\n", 2)
        if len(lines) < 2 or lines[1] != f"ETag: {etag}":
            return None
        return rest[head_length:], head, not_modified_lines

    def keep(self, key: Hashable, body: bytes, head: str, not_modified_lines: int) -> None:
        """Write the page as the file of ``key``, replacing the one there; a failure is logged
        (once per process) and otherwise ignored."""
        head_bytes = head.encode("utf-8")
        rest = head_bytes + body
        first = b"%s %d %d %d\n" % (MAGIC, zlib.crc32(rest), len(head_bytes), not_modified_lines)
        path = self._path(key)
        directory = os.path.dirname(path)
        try:
            os.makedirs(directory, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(first)
                    out.write(rest)
                os.replace(temporary, path)
            except BaseException:
                _remove(temporary)
                raise
        except OSError as err:
            if not self._write_failed:
                self._write_failed = True
                log.warning("a built page could not be kept as a file (no more such warnings "
                            "from this process): %s", err)

    def clear(self) -> None:
        """Remove every kept page (a new index: its serials start again). Only files named as
        this class names them are touched, should ``page_dir`` point somewhere shared."""
        for path, _ in self._own_files():
            try:
                path.unlink()
            except OSError:   # gone already
                pass

    def remove_others(self, keep: set[str], unchanged_for_s: float) -> int:
        """Remove the files, other than those named in ``keep`` (``name_of``), that nobody
        wrote within ``unchanged_for_s`` seconds, and temporary files left by a crash;
        how many were removed."""
        removed, now = 0, time.time()
        for path, temporary in self._own_files():
            if not temporary and f"{path.parent.name}/{path.name}" in keep:
                continue
            try:
                age = now - path.stat().st_mtime
                if age > (TEMPORARY_KEPT_S if temporary else unchanged_for_s):
                    path.unlink()
                    removed += 1
            except OSError:   # gone already, or replaced meanwhile
                pass
        return removed

    def _own_files(self) -> Iterator[tuple[Path, bool]]:
        """``(path, temporary)`` of the files this class writes: ``xx/<30 hex digits>`` and its
        ``xx/.tmp-*`` files, where ``xx`` is two hex digits; nothing else is ever removed."""
        for directory in self.root.iterdir():
            if not (_is_hex(directory.name, 2) and directory.is_dir()):
                continue
            for path in directory.iterdir():
                temporary = path.name.startswith(".tmp-")
                if temporary or _is_hex(path.name, 30):
                    yield path, temporary

    @staticmethod
    def name_of(key: Hashable) -> str:
        """The file's name under the root, ``xx/yyyy...``, from a digest of ``key``."""
        digest = hashlib.blake2b(repr(key).encode("utf-8"), digest_size=16).hexdigest()
        return f"{digest[:2]}/{digest[2:]}"

    def _path(self, key: Hashable) -> str:
        return f"{self._root}/{self.name_of(key)}"   # a str: pathlib costs µs per page


def _is_hex(name: str, length: int) -> bool:
    return len(name) == length and all(char in "0123456789abcdef" for char in name)


def _read_whole(path: str) -> bytes | None:
    """The file's bytes, or None when it is missing, unreadable or too large.

    Read in blocks of ``READ_BLOCK`` until the end: one read for nearly every
    page, with no ``fstat`` (each system call hands the GIL to another thread).
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:   # no file yet, most often
        return None
    try:
        data = os.read(descriptor, READ_BLOCK)
        if len(data) < READ_BLOCK:
            return data
        blocks = [data]
        size = len(data)
        while block := os.read(descriptor, READ_BLOCK << 4):
            blocks.append(block)
            size += len(block)
            if size > READ_AT_MOST:
                return None
        return b"".join(blocks)
    except OSError:
        return None
    finally:
        os.close(descriptor)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:   # gone already; a later build-pages sweeps what is left
        pass
