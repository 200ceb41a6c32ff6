"""Serials and the changelog."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from storage_backends.records import ReleaseMetadata

from .samples import new_file


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def test_empty_index(store):
    assert store.last_serial() == 0
    assert store.changelog_since_serial(0) == []
    assert store.changelog_since(datetime(2000, 1, 1)) == []
    assert store.project_journal("nothing") == []


def test_serials_strictly_increase_without_gaps(store, alice, bob):
    store.store_release(alice, "one", "1.0", ReleaseMetadata())        # 3 rows
    store.add_file(alice, new_file("one", "1.0", "one-1.0.tar.gz"))    # 1
    store.store_release(bob, "two", "1.0", ReleaseMetadata())          # 3
    store.store_release(alice, "one", "1.0", ReleaseMetadata(summary="s"))   # 1
    entries = store.changelog_since_serial(0)
    assert [e.serial for e in entries] == list(range(1, 9))
    assert store.last_serial() == 8
    assert [(e.name, e.version, e.action) for e in entries] == [
        ("one", None, "create"), ("one", None, "add Owner alice"), ("one", "1.0", "new release"),
        ("one", "1.0", "add source file one-1.0.tar.gz"),
        ("two", None, "create"), ("two", None, "add Owner bob"), ("two", "1.0", "new release"),
        ("one", "1.0", "update summary"),
    ]
    assert store.get_project("one").last_serial == 8
    assert store.get_project("two").last_serial == 7
    assert {p.name: p.last_serial for p in store.list_projects()} == {"one": 8, "two": 7}


def test_changelog_since_serial_with_limit(store, alice):
    for i in range(5):
        store.store_release(alice, "demo", f"1.{i}", ReleaseMetadata())
    last = store.last_serial()
    assert [e.serial for e in store.changelog_since_serial(0, limit=3)] == [1, 2, 3]
    assert [e.serial for e in store.changelog_since_serial(3, limit=3)] == [4, 5, 6]
    assert [e.serial for e in store.changelog_since_serial(last - 1, limit=3)] == [last]
    assert store.changelog_since_serial(last) == []
    assert store.changelog_since_serial(last, limit=10) == []


def test_entries_carry_actor_and_time(store, alice):
    start = _utcnow().replace(microsecond=0)
    store.create_project(alice, "demo")
    entry = store.changelog_since_serial(0)[0]
    assert entry.submitted_by == "alice" and entry.submitted_from == "192.0.2.1"
    assert entry.submitted_date.tzinfo is None and entry.submitted_date.microsecond == 0
    assert start <= entry.submitted_date <= _utcnow()


def test_changelog_since_time(store, alice):
    store.create_project(alice, "old")
    entries = store.changelog_since(datetime(2000, 1, 1))
    assert [e.action for e in entries] == ["create", "add Owner alice"]
    assert store.changelog_since(_utcnow() + timedelta(seconds=5)) == []
    cut = entries[-1].submitted_date
    # rows in the same second as ``cut`` are not after it; wait for the next second
    time.sleep(1.05 - _utcnow().microsecond / 1e6)
    store.create_project(alice, "new")
    assert [(e.name, e.action) for e in store.changelog_since(cut)] == [
        ("new", "create"), ("new", "add Owner alice")]
    aware = cut.replace(tzinfo=timezone.utc).astimezone(timezone(timedelta(hours=-5)))
    assert [e.name for e in store.changelog_since(aware)] == ["new", "new"]


def test_project_journal(store, alice, bob):
    store.store_release(alice, "demo", "1.0", ReleaseMetadata())
    store.store_release(bob, "other", "1.0", ReleaseMetadata())
    store.add_role(alice, "Maintainer", "bob", "demo")
    journal = store.project_journal("demo")
    assert [(e.version, e.action) for e in journal] == [
        (None, "create"), (None, "add Owner alice"), ("1.0", "new release"),
        (None, "add Maintainer bob")]
    assert [e.serial for e in journal] == sorted(e.serial for e in journal)
    assert store.project_journal("DEMO") == []


def test_journal_outlives_project(store, alice):
    store.create_project(alice, "demo")
    store.remove_project(alice, "demo")
    assert [e.action for e in store.project_journal("demo")] == [
        "create", "add Owner alice", "remove"]
    assert store.last_serial() == 3
