"""Every kept page in one file: a table held in memory finds a page, one positioned read gets it.

A page read from its own file (``legacy/page_files.py``) costs an ``open``, a
``read`` and a ``close``, each releasing the GIL, plus the kernel's lookup of
its path among hundreds of thousands. ``pypi build-pages`` therefore also
writes every page it keeps into one pack file, which each server process
keeps open. A record is found by its page's ETag: a process holds the pack's
table (sorted ETag keys, with each record's offset and length: 20 bytes a
page, and where each run of keys with the same leading bits starts: 6.3 MB
at 100k projects) and reads the record with one ``pread``
(``cached_reads.pread``, which keeps the GIL when the kernel holds the bytes).
The records themselves stay in the kernel's page cache, outside the process.

Keying by the ETag means a record is found only for the ETag a page has now:
a page changed since the pack was written has another ETag, is not found,
and is read from its own file or built, never served stale. The ETag in the
record's head is compared as well, so two ETags whose keys collide cost a
miss, not a wrong page, and a checksum turns a damaged record into a miss.

The pack is written whole under a temporary name and renamed into place, so a
reader sees the old pack or the new one; a process notices the new one within
``RECHECK_S``.

Layout (integers little-endian)::

    header  MAGIC, then table offset, records, bits: 3 x u64
    records each a page: CRC-32 of the rest, head length, 304 lines (3 x u32),
            then the head (UTF-8 lines, as ``page_cache.Page`` holds it), then the body
    table   keys: u64 each, ascending; offsets: u64 each; lengths: u32 each;
            then 2**bits + 1 starts (u32): where the keys of each value of their
            leading ``bits`` bits start, the last one the number of records
"""
from __future__ import annotations

import hashlib
import os
import struct
import sys
import tempfile
import weakref
import zlib
from array import array
from bisect import bisect_left
from pathlib import Path

from .cached_reads import pread
from .page_heads import head_with_etag

# -2: the table is read into memory and keyed by the ETag (-1 probed 8 slots on the disk,
# keyed by a digest of the page key); a pack of another version is not read, but rebuilt.
MAGIC = b"pypi-pages-pack-2\n"
HEADER = struct.Struct("<QQQ")
HEADER_SIZE = len(MAGIC) + HEADER.size
KEY, OFFSET, LENGTH, START = "Q", "Q", "I", "I"     # array type codes of the table's columns
TABLE_ENTRY = 8 + 8 + 4
KEY_BITS = 64
RECORD_HEAD = struct.Struct("<III")
RECHECK_S = 2.0    # how often a process looks for a new pack
RECORD_AT_MOST = 64 << 20   # a longer record is a damaged table, not a page
TEMPORARY_PREFIX = ".tmp-pack-"
# Readable by all, as the pages are public: build-pages may run as another user than the
# servers (mkstemp's 0600 would leave them unable to read it, and every page rebuilt).
PUBLIC = 0o644


def etag_key(etag: str) -> int:
    """The 64 bits that find a page's record by its ETag: its first 16 hex digits, as
    ``page_cache.etag_for`` makes every ETag a quoted hex digest; any other is digested."""
    digits = etag[1:17]
    try:   # isalnum: no sign, space or underscore, which int() would take
        return int(digits, 16) if len(digits) == 16 and digits.isalnum() else _digested(etag)
    except ValueError:
        return _digested(etag)


def _digested(etag: str) -> int:
    return int.from_bytes(hashlib.blake2b(etag.encode("utf-8"), digest_size=8).digest(), "little")


def start_bits(count: int) -> int:
    """How many leading bits of a key index the starts: about two keys share a value."""
    return max(0, count.bit_length() - 2)


def _starts(keys: array, bits: int) -> array:
    """Where the keys whose leading ``bits`` bits are each value start (then ``len(keys)``)."""
    starts, shift, at = array(START), KEY_BITS - bits, 0
    for value in range(1 << bits):
        while at < len(keys) and keys[at] >> shift < value:
            at += 1
        starts.append(at)
    starts.append(len(keys))
    return starts


