"""Every project's serial held in memory on SQLite, so a page kept as a file needs no statement.

A page held in the page cache is served with no read while the store's
change token is unchanged; a page kept only as a file first needs the
project's serial, and on SQLite that one small statement, with the GIL given up
and taken back around it, costs more than reading the file. At 100k projects
most pages a random client asks for are files, not cache entries.

So each process holds ``PEP 503 name -> (spelling, last_serial)`` for every
project, read in one statement, and keeps it current through the journal:
every change that raises a project's serial writes a journal row with the new
serial and the project's name in the same transaction (``JournalMixin``), and
SQLite commits writers one at a time, so serials become visible in order. When
the change token moves, the rows after the serial the map was brought up to
name the projects to read again. A name the map does not hold (two spellings
of one PEP 503 name, rows a legacy process wrote without ``pep503_name``, a
project newer than the map) is read with a statement as before, so a gap in
the map costs time, never a wrong answer.

The map is kept in flat arrays, about 30 bytes a project (a dict of tuples
takes about 150), so that it adds 3 MB at 100k projects, not 15.
"""
from __future__ import annotations

import logging
import threading
import time
import zlib
from array import array
from bisect import bisect_left
from typing import TYPE_CHECKING, Callable, Hashable, Iterable

from sqlalchemy import bindparam, select

from ..ordering import normalize_name
from .tables import journals, packages

if TYPE_CHECKING:
    from .fast_reads import ThreadConnections

log = logging.getLogger(__name__)
ALL_SERIALS = select(packages.c.pep503_name, packages.c.name, packages.c.last_serial)
NAMES_SINCE = (select(journals.c.name).distinct()
               .where(journals.c.id > bindparam("after"), journals.c.id <= bindparam("upto")))
# More changed projects than this since the map's serial: reading all again is quicker.
RELOAD_ABOVE = 2000
LOAD_PIECE = 4096    # rows fetched at a time when all are read
RETRY_AFTER_S = 30   # after a first read that failed
ASK = -1     # in SerialTable: a statement answers this name (it shares its hash, say)
MAX_SPELLING = 0x3FFF    # characters; UTF-8 of that fits the 16 bits of a length


class ProjectSerials:
    """``get(name, token)``: ``project_serial`` from memory, current as of ``token``.

    ``change_token()`` is the store's; ``last_serial()`` reads the index's
    serial; ``spellings(key)`` reads the ``(name, last_serial)`` rows of one
    PEP 503 name. All projects are first read on a thread of their own (about a
    second at 100k projects), so no request waits for that; until then every
    ``get`` is None. A new serial is written in place; other changes (a new
    name, a name gone, a new spelling) are made to a copy of the table, which
    then replaces it: a ``get`` never waits for them, nor sees half of one.
    """

    def __init__(self, reads: ThreadConnections, change_token: Callable[[], Hashable | None],
                 last_serial: Callable[[], int], spellings: Callable[[str], list[tuple]]):
        self._reads, self._change_token = reads, change_token
        self._last_serial, self._spellings = last_serial, spellings
        self._known: SerialTable | None = None
        self._serial = 0                          # journal rows up to here are in _known
        self._token: Hashable | None = None       # _known is current while the token is this
        self._lock = threading.Lock()
        self._loader: threading.Thread | None = None
        self._failed_at = -RETRY_AFTER_S
        self._closed = False

    def get(self, name: str, token: Hashable | None) -> tuple[str, int] | None:
        """The project's ``(spelling, last_serial)``, or None where a statement must say."""
        if token is None:
            return None
        known = self._known if self._token is token else self._current(token)
        return known.get(normalize_name(name)) if known is not None else None

    def wait_loaded(self, timeout: float | None = None) -> bool:
        """Start the first read of all projects unless started, and wait for it."""
        loader = self._start_loading()
        if loader is not None:
            loader.join(timeout)
        return self._known is not None

    def close(self) -> None:
        """Before the store's connections close: wait for a first read still running."""
        with self._lock:
            self._closed = True
            loader = self._loader
        if loader is not None:
            loader.join()

    def _current(self, token: Hashable) -> SerialTable | None:
        """The map brought up to what was committed when ``token`` was taken (or later)."""
        if self._known is None:
            self._start_loading()
            return None
        with self._lock:
            if self._token is token:
                return self._known
            serial = self._last_serial()
            if serial < self._serial:    # a database put back to an older copy
                self._known = self._load()
            elif serial > self._serial:
                changed = {normalize_name(name) for (name,) in self._reads.rows(
                    NAMES_SINCE, after=self._serial, upto=serial) if name}
                if len(changed) > RELOAD_ABOVE:
                    self._known = self._load()
                else:
                    table = self._known
                    for key in changed:
                        rows = self._spellings(key)
                        if not table.moved_on(key, rows):
                            # Anything more than a new serial goes to a copy: a get() holding
                            # an older token reads the table meanwhile, and must never see
                            # one column shifted and the next not yet.
                            if table is self._known:
                                table = table.copy()
                            table.set(key, rows)
                    self._known = table
            self._serial, self._token = serial, token
            return self._known

    def _start_loading(self) -> threading.Thread | None:
        with self._lock:
            if (self._loader is None and not self._closed
                    and time.monotonic() >= self._failed_at + RETRY_AFTER_S):
                self._loader = threading.Thread(target=self._first_load, daemon=True,
                                                name="project-serials")
                self._loader.start()
            return self._loader

    def _first_load(self) -> None:
        try:
            token = self._change_token()
            serial = self._last_serial()
            known = self._load()    # outside the lock: gets meanwhile do not wait for it
            with self._lock:
                if not self._closed:
                    self._known, self._serial, self._token = known, serial, token
        except Exception:    # the statements go on answering; a later get tries again
            log.warning("reading every project's serial failed", exc_info=True)
            with self._lock:
                self._loader, self._failed_at = None, time.monotonic()

    def _load(self) -> SerialTable:
        return SerialTable.of(row for piece in self._reads.streamed(ALL_SERIALS, LOAD_PIECE)
                              for row in piece if row[0])


