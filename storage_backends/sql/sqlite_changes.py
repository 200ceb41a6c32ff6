"""Knowing that no one committed to an SQLite database, without a query.

A cached page is served only after a read of its serial, and on SQLite that
read, small as it is, costs more than the rest of the request: the sqlite3
module releases the GIL around every statement, and getting it back from the
other waitress threads is what makes a page served behind a read cost about
twice one served without. In WAL mode SQLite keeps a header in the shared
memory file ``<database>-shm`` that every committing connection, in any
process, rewrites before its commit returns: the wal-index header, whose
``iChange`` counter grows with each transaction and whose frame count and
salts change with every commit and WAL reset (see "WAL-mode File Format" in
SQLite's documentation). Two equal readings of that header mean that nothing
was committed in between, so a serial read after the first still holds at the
second.

The header is read through a read-only ``mmap`` of the file, with the GIL
held. SQLite writes its two copies in turn (the second first) and readers
compare them; a reading where they differ counts as "changed".

SQLite coordinates processes with POSIX record locks on that file, and POSIX
drops all of a process's locks on a file when the process closes any
descriptor of it. So the file is opened once per process and database, kept
open (with a connection of our own, which keeps SQLite from truncating it)
while any watch on it lives, and closed only when the last one does (a store
closes its watch after its connections). A connection to the same database
that outlives every watch in the process would lose its locks then; a server
process has one store, so none does.
"""
from __future__ import annotations

import mmap
import os
import sqlite3
import threading
from pathlib import Path

HEADER_COPIES = 96   # two copies of the 48-byte wal-index header at the start of the file


class _SharedMap:
    """The mapped header of one ``-shm`` file, shared by the watches of this process."""

    def __init__(self, database: str):
        # read-write, never create: a missing database is no database to watch
        self.keeper = sqlite3.connect(Path(database).as_uri() + "?mode=rw", uri=True,
                                      check_same_thread=False)
        try:
            mode = self.keeper.execute("PRAGMA journal_mode").fetchone()[0]
            if mode.lower() != "wal":
                raise ValueError(f"{database} is in journal mode {mode}, not WAL")
            # A read makes SQLite open the shared memory and hold it while we live.
            self.keeper.execute("SELECT count(*) FROM sqlite_master").fetchone()
            self.fd = os.open(f"{database}-shm", os.O_RDONLY)
        except BaseException:
            self.keeper.close()
            raise
        try:
            self.header = mmap.mmap(self.fd, HEADER_COPIES, access=mmap.ACCESS_READ)
        except BaseException:
            os.close(self.fd)
            self.keeper.close()
            raise
        self.users = 0

    def close(self) -> None:
        self.header.close()
        os.close(self.fd)
        self.keeper.close()


_shared: dict[str, _SharedMap] = {}
_shared_lock = threading.Lock()


class WalChangeWatch:
    """``token()``: equal on two calls only if no transaction committed in between."""

    def __init__(self, database: str):
        self._path = os.path.realpath(database)
        with _shared_lock:
            shared = _shared.get(self._path)
            if shared is None:
                shared = _shared[self._path] = _SharedMap(self._path)
            shared.users += 1
        self._header = shared.header
        self._last = b""
        self._closed = False

    def token(self) -> bytes | object:
        header = self._header[:HEADER_COPIES]
        if header[:48] != header[48:]:
            return object()   # a writer is between its two copies: equal to nothing
        last = self._last
        if header[:48] == last:
            return last       # one object per state: cache entries share it, and compare by identity
        self._last = header[:48]
        return self._last

    def close(self) -> None:
        """Call after this store's own connections are closed."""
        with _shared_lock:
            if self._closed:
                return
            self._closed = True
            shared = _shared[self._path]
            shared.users -= 1
            if shared.users == 0:
                del _shared[self._path]
                shared.close()


def wal_change_watch(database: str | None) -> WalChangeWatch | None:
    """A watch on a file database in WAL mode, or None where one cannot be kept."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    try:
        return WalChangeWatch(database)
    except (OSError, ValueError, sqlite3.Error):
        return None
