"""A serving store's upkeep (``Store.begin_serving``): SQLite checkpoints on a thread of its own.

Every backend takes the call; on a file SQLite database the writing
connections stop checkpointing inside commits and a background thread does it,
so the WAL is still copied back and nothing written is lost.
"""
from __future__ import annotations

import sqlite3
import time

import sqlalchemy as sa

from storage_backends.records import Actor
from storage_backends.sql import open_sql_store


def test_every_backend_takes_begin_serving(store, alice):
    store.begin_serving()
    store.create_project(alice, "served")
    assert store.project_serial("served") is not None


def _autocheckpoint(store) -> int:
    with store.engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()


def _write_many(store, count: int) -> None:
    store.create_user("alice", "alice@example.org", "x")
    for number in range(count):
        store.create_project(Actor("alice"), f"project-{number}")


def test_a_serving_sqlite_store_checkpoints_off_the_commits(tmp_path):
    url = f"sqlite:///{tmp_path / 'pypi.db'}"
    open_sql_store(url, create=True).close()
    store = open_sql_store(url)
    try:
        assert _autocheckpoint(store) == 1000          # SQLite's own, in the commits
        store.begin_serving()
        assert _autocheckpoint(store) == 0
        _write_many(store, 300)
        deadline = time.monotonic() + 10
        while store._checkpoints.checkpoints == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store._checkpoints.checkpoints > 0
        thread = store._checkpoints._thread
    finally:
        store.close()
    assert not thread.is_alive()
    with sqlite3.connect(tmp_path / "pypi.db") as raw:   # everything is in the database file
        assert raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[0] == 0
        assert raw.execute("SELECT count(*) FROM packages").fetchone()[0] == 300
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_other_stores_on_the_database_keep_their_own_checkpoints(tmp_path):
    url = f"sqlite:///{tmp_path / 'pypi.db'}"
    serving = open_sql_store(url, create=True)
    other = open_sql_store(url)
    try:
        serving.begin_serving()
        assert _autocheckpoint(serving) == 0 and _autocheckpoint(other) == 1000
    finally:
        serving.close()
        other.close()


def _page_cache_setting(store) -> int:
    with store.engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA cache_size").scalar()


def test_a_serving_sqlite_store_keeps_a_smaller_page_cache_per_connection(tmp_path):
    url = f"sqlite:///{tmp_path / 'pypi.db'}"
    open_sql_store(url, create=True).close()
    store = open_sql_store(url)
    try:
        assert _page_cache_setting(store) == -2000     # SQLite's default, for bulk loads
        store.begin_serving()
        assert _page_cache_setting(store) == -512
        assert store._reads.rows(sa.text("PRAGMA cache_size"))[0][0] == -512
    finally:
        store.close()
