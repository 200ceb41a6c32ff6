"""Transactions, serials and the journal of the SQL store.

Every write transaction first locks the one-row ``pypi_serial`` counter
(SQLite: ``BEGIN IMMEDIATE`` locks the whole database instead). That orders
writers, so the checks a write makes before changing anything cannot be
overtaken by another writer, and serials, handed out from the counter inside
the transaction, increase in commit order: a mirror paging with
``serial > last`` never misses a row that commits late. Since the lock's read
gives the counter's value, the next serials are counted in Python; the
journal rows (in one batch), the counter and each touched project's
``last_serial`` are written just before the commit, once however many rows
the transaction adds.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

from sqlalchemy import Engine, bindparam, func, select, update
from sqlalchemy.engine import Connection

from ..records import Actor, JournalEntry
from .change_counter import ChangeCounter
from .engine import WRITE_OPTION
from .tables import SERIAL_ROW_ID, journals, packages, pypi_serial


NOT_LOOKED_UP = object()
# ``Connection.info`` keys, set for the length of one write transaction.
_SERIAL, _TOUCHED, _ROWS = "pypi_serial_now", "pypi_serial_touched", "pypi_journal_rows"
LOCK_SERIAL = (select(pypi_serial.c.value).where(pypi_serial.c.id == SERIAL_ROW_ID)
               .with_for_update())
INSERT_JOURNAL = journals.insert()
SET_COUNTER = (update(pypi_serial).where(pypi_serial.c.id == SERIAL_ROW_ID)
               .values(value=bindparam("serial")))
SET_PROJECT_SERIAL = (update(packages).where(packages.c.name == bindparam("project"))
                      .values(last_serial=bindparam("serial")))


def utcnow() -> datetime:
    """Naive UTC now, to the second, as legacy wrote timestamps."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


class JournalMixin:
    """Transaction helpers plus the serial and changelog part of ``Store``."""

    _engine: Engine

    def _init_transactions(self, engine: Engine, change_counter: ChangeCounter | None) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**{WRITE_OPTION: True})
        self._change_counter = change_counter
        self._journal_sequence: str | None | object = NOT_LOOKED_UP

    @contextmanager
    def _write_transaction(self) -> Iterator[Connection]:
        """A transaction on a writing connection, counted in the change counter if there is
        one: begun before it, ended after its commit or rollback."""
        if self._change_counter is None:
            with self._writer.begin() as conn:
                yield conn
        else:
            with self._change_counter.writing(), self._writer.begin() as conn:
                yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction, holding the serial counter's lock throughout."""
        with self._write_transaction() as conn:
            conn.info[_SERIAL] = [conn.execute(LOCK_SERIAL).scalar(), False]
            conn.info[_TOUCHED], conn.info[_ROWS] = {}, []
            try:
                yield conn
                self._flush_journal(conn)
            finally:
                for key in (_SERIAL, _TOUCHED, _ROWS):
                    conn.info.pop(key, None)

    @staticmethod
    def _flush_journal(conn: Connection) -> None:
        """Store the pending journal rows, the counter and the touched projects'
        ``last_serial`` (also mid-transaction, before reading them back)."""
        rows = conn.info[_ROWS]
        if rows:
            conn.execute(INSERT_JOURNAL, rows)
            rows.clear()
        counter = conn.info[_SERIAL]
        if counter[1]:
            conn.execute(SET_COUNTER, {"serial": counter[0]})
            counter[1] = False
        touched = conn.info[_TOUCHED]
        if touched:
            conn.execute(SET_PROJECT_SERIAL, [{"project": name, "serial": serial}
                                              for name, serial in touched.items()])
            touched.clear()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            yield conn

    def _journal(self, conn: Connection, actor: Actor, name: str, version: str | None,
                 action: str) -> int:
        """Append one journal row with the next serial; returns the serial. Only inside
        ``_write``, whose lock read knows the counter."""
        counter = conn.info[_SERIAL]
        sequence = self._legacy_sequence(conn)
        if sequence is not None:
            serial = conn.execute(select(func.nextval(sequence))).scalar_one()
        else:
            serial = (counter[0] or 0) + 1
        counter[:] = [serial, True]
        conn.info[_ROWS].append({
            "id": serial, "name": name, "version": version, "action": action,
            "submitted_date": utcnow(), "submitted_by": actor.user,
            "submitted_from": actor.address})
        if name:
            conn.info[_TOUCHED][name] = serial
        return serial

    # -- Store: serials and journal ---------------------------------------------
    def last_serial(self) -> int:
        with self._read() as conn:
            value = conn.execute(select(pypi_serial.c.value)
                                 .where(pypi_serial.c.id == SERIAL_ROW_ID)).scalar() or 0
            if self._legacy_sequence(conn) is not None:   # a legacy process may have journalled
                value = max(value, conn.execute(select(func.max(journals.c.id))).scalar() or 0)
        return value

    def changelog_since_serial(self, serial: int, limit: int | None = None) -> list[JournalEntry]:
        query = select(journals).where(journals.c.id > serial).order_by(journals.c.id)
        if limit is not None:
            query = query.limit(limit)
        return self._entries(query)

    def changelog_since(self, when: datetime) -> list[JournalEntry]:
        if when.tzinfo is not None:
            when = when.astimezone(timezone.utc).replace(tzinfo=None)
        return self._entries(select(journals).where(journals.c.submitted_date > when)
                             .order_by(journals.c.id))

    def project_journal(self, name: str) -> list[JournalEntry]:
        return self._entries(select(journals).where(journals.c.name == name)
                             .order_by(journals.c.id))

    def _entries(self, query) -> list[JournalEntry]:
        with self._read() as conn:
            return [JournalEntry(serial=r.id, name=r.name, version=r.version, action=r.action,
                                 submitted_date=r.submitted_date, submitted_by=r.submitted_by,
                                 submitted_from=r.submitted_from)
                    for r in conn.execute(query)]

    def _legacy_sequence(self, conn: Connection) -> str | None:
        """PostgreSQL sequence behind ``journals.id`` on a legacy database, else None.

        Legacy PyPI numbers journal rows from that sequence. Where it exists a
        legacy process may share the database, so serials are taken from it
        too (still under the counter's lock, so in commit order among this
        server's writers) and the two never hand out the same id.
        """
        if self._journal_sequence is NOT_LOOKED_UP:
            sequence = None
            if conn.dialect.name == "postgresql":
                sequence = conn.execute(
                    select(func.pg_get_serial_sequence("journals", "id"))).scalar()
            self._journal_sequence = sequence
        return self._journal_sequence
