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

``pypi build-pages`` puts every current page into one pack file instead
(``legacy/page_pack.py``), which is looked in first: the files are then only
the pages built since.
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

from . import large_bodies
from .large_bodies import FileBody
from .page_heads import head_with_etag
from .page_pack import PUBLIC, RECHECK_S, TEMPORARY_PREFIX, PagePack

log = logging.getLogger(__name__)

MAGIC = b"pypi-page-1"
READ_AT_MOST = 64 << 20   # larger files are not pages this server wrote
READ_BLOCK = 64 << 10     # nearly every page is smaller: read in one call
TEMPORARY_KEPT_S = 3600   # a temporary file this old was left by a crash
PACK_NAME = "pages.pack"
VERIFIED_KEPT = 256       # large files whose checksum was found right, remembered per process


class PageFiles:
    """One file per page key under ``root``, in 256 directories by the key's digest."""

    def __init__(self, root: Path):
        self.root = root
        self._root = str(root)
        self._write_failed = False
        self.pack_path = f"{self._root}/{PACK_NAME}"
        self._pack: PagePack | None = None
        self._pack_checked = -RECHECK_S
        self._verified: set[tuple[int, int, int, int]] = set()

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

    def read(self, key: Hashable, etag: str) -> tuple[bytes | FileBody, str, int] | None:
        """The page kept for ``key`` if its ETag is ``etag``, as ``page_cache.Page`` holds it:
        body, head (lines of headers, the ETag second) and the 304's count of lines; else None.
        A body of ``FILE_FROM`` or more is left in its file (``FileBody``)."""
        pack = self._current_pack()
        page = pack.page(etag) if pack is not None else None
        if page is not None:
            return page
        return self._read_file(f"{self._root}/{self.name_of(key)}", etag)

    def _read_file(self, path: str, etag: str) -> tuple[bytes | FileBody, str, int] | None:
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:   # no file yet, most often
            return None
        handed_on = False
        try:
            data = os.read(descriptor, READ_BLOCK)
            if len(data) < READ_BLOCK:
                return _page_of(data, etag)
            page = self._read_large(descriptor, data, etag)
            handed_on = page is not None and isinstance(page[0], FileBody)
            return page
        except OSError:
            return None
        finally:
            if not handed_on:
                os.close(descriptor)

    def _read_large(self, descriptor: int, first_block: bytes,
                    etag: str) -> tuple[bytes | FileBody, str, int] | None:
        """A page of ``READ_BLOCK`` or more. Under ``FILE_FROM`` it is read whole; a larger
        body is left in the file (``FileBody``), whose checksum is verified once per file:
        a kept file is never changed in place, only replaced by another."""
        status = os.fstat(descriptor)
        if status.st_size > READ_AT_MOST:
            return None
        if status.st_size < large_bodies.FILE_FROM:
            blocks = [first_block]
            while block := os.read(descriptor, READ_BLOCK << 4):
                blocks.append(block)
            return _page_of(b"".join(blocks), etag)
        first, newline, rest = first_block.partition(b"\n")
        fields = _first_line(first) if newline else None
        if fields is None:
            return None
        checksum, head_length, not_modified_lines = fields
        head_at = len(first) + 1
        if head_at + head_length > status.st_size:
            return None
        head_bytes = (rest[:head_length] if head_length <= len(rest)   # nearly always
                      else os.pread(descriptor, head_length, head_at))
        head = head_with_etag(head_bytes, etag)
        if head is None:
            return None
        identity = (status.st_dev, status.st_ino, status.st_mtime_ns, status.st_size)
        if identity not in self._verified:
            crc, at = 0, head_at
            while block := os.pread(descriptor, READ_BLOCK << 4, at):
                crc, at = zlib.crc32(block, crc), at + len(block)
            if crc != checksum:
                return None
            if len(self._verified) >= VERIFIED_KEPT:
                self._verified.clear()
            self._verified.add(identity)
        body_at = len(first) + 1 + head_length
        os.lseek(descriptor, body_at, os.SEEK_SET)   # before the file object owns the descriptor
        body = FileBody(os.fdopen(descriptor, "rb"), status.st_size - body_at)
        return body, head, not_modified_lines

    def _current_pack(self) -> PagePack | None:
        """The pack in place now, looked for again every ``RECHECK_S``."""
        now = time.monotonic()
        if now - self._pack_checked >= RECHECK_S:
            self._pack_checked = now
            try:
                status = os.stat(self.pack_path)
                identity = (status.st_dev, status.st_ino)
            except OSError:
                identity = None
            if identity is None:
                self._pack = None
            elif self._pack is None or self._pack.identity != identity:
                self._pack = PagePack.open(self.pack_path)
        return self._pack

    def forget_pack(self) -> None:
        """Look for the pack again at the next read (after writing one in this process)."""
        self._pack_checked = -RECHECK_S

    def keep(self, key: Hashable, body: bytes, head: str, not_modified_lines: int) -> bool:
        """Write the page as the file of ``key``, replacing the one there; whether it was
        written. A failure is logged (once per process) and otherwise ignored."""
        path = self._path(key)
        directory = os.path.dirname(path)
        try:
            os.makedirs(directory, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
            os.fchmod(handle, PUBLIC)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.writelines(_record_parts(body, head, not_modified_lines))
                os.replace(temporary, path)
            except BaseException:
                _remove(temporary)
                raise
            return True
        except OSError as err:
            if not self._write_failed:
                self._write_failed = True
                log.warning("a built page could not be kept as a file (no more such warnings "
                            "from this process): %s", err)
            return False

    def clear(self) -> None:
        """Remove every kept page (a new index: its serials start again). Only files named as
        this class names them are touched, should ``page_dir`` point somewhere shared."""
        for path, _ in self._own_files():
            try:
                path.unlink()
            except OSError:   # gone already
                pass
        _remove(self.pack_path)
        self.forget_pack()

    def remove_others(self, keep: set[str], unchanged_for_s: float,
                      packed: set[str] = frozenset(), packed_unchanged_for_s: float = 0.0) -> int:
        """Remove the files, other than those named in ``keep`` (``name_of``), that nobody
        wrote within ``unchanged_for_s`` seconds; the files of pages now in the pack
        (``packed``) that nobody wrote within ``packed_unchanged_for_s``, a newer page
        than the pack's otherwise; and temporary files left by a crash. How many were removed."""
        removed, now = 0, time.time()
        for path, temporary in self._own_files():
            name = f"{path.parent.name}/{path.name}"
            if temporary:
                limit = TEMPORARY_KEPT_S
            elif name in packed:
                limit = packed_unchanged_for_s
            elif name in keep:
                continue
            else:
                limit = unchanged_for_s
            try:
                age = now - path.stat().st_mtime
                if age > limit:
                    path.unlink()
                    removed += 1
            except OSError:   # gone already, or replaced meanwhile
                pass
        return removed

    def _own_files(self) -> Iterator[tuple[Path, bool]]:
        """``(path, temporary)`` of the files this class writes: ``xx/<30 hex digits>`` and its
        ``xx/.tmp-*`` files, where ``xx`` is two hex digits, and a pack's temporary files; the
        pack itself and anything else are never listed."""
        for directory in self.root.iterdir():
            if directory.name.startswith(TEMPORARY_PREFIX):
                yield directory, True
            if not (_is_hex(directory.name, 2) and directory.is_dir()):
                continue
            for path in directory.iterdir():
                temporary = path.name.startswith(".tmp-")
                if temporary or _is_hex(path.name, 30):
                    yield path, temporary

    @staticmethod
    def name_of(key: Hashable) -> str:
        """The file's name under the root, ``xx/yyyy...``, from a digest of ``key``."""
        hexadecimal = hashlib.blake2b(repr(key).encode("utf-8"), digest_size=16).hexdigest()
        return f"{hexadecimal[:2]}/{hexadecimal[2:]}"

    def _path(self, key: Hashable) -> str:
        return f"{self._root}/{self.name_of(key)}"   # a str: pathlib costs µs per page


def _record_parts(body: bytes, head: str, not_modified_lines: int) -> tuple[bytes, bytes, bytes]:
    """A page file's parts: a line with the magic, a CRC of the rest, the head's length and
    the 304's count of lines; then the head and the body (not copied: at 100k projects
    ``/simple/`` is 4.5 MB)."""
    head_bytes = head.encode("utf-8")
    checksum = zlib.crc32(body, zlib.crc32(head_bytes))
    first = b"%s %d %d %d\n" % (MAGIC, checksum, len(head_bytes), not_modified_lines)
    return first, head_bytes, body


def _page_of(data: bytes, etag: str) -> tuple[bytes, str, int] | None:
    """``(body, head, 304 lines)`` of a page file's bytes when they are whole and the page's
    ETag is ``etag``; None otherwise."""
    first, _, rest = data.partition(b"\n")
    fields = _first_line(first)
    if fields is None:
        return None
    checksum, head_length, not_modified_lines = fields
    if zlib.crc32(rest) != checksum or head_length > len(rest):
        return None
    head = head_with_etag(rest[:head_length], etag)
    return (rest[head_length:], head, not_modified_lines) if head is not None else None


def _first_line(first: bytes) -> tuple[int, int, int] | None:
    """Checksum, head length and 304 lines from a page file's first line, if it is one."""
    try:
        magic, checksum, head_length, not_modified_lines = first.split(b" ")
        if magic != MAGIC:
            return None
        return int(checksum), int(head_length), int(not_modified_lines)
    except ValueError:
        return None


def _is_hex(name: str, length: int) -> bool:
    return len(name) == length and all(char in "0123456789abcdef" for char in name)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:   # gone already; a later build-pages sweeps what is left
        pass
