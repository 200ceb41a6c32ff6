"""Every kept page in one file, read with two positioned reads and no file opened per page.

A page read from its own file (``legacy/page_files.py``) costs an ``open``, a
``read`` and a ``close``, each releasing the GIL, plus the kernel's lookup of
its path among hundreds of thousands. ``pypi build-pages`` therefore also
writes every page it keeps into one pack file, which each server process
keeps open: a page is found with one read of its slot in the pack's table and
one read of its bytes (``cached_reads.pread``, which keeps the GIL when the
kernel holds the bytes). Nothing of the pack is held in the process.

The pack is written whole under a temporary name and renamed into place, so a
reader sees the old pack or the new one; a process notices the new one within
``RECHECK_S``. A record is byte for byte a page file and is used only under the
ETag it holds (``PageFiles.read``), so a page changed since the pack was
written is read from its own file or built, never served stale.

Layout (integers little-endian)::

    header  MAGIC, then table offset, slots (a power of two), records: 3 x u64
    records one page file's bytes after another
    table   (slots + PROBE) x (digest, offset, length): 3 x u64 each
"""
from __future__ import annotations

import os
import struct
import tempfile
import weakref
from pathlib import Path

from .cached_reads import pread

MAGIC = b"pypi-pages-pack-1\n"
HEADER = struct.Struct("<QQQ")
HEADER_SIZE = len(MAGIC) + HEADER.size
SLOT = struct.Struct("<QQQ")
PROBE = 8          # a digest is in one of the 8 slots from its home slot, or not packed
PROBE_SLOTS = struct.Struct("<" + "QQQ" * PROBE)
RECHECK_S = 2.0    # how often a process looks for a new pack
RECORD_AT_MOST = 64 << 20   # a longer record is a damaged slot, not a page
TEMPORARY_PREFIX = ".tmp-pack-"
# Readable by all, as the pages are public: build-pages may run as another user than the
# servers (mkstemp's 0600 would leave them unable to read it, and every page rebuilt).
PUBLIC = 0o644


def slot_digest(digest: bytes) -> int:
    """The 64 bits of a page key's digest a slot holds (0 marks an empty slot)."""
    return int.from_bytes(digest[:8], "little") or 1


class PackWriter:
    """Records appended one by one to a temporary file, then the table, then renamed into place.

    ``add`` keeps the last record given for a digest. A digest whose slots are
    all taken (rare: the table is at most half full) is left out; ``packed``
    names those that went in.
    """

    def __init__(self, path: Path):
        self.path = path
        handle, self._temporary = tempfile.mkstemp(dir=path.parent, prefix=TEMPORARY_PREFIX)
        os.fchmod(handle, PUBLIC)
        self._out = os.fdopen(handle, "wb")
        self._out.write(MAGIC + HEADER.pack(0, 0, 0))
        self._offset = HEADER_SIZE
        self._records: dict[int, tuple[int, int, bytes]] = {}
        self.packed: set[bytes] = set()

    def add(self, digest: bytes, record: bytes) -> None:
        self._out.write(record)
        self._records[slot_digest(digest)] = (self._offset, len(record), digest)
        self._offset += len(record)

    def finish(self) -> None:
        """Write the table, make the pack durable and put it in place."""
        slots = 8
        while slots < 2 * len(self._records):
            slots *= 2
        table = [(0, 0, 0)] * (slots + PROBE)
        for key, (offset, length, digest) in self._records.items():
            home = key & (slots - 1)
            for at in range(home, home + PROBE):
                if table[at][0] == 0:
                    table[at] = (key, offset, length)
                    self.packed.add(digest)
                    break
        table_offset = self._offset
        for entry in table:
            self._out.write(SLOT.pack(*entry))
        self._out.seek(len(MAGIC))
        self._out.write(HEADER.pack(table_offset, slots, len(self.packed)))
        self._out.flush()
        os.fsync(self._out.fileno())
        self._out.close()
        os.replace(self._temporary, self.path)

    def abandon(self) -> None:
        self._out.close()
        try:
            os.unlink(self._temporary)
        except OSError:
            pass


class PagePack:
    """An open pack: ``record(digest)`` is the page file's bytes packed for that digest."""

    def __init__(self, descriptor: int, identity: tuple[int, int], size: int):
        self.identity, self._descriptor = identity, descriptor
        head = os.pread(descriptor, HEADER_SIZE, 0)
        if len(head) != HEADER_SIZE or not head.startswith(MAGIC):
            raise ValueError("not a page pack")
        self._table, self._slots, self.count = HEADER.unpack_from(head, len(MAGIC))
        if (self._slots & (self._slots - 1) or self._slots < 8
                or self._table + (self._slots + PROBE) * SLOT.size > size):
            raise ValueError("a page pack with a damaged header")
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

    def record(self, digest: bytes) -> bytes | None:
        key = slot_digest(digest)
        home = key & (self._slots - 1)
        try:
            slots = pread(self._descriptor, PROBE_SLOTS.size, self._table + home * SLOT.size)
            if len(slots) != PROBE_SLOTS.size:
                return None
            values = PROBE_SLOTS.unpack(slots)
            for at in range(0, 3 * PROBE, 3):
                if values[at] == key:
                    offset, length = values[at + 1], values[at + 2]
                    if offset + length > self._table or length > RECORD_AT_MOST:
                        return None
                    data = pread(self._descriptor, length, offset)
                    return data if len(data) == length else None
                if values[at] == 0:
                    return None
        except OSError:
            return None
        return None
