"""Knowing that no one committed to a PostgreSQL or MariaDB database, without a round trip.

On SQLite the wal-index header tells every process on the host that a commit
happened (``sqlite_changes.py``). A database server keeps no such thing where
a client could read it for free, so each cached page cost a round trip for its
serial. Where every process that writes to the database runs on one host and
uses this module, a small shared file does the same job: two 8-byte counters,
``begun`` and ``ended``, mapped into every process.

A writer adds one to ``begun`` before its transaction and one to ``ended``
after the commit (or rollback). A reader's token is ``begun`` when it reads
``begun == ended``, and nothing otherwise. A reader holding token ``k`` saw
every writer that had begun up to then also end, so its later reads include
their commits; any writer that begins afterwards moves ``begun`` past ``k``
for good, so the token never comes back. A torn read of one counter can only
make the two differ, or equal the value before the write, so no lock is
needed to read.

Each counter change holds ``flock(LOCK_EX)`` on the file (and a thread lock,
since threads of one process share the file description). A writer also holds
``LOCK_SH`` on ``<file>.writers`` from ``begun`` to ``ended``. A writer that
dies in between leaves ``begun > ended``, and readers then take the slow path,
still correct. The next writer notices, finds ``<file>.writers`` free with
``LOCK_EX | LOCK_NB`` (the kernel dropped the dead one's lock), and sets
``ended = begun`` again.

This is only as good as its premise: a process on another host, or one that
writes without this file (a legacy PyPI process, ``psql``), commits unseen.
So it is off unless configured (``[database] change_counter``), and a store
shared with a legacy process ignores it.
"""
from __future__ import annotations

import fcntl
import mmap
import os
import struct
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

COUNTERS = struct.Struct("<QQ")   # begun, ended
FILE_SIZE = 4096                   # one page, whatever COUNTERS grows to


class ChangeCounterUnusable(Exception):
    """The file cannot be made or mapped (a missing permission, a directory, ...)."""


class ChangeCounter:
    """``token()``: equal on two calls only if no counted write began in between."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._writers_path = Path(f"{self.path}.writers")
        self._thread_lock = threading.Lock()
        self._last_begun, self._last_token = -1, object()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writers_path.touch()
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise ChangeCounterUnusable(f"cannot use {self.path}: {err.strerror or err}") from None
        try:
            with self._counters_locked():
                if os.fstat(self._fd).st_size < FILE_SIZE:
                    os.ftruncate(self._fd, FILE_SIZE)   # zeros: begun == ended == 0
                self._map = mmap.mmap(self._fd, FILE_SIZE, mmap.MAP_SHARED,
                                      mmap.PROT_READ | mmap.PROT_WRITE)
                self._repair_if_abandoned()      # a server restarted after a crash recovers
        except OSError as err:
            os.close(self._fd)
            raise ChangeCounterUnusable(f"cannot use {self.path}: {err.strerror or err}") from None
        except BaseException:
            os.close(self._fd)
            raise

    def token(self) -> object:
        begun, ended = COUNTERS.unpack_from(self._map, 0)
        if begun != ended:
            return object()    # a write in flight: equal to nothing
        if begun != self._last_begun:
            # one object per state, which the cache entries taken under it share
            self._last_begun, self._last_token = begun, ("counter", begun)
        return self._last_token

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Count one write: ``begun`` before the body, ``ended`` after it, however it ends."""
        marker = self._begin()
        try:
            yield
        finally:
            self._end(marker)

    def close(self) -> None:
        self._map.close()
        os.close(self._fd)

    def _begin(self) -> int:
        with self._counters_locked():
            begun, ended = self._repair_if_abandoned()
            marker = os.open(self._writers_path, os.O_RDONLY | os.O_CREAT, 0o644)
            try:
                # Taken under the counters' lock, which every repair also holds: never blocks.
                fcntl.flock(marker, fcntl.LOCK_SH)
                COUNTERS.pack_into(self._map, 0, begun + 1, ended)
            except BaseException:
                os.close(marker)
                raise
        return marker

    def _end(self, marker: int) -> None:
        try:
            with self._counters_locked():
                begun, ended = COUNTERS.unpack_from(self._map, 0)
                COUNTERS.pack_into(self._map, 0, begun, ended + 1)
        finally:
            os.close(marker)           # drops its LOCK_SH

    def _repair_if_abandoned(self) -> tuple[int, int]:
        """The counters, after setting ``ended = begun`` if a writer died between its two
        counts (no writer holds ``<file>.writers``). Call with the counters locked."""
        begun, ended = COUNTERS.unpack_from(self._map, 0)
        if begun != ended and self._no_writer_alive():
            ended = begun
            COUNTERS.pack_into(self._map, 0, begun, ended)
        return begun, ended

    def _no_writer_alive(self) -> bool:
        probe = os.open(self._writers_path, os.O_RDONLY | os.O_CREAT, 0o644)
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        finally:
            os.close(probe)

    @contextmanager
    def _counters_locked(self) -> Iterator[None]:
        with self._thread_lock:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
