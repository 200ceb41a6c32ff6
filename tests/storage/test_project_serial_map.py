"""Every project's serial held in memory on SQLite (``sql/project_serials.py``): the same
answers as the statement, after changes made by this store or by another process, and
no statement while nothing was committed."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from storage_backends.records import Actor, ReleaseMetadata
from storage_backends.sql import open_sql_store
from storage_backends.sql import project_serials
from storage_backends.sql.fast_reads import SPELLINGS
from storage_backends.sql.project_serials import ASK, SerialTable

ALICE = Actor("alice", "127.0.0.1")


# -- the table -----------------------------------------------------------------------------
def test_table_answers_each_name_with_its_spelling_and_serial():
    table = SerialTable.of([("demo", "demo", 4), ("zope-interface", "zope.interface", 9),
                            ("pyyaml", "PyYAML", None), ("émile", "Émile", 12)])
    assert table.get("demo") == ("demo", 4)
    assert table.get("zope-interface") == ("zope.interface", 9)
    assert table.get("pyyaml") == ("PyYAML", 0)
    assert table.get("émile") == ("Émile", 12)
    assert table.get("other") is None and len(table) == 4


def test_table_leaves_a_name_of_several_spellings_to_the_statement():
    table = SerialTable.of([("demo-pkg", "Demo_Pkg", 3), ("demo-pkg", "demo.pkg", 5),
                            ("other", "other", 1)])
    assert table.get("demo-pkg") is None
    assert table.get("other") == ("other", 1)
    table.set("demo-pkg", [("Demo_Pkg", 3)])     # one spelling left, but the table keeps asking
    assert table.get("demo-pkg") is None


def test_table_set_adds_changes_and_removes_names():
    table = SerialTable.of([("b", "b", 1)])
    for key in ("d", "a", "c"):
        table.set(key, [(key.upper(), 10)])
    assert [table.get(key) for key in "abcd"] == [("A", 10), ("b", 1), ("C", 10), ("D", 10)]
    table.set("b", [("B", 11)])
    table.set("c", [])
    assert table.get("b") == ("B", 11) and table.get("c") is None and len(table) == 3
    table.set("a", [("A", 12), ("a", 13)])          # a second spelling appeared
    assert table.get("a") is None and table.get("d") == ("D", 10)


def test_names_that_share_a_hash_are_left_to_the_statement(monkeypatch):
    hashes = {"x": 7, "y": 7, "long": 3, "four": 5, "five": 5}
    monkeypatch.setattr(project_serials, "hash", hashes.__getitem__, raising=False)
    table = SerialTable.of([("x", "x", 1), ("y", "y", 2), ("long", "long", 3)])
    assert table.get("x") is None and table.get("y") is None
    assert table.get("long") == ("long", 3)
    table.set("x", [("x", 4)])
    assert table.get("x") is None
    table.set("four", [("four", 5)])
    assert table.get("four") == ("four", 5)
    # A name added later under a hash that another name holds: the CRC tells them apart.
    table.set("five", [("five", 6)])
    assert table.get("five") is None and table.get("four") is None


def test_a_spelling_too_long_to_keep_is_left_to_the_statement():
    long_name = "a" * (project_serials.MAX_SPELLING + 1)
    table = SerialTable.of([(long_name, long_name.upper(), 1)])
    assert table.get(long_name) is None
    assert ASK < 0


# -- kept current from the journal --------------------------------------------------------
@pytest.fixture
def stores(tmp_path: Path):
    """Two stores on one SQLite file: this server process and another one."""
    url = f"sqlite:///{tmp_path / 'pypi.db'}"
    ours = open_sql_store(url, create=True)
    ours.create_user("alice", "alice@example.org", "hash-a")
    theirs = open_sql_store(url)
    yield ours, theirs
    theirs.close()
    ours.close()


def _statement_answer(store, name):
    rows = store._reads.rows(SPELLINGS, key=project_serials.normalize_name(name))
    chosen = next((row for row in rows if row[0] == name), None) or (min(rows) if rows else None)
    return (chosen[0], chosen[1] or 0) if chosen else None


def test_answers_follow_another_processes_changes(stores):
    ours, theirs = stores
    names = ["Demo_Pkg", "zope.interface", "plain", "Ünïcode"]
    for name in names:
        theirs.store_release(ALICE, name, "1.0", ReleaseMetadata())
    assert ours._project_serials().wait_loaded(30)
    for name in names:
        assert ours.project_serial(name) == _statement_answer(ours, name)
    before = {name: ours.project_serial(name) for name in names}
    theirs.store_release(ALICE, "plain", "2.0", ReleaseMetadata())
    theirs.set_release_hidden(ALICE, "Demo_Pkg", "1.0", True)
    theirs.store_release(ALICE, "newcomer", "1.0", ReleaseMetadata())
    theirs.remove_project(ALICE, "zope.interface")
    for name in [*names, "newcomer", "DEMO-pkg", "Zope_Interface"]:
        assert ours.project_serial(name) == _statement_answer(ours, name)
    assert ours.project_serial("plain")[1] > before["plain"][1]
    assert ours.project_serial("Demo_Pkg")[1] > before["Demo_Pkg"][1]
    assert ours.project_serial("Ünïcode") == before["Ünïcode"]
    assert ours.project_serial("zope-interface") is None


def test_no_statement_while_nothing_is_committed(stores, monkeypatch):
    ours, theirs = stores
    theirs.store_release(ALICE, "demo", "1.0", ReleaseMetadata())
    assert ours.project_serial("demo") == ("demo", theirs.last_serial())
    assert ours._project_serials().wait_loaded(30)
    statements = []
    real_rows = ours._reads.rows
    monkeypatch.setattr(ours._reads, "rows", lambda *a, **k: statements.append(a) or real_rows(*a, **k))
    for _ in range(3):
        assert ours.project_serial("demo") == ("demo", theirs.last_serial())
    assert statements == []
    theirs.store_release(ALICE, "demo", "1.1", ReleaseMetadata())
    assert ours.project_serial("demo") == ("demo", theirs.last_serial())
    assert len(statements) == 3      # the serial, the changed names, the one changed project
    statements.clear()
    assert ours.project_serial("demo") == ("demo", theirs.last_serial())
    assert statements == []


def test_many_changes_are_read_again_whole(stores, monkeypatch):
    ours, theirs = stores
    theirs.store_release(ALICE, "first", "1.0", ReleaseMetadata())
    assert ours._project_serials().wait_loaded(30)
    monkeypatch.setattr(project_serials, "RELOAD_ABOVE", 2)
    loads = []
    real_load = ours._serials._load
    monkeypatch.setattr(ours._serials, "_load", lambda: loads.append(1) or real_load())
    for name in ("a", "b", "c"):
        theirs.store_release(ALICE, name, "1.0", ReleaseMetadata())
    assert [ours.project_serial(name) for name in "abc"] == [
        _statement_answer(ours, name) for name in "abc"]
    assert loads == [1]


def test_an_older_database_in_its_place_is_read_again_whole(tmp_path):
    url = f"sqlite:///{tmp_path / 'pypi.db'}"
    ours = open_sql_store(url, create=True)
    ours.create_user("alice", "alice@example.org", "hash-a")
    try:
        ours.store_release(ALICE, "kept", "1.0", ReleaseMetadata())
        for version in ("1.0", "2.0", "3.0"):
            ours.store_release(ALICE, "gone", version, ReleaseMetadata())
        serials = ours._project_serials()
        assert serials.wait_loaded(30)
        serials._serial += 10     # as if the map had seen a newer database than the one now
        serials._token = None
        serials._known.set("stale", [("stale", 1)])
        assert ours.project_serial("kept") == _statement_answer(ours, "kept")
        assert serials._serial == ours.last_serial() and serials._known.get("stale") is None
    finally:
        ours.close()


def test_a_failing_map_falls_back_to_the_statement(stores, monkeypatch, caplog):
    ours, theirs = stores
    theirs.store_release(ALICE, "demo", "1.0", ReleaseMetadata())
    assert ours._project_serials().wait_loaded(30)

    def broken(token):
        raise OSError("no memory map")
    monkeypatch.setattr(ours._serials, "_current", broken)
    theirs.store_release(ALICE, "demo", "1.1", ReleaseMetadata())
    assert ours.project_serial("demo") == ("demo", theirs.last_serial())
    assert "project serials in memory failed" in caplog.text


@pytest.mark.parametrize("why", ["no change token", "a legacy process journals too"])
def test_no_map_where_it_could_not_be_kept_current(stores, monkeypatch, why):
    ours, theirs = stores
    if why == "no change token":
        monkeypatch.setattr(ours, "change_token", lambda: None)
    else:
        monkeypatch.setattr(ours, "_shared_with_legacy", lambda: True)
    theirs.store_release(ALICE, "demo", "1.0", ReleaseMetadata())
    assert ours.project_serial("demo") == ("demo", theirs.last_serial())
    assert ours._project_serials() is None


def test_the_first_read_of_all_projects_keeps_no_request_waiting(stores, monkeypatch):
    ours, theirs = stores
    theirs.store_release(ALICE, "demo", "1.0", ReleaseMetadata())
    serials = ours._project_serials()
    release = threading.Event()
    real_load = serials._load
    monkeypatch.setattr(serials, "_load", lambda: release.wait(30) and real_load())
    assert ours.project_serial("demo") == ("demo", theirs.last_serial())   # read meanwhile
    assert not serials.wait_loaded(0.05)
    release.set()
    assert serials.wait_loaded(30)
    assert serials.get("demo", ours.change_token()) == ("demo", theirs.last_serial())


def test_a_failed_first_read_is_tried_again_later(stores, monkeypatch, caplog):
    ours, theirs = stores
    theirs.store_release(ALICE, "demo", "1.0", ReleaseMetadata())
    serials = ours._project_serials()
    real_load = serials._load

    def failing():
        raise OSError("disk gone")
    monkeypatch.setattr(serials, "_load", failing)
    assert not serials.wait_loaded(30)
    assert "reading every project's serial failed" in caplog.text
    monkeypatch.setattr(serials, "_load", real_load)
    assert not serials.wait_loaded(30)          # not at once
    monkeypatch.setattr(project_serials, "RETRY_AFTER_S", 0)
    assert serials.wait_loaded(30)


def test_a_change_never_shows_half_done_to_a_reader(stores):
    """Readers holding the older token go on reading the table while it is brought up to
    date: a new name goes to a copy that then replaces it, so the table they read never
    changes its rows under them (one column shifted by an insert and the next not yet)."""
    ours, theirs = stores
    theirs.store_release(ALICE, "m-demo", "1.0", ReleaseMetadata())
    serials = ours._project_serials()
    assert serials.wait_loaded(30)
    assert ours.project_serial("m-demo") == ("m-demo", theirs.last_serial())
    before = serials._known

    def layout(table):
        return [bytes(table._hashes), bytes(table._checks), bytes(table._spelt),
                bytes(table._spellings)]
    snapshot, old_serials = layout(before), list(before._serials)
    theirs.store_release(ALICE, "a-new", "1.0", ReleaseMetadata())
    theirs.store_release(ALICE, "m-demo", "2.0", ReleaseMetadata())
    assert ours.project_serial("m-demo") == ("m-demo", theirs.last_serial())
    assert ours.project_serial("a-new") == _statement_answer(ours, "a-new")
    assert serials._known is not before
    assert layout(before) == snapshot          # the old table kept its rows where they were
    assert before.get("a-new") is None
    # only a serial may have moved on in it, never back
    assert all(new >= old for new, old in zip(before._serials, old_serials))


def test_a_new_serial_alone_is_written_in_place():
    table = SerialTable.of([("demo", "Demo", 3), ("other", "other", 4)])
    assert table.moved_on("demo", [("Demo", 9)]) and table.get("demo") == ("Demo", 9)
    assert not table.moved_on("demo", [("DEMO", 10)])          # a new spelling
    assert not table.moved_on("demo", [])                      # gone
    assert not table.moved_on("new", [("new", 1)])             # not held
    assert not table.moved_on("demo", [("Demo", 11), ("demo", 12)])
    assert table.get("demo") == ("Demo", 9) and table.get("other") == ("other", 4)