class SerialTable:
    """PEP 503 name -> ``(spelling, serial)`` in sorted arrays, for projects of one spelling.

    A name is found by its ``hash()`` (bisected) and confirmed by its CRC-32, so
    two names would have to agree in 96 bits to be taken for each other; two
    names found to share a hash are both left out (a statement answers them).
    A spelling is kept only where it differs from the PEP 503 name, as UTF-8
    in one buffer that a changed spelling is appended to.
    """

    def __init__(self):
        self._hashes = array("q")     # sorted
        self._checks = array("I")     # CRC-32 of the name
        self._serials = array("q")    # the serial, or ASK
        self._spelt = array("q")      # offset << 16 | length in _spellings, or -1: as the name
        self._spellings = bytearray()

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str, int | None]]) -> SerialTable:
        """From ``(PEP 503 name, spelling, serial)`` rows. A name with several rows (several
        spellings) is asked for, as are names that share a hash."""
        table = cls()
        for key, spelling, serial in rows:
            table._append(hash(key), key, spelling, serial or 0)
        order = sorted(range(len(table)), key=table._hashes.__getitem__)
        for column in table._columns():
            column[:] = array(column.typecode, map(column.__getitem__, order))
        del order
        hashes, serials = table._hashes, table._serials
        for at in range(1, len(hashes)):
            if hashes[at] == hashes[at - 1]:
                serials[at] = serials[at - 1] = ASK
        return table

    def get(self, key: str) -> tuple[str, int] | None:
        at = self._held(key)
        return (self._spelling(key, at), self._serials[at]) if at is not None else None

    def moved_on(self, key: str, spellings: list[tuple]) -> bool:
        """Record a new serial of a name held with the same single spelling, in place (one
        element: a reader sees the old serial or the new one); False for any other change."""
        at = self._held(key)
        if len(spellings) != 1 or at is None or self._spelling(key, at) != spellings[0][0]:
            return False
        self._serials[at] = spellings[0][1] or 0
        return True

    def set(self, key: str, spellings: list[tuple]) -> None:
        """Record what the database now holds for ``key``: its ``(spelling, serial)`` rows."""
        hashed, at, present = self._find(key)
        if present and self._checks[at] != zlib.crc32(key.encode()):
            self._serials[at] = ASK    # another name with this hash: both left out
            return
        if len(spellings) != 1:
            if present:
                for column in self._columns():
                    del column[at]
            return
        spelling, serial = spellings[0]
        if not present:
            for column in self._columns():
                column.insert(at, 0)
            self._hashes[at], self._checks[at] = hashed, zlib.crc32(key.encode())
        elif self._serials[at] == ASK:
            return
        self._serials[at] = (serial or 0) if len(spelling) <= MAX_SPELLING else ASK
        self._spelt[at] = self._spelling_at(key, spelling)

    def _find(self, key: str) -> tuple[int, int, bool]:
        """``(hash, position, whether a name of that hash is at that position)``."""
        hashed = hash(key)
        at = bisect_left(self._hashes, hashed)
        return hashed, at, at < len(self._hashes) and self._hashes[at] == hashed

    def _spelling(self, key: str, at: int) -> str:
        spelt = self._spelt[at]
        if spelt < 0:
            return key
        start = spelt >> 16
        return self._spellings[start:start + (spelt & 0xFFFF)].decode()

    def _held(self, key: str) -> int | None:
        """The position of ``key`` when the table answers it (its CRC agrees, not ASK)."""
        _, at, present = self._find(key)
        if (not present or self._serials[at] == ASK
                or self._checks[at] != zlib.crc32(key.encode())):
            return None
        return at

    def copy(self) -> SerialTable:
        copied = SerialTable()
        for mine, theirs in zip(self._columns(), copied._columns()):
            theirs.frombytes(mine.tobytes())
        copied._spellings = bytearray(self._spellings)
        return copied

    def __len__(self) -> int:
        return len(self._hashes)

    def _append(self, hashed: int, key: str, spelling: str, serial: int) -> None:
        self._hashes.append(hashed)
        self._checks.append(zlib.crc32(key.encode()))
        self._serials.append(serial if len(spelling) <= MAX_SPELLING else ASK)
        self._spelt.append(self._spelling_at(key, spelling))

    def _spelling_at(self, key: str, spelling: str) -> int:
        if spelling == key:
            return -1
        encoded = spelling.encode()
        start = len(self._spellings)
        self._spellings += encoded
        return start << 16 | len(encoded)

    def _columns(self) -> tuple[array, ...]:
        return self._hashes, self._checks, self._serials, self._spelt