class PackWriter:
    """Records appended one by one to a temporary file, then the table, then renamed into place.

    ``add`` keeps the last record given for an ETag. Where each record lies is kept
    in arrays until ``finish`` sorts them: a dict of tuples cost build-pages about
    220 MB of its 936 MB peak at 500k projects (1.4 million pages).
    """

    def __init__(self, path: Path):
        self.path = path
        handle, self._temporary = tempfile.mkstemp(dir=path.parent, prefix=TEMPORARY_PREFIX)
        os.fchmod(handle, PUBLIC)
        self._out = os.fdopen(handle, "wb")
        self._out.write(MAGIC + HEADER.pack(0, 0, 0))
        self._offset = HEADER_SIZE
        self._keys, self._offsets, self._lengths = array(KEY), array(OFFSET), array(LENGTH)

    def add(self, etag: str, body: bytes, head: str, not_modified_lines: int) -> None:
        """Pack a page (as ``page_cache.Page`` holds it) whose ETag is ``etag``."""
        head_bytes = head.encode("utf-8")
        checksum = zlib.crc32(body, zlib.crc32(head_bytes))
        first = RECORD_HEAD.pack(checksum, len(head_bytes), not_modified_lines)
        self._out.writelines((first, head_bytes, body))
        length = len(first) + len(head_bytes) + len(body)
        self._keys.append(etag_key(etag))
        self._offsets.append(self._offset)
        self._lengths.append(length)
        self._offset += length

    @property
    def count(self) -> int:
        """Pages in the pack's table (after ``finish``; before it, records added so far)."""
        return len(self._keys)

    def finish(self) -> None:
        """Write the table, make the pack durable and put it in place."""
        keys, offsets, lengths = self._table()
        self._keys, self._offsets, self._lengths = keys, offsets, lengths   # one per ETag now
        bits = start_bits(len(keys))
        columns = (keys, offsets, lengths, _starts(keys, bits))
        table_offset = self._offset
        for column in columns:
            if sys.byteorder != "little":
                column.byteswap()
            self._out.write(column.tobytes())
        self._out.seek(len(MAGIC))
        self._out.write(HEADER.pack(table_offset, len(keys), bits))
        self._out.flush()
        os.fsync(self._out.fileno())
        self._out.close()
        os.replace(self._temporary, self.path)

    def _table(self) -> tuple[array, array, array]:
        """The records' keys in order, with their offsets and lengths; of records added under
        one key, the last (a stable sort keeps them in the order added)."""
        every = self._keys
        order = sorted(range(len(every)), key=every.__getitem__)
        last = [at for position, at in enumerate(order)
                if position + 1 == len(order) or every[order[position + 1]] != every[at]]
        del order
        return (array(KEY, map(every.__getitem__, last)),
                array(OFFSET, map(self._offsets.__getitem__, last)),
                array(LENGTH, map(self._lengths.__getitem__, last)))

    def abandon(self) -> None:
        self._out.close()
        try:
            os.unlink(self._temporary)
        except OSError:
            pass


class PagePack:
    """An open pack: ``page(etag)`` is the page packed under that ETag."""

    def __init__(self, descriptor: int, identity: tuple[int, int], size: int):
        self.identity, self._descriptor = identity, descriptor
        head = os.pread(descriptor, HEADER_SIZE, 0)
        if len(head) != HEADER_SIZE or not head.startswith(MAGIC):
            raise ValueError("not a page pack of this version")
        self._table, self.count, bits = HEADER.unpack_from(head, len(MAGIC))
        table_size = self.count * TABLE_ENTRY + ((1 << bits) + 1) * 4 if bits < 32 else 0
        if (self._table < HEADER_SIZE or bits != start_bits(self.count)
                or self._table + table_size != size):
            raise ValueError("a page pack with a damaged header")
        table = os.pread(descriptor, table_size, self._table)
        if len(table) != table_size:
            raise ValueError("a page pack cut short")
        self._keys, self._offsets, self._lengths = array(KEY), array(OFFSET), array(LENGTH)
        self._starts = array(START)
        at = 0
        for column, items in ((self._keys, self.count), (self._offsets, self.count),
                              (self._lengths, self.count), (self._starts, (1 << bits) + 1)):
            column.frombytes(table[at:at + column.itemsize * items])
            if sys.byteorder != "little":
                column.byteswap()
            at += column.itemsize * items
        if max(self._starts) > self.count:
            raise ValueError("a page pack with a damaged table")
        self._shift = KEY_BITS - bits
        # closed when the last request holding this pack is done with it
        weakref.finalize(self, os.close, descriptor)

    @classmethod
    def open(cls, path: str) -> PagePack | None:
        """The pack at ``path``, or None when there is none (or it is not one)."""
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return None
        try:
            status = os.fstat(descriptor)
            return cls(descriptor, (status.st_dev, status.st_ino), status.st_size)
        except (OSError, ValueError):
            os.close(descriptor)
            return None

    def page(self, etag: str) -> tuple[bytes, str, int] | None:
        """``(body, head, 304 lines)`` of the page packed under ``etag``, or None (not packed,
        or its record is damaged)."""
        key = etag_key(etag)
        run = key >> self._shift
        end = self._starts[run + 1]
        at = bisect_left(self._keys, key, self._starts[run], end)
        if at >= end or self._keys[at] != key:
            return None
        offset, length = self._offsets[at], self._lengths[at]
        if offset < HEADER_SIZE or offset + length > self._table or length > RECORD_AT_MOST:
            return None
        try:
            data = pread(self._descriptor, length, offset)
        except OSError:
            return None
        if len(data) != length or length < RECORD_HEAD.size:
            return None
        checksum, head_length, not_modified_lines = RECORD_HEAD.unpack_from(data)
        body_at = RECORD_HEAD.size + head_length
        if zlib.crc32(memoryview(data)[RECORD_HEAD.size:]) != checksum or body_at > length:
            return None
        head = head_with_etag(data[RECORD_HEAD.size:body_at], etag)
        return (data[body_at:], head, not_modified_lines) if head is not None else None
