"""Transactions, the serial counter and the journal of the ndb store.

Every write is one cross-group (XG) transaction that reads the ``Serial``
entity first and writes it back with each journal row it adds: the
datastore's optimistic concurrency then orders writers, and serials follow
commit order without gaps, as the SQL store's locked counter row does.

Measured on the file stub (bench/gae_serial_rate.py, one journal row per
write): about 30 writes/s on a small datastore, 11/s at 2,400 serials, the
same with one thread or four, since the stub rewrites its whole file per
commit and every operation is serialised (see ``runtime``).

On the real datastore the documented sustained rate of one entity group (on
Firestore in Datastore mode, of one document) is about one write per second,
with short bursts well above it: the counter bounds the whole index to that
sustained rate (uploads, registrations and role changes together). If it
ever became the bottleneck we would shard the counter: N ``Serial`` shards,
each writer incrementing a random shard and taking ``value * N + shard`` as
its serial. That keeps serials unique but neither dense nor in commit order
across shards, which mirrors paging with ``serial > last`` rely on; so the
journal rows would be written with a provisional key and a single sequencer
(a task queue job) would assign the final serials in commit order, in
batches, with ``changelog_since_serial`` reading only sequenced rows. Until
then there is one counter.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, TypeVar

from ..records import Actor, JournalEntry
from . import models as m
from .sdk import ndb

T = TypeVar("T")
# ndb retries a transaction that lost a race this many times; only other
# App Engine instances race here (threads of one process are serialised).
TXN_RETRIES = 10


def utcnow() -> datetime:
    """Naive UTC now, to the second, as legacy wrote timestamps."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def naive_utc(when: datetime) -> datetime:
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when


def entry_record(entity: m.Journal) -> JournalEntry:
    return JournalEntry(serial=entity.key.id(), name=entity.name or "", version=entity.version,
                        action=entity.action, submitted_date=entity.submitted_date,
                        submitted_by=entity.submitted_by, submitted_from=entity.submitted_from)


class Journaller:
    """Collects the journal rows of one transaction and puts them with the counter."""

    def __init__(self):
        counter = m.serial_key().get()
        self.counter = counter or m.Serial(key=m.serial_key(), value=0)
        self.rows: list[m.Journal] = []

    def add(self, actor: Actor, name: str, version: str | None, action: str,
            when: datetime | None = None) -> int:
        self.counter.value += 1
        serial = self.counter.value
        self.rows.append(m.Journal(
            id=serial, parent=m.serial_key(), name=name, version=version, action=action,
            submitted_date=when or utcnow(), submitted_by=actor.user,
            submitted_from=actor.address))
        return serial

    def entities(self) -> list[ndb.Model]:
        return [self.counter, *self.rows] if self.rows else []


class JournalMixin:
    """The guard, the transaction helper, and the serial part of ``Store``."""

    def _write(self, work: Callable[[Journaller], T]) -> T:
        """Run ``work(journal)`` in one XG transaction; it returns entities to put.

        ``work`` returns ``(result, puts, deletes)``; the journal's rows and
        the counter are put in the same commit.
        """
        def txn():
            journal = Journaller()
            result, puts, deletes = work(journal)
            if deletes:
                ndb.delete_multi(deletes)
            entities = list(puts) + journal.entities()
            if entities:
                ndb.put_multi(entities)
            return result

        with self._access():
            return ndb.transaction(txn, xg=True, retries=TXN_RETRIES)

    # -- Store: serials and journal ---------------------------------------------
    def last_serial(self) -> int:
        with self._access():
            counter = m.serial_key().get()
        return counter.value if counter else 0

    def changelog_since_serial(self, serial: int, limit: int | None = None) -> list[JournalEntry]:
        query = m.Journal.query(ancestor=m.serial_key())
        if serial > 0:                       # datastore ids start at 1
            query = query.filter(m.Journal.key > ndb.Key(m.Journal, serial, parent=m.serial_key()))
        with self._access():
            rows = query.order(m.Journal.key).fetch(limit)
        return [entry_record(r) for r in rows]

    def changelog_since(self, when: datetime) -> list[JournalEntry]:
        when = naive_utc(when)
        with self._access():
            rows = m.Journal.query(m.Journal.submitted_date > when,
                                   ancestor=m.serial_key()).fetch()
        return sorted((entry_record(r) for r in rows), key=lambda e: e.serial)

    def project_journal(self, name: str) -> list[JournalEntry]:
        with self._access():
            rows = m.Journal.query(m.Journal.name == name, ancestor=m.serial_key()).fetch()
        return sorted((entry_record(r) for r in rows), key=lambda e: e.serial)
