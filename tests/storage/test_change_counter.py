"""The change counter (``sql/change_counter.py``): a PostgreSQL or MariaDB store whose writers
all count their writes in one file knows without a round trip that nothing was committed,
and never that when something was, whichever process wrote, or died while writing."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

from storage_backends.records import Actor, ReleaseMetadata
from storage_backends.sql import open_sql_store
from storage_backends.sql.change_counter import COUNTERS, ChangeCounter

from .conftest import open_or_skip
from .samples import release_in_another_process

ALICE = Actor("alice", "127.0.0.1")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# -- the counter on its own ---------------------------------------------------------------
def test_token_holds_until_a_write_begins_and_never_comes_back(tmp_path):
    counter = ChangeCounter(tmp_path / "counter")
    first = counter.token()
    assert counter.token() is first
    with counter.writing():
        inside = counter.token()
        assert inside != first and inside != counter.token()   # equal to nothing, itself included
    after = counter.token()
    assert after != first and counter.token() is after
    with counter.writing():
        pass
    assert counter.token() not in (first, after)
    counter.close()


def test_a_failed_write_is_counted_to_its_end_too(tmp_path):
    counter = ChangeCounter(tmp_path / "counter")
    before = counter.token()
    with pytest.raises(RuntimeError), counter.writing():
        raise RuntimeError("rolled back")
    after = counter.token()
    assert after != before and counter.token() is after     # not stuck "in flight"
    counter.close()


def test_a_counter_opened_elsewhere_sees_the_writes(tmp_path):
    ours, theirs = ChangeCounter(tmp_path / "counter"), ChangeCounter(tmp_path / "counter")
    before = ours.token()
    with theirs.writing():
        assert ours.token() != before
    assert ours.token() != before and ours.token() == theirs.token()
    ours.close(), theirs.close()


def test_overlapping_writers_in_threads_end_balanced(tmp_path):
    counter = ChangeCounter(tmp_path / "counter")
    start = threading.Barrier(8)

    def write() -> None:
        start.wait()
        for _ in range(50):
            with counter.writing():
                pass

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    begun, ended = COUNTERS.unpack_from((tmp_path / "counter").read_bytes(), 0)
    assert begun == ended == 400
    counter.close()


def _writer_process(path, hold: str) -> subprocess.Popen:
    """A process that begins a counted write and then waits (to be killed, or for stdin)."""
    code = textwrap.dedent(f"""
        import sys
        from storage_backends.sql.change_counter import ChangeCounter
        counter = ChangeCounter(sys.argv[1])
        with counter.writing():
            print("writing", flush=True)
            {hold}
    """)
    process = subprocess.Popen([sys.executable, "-c", code, str(path)], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "writing\n"
    return process


def _kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stdin.close()
    process.stdout.close()


def test_a_writer_that_died_mid_write_is_repaired_by_the_next_one(tmp_path):
    counter = ChangeCounter(tmp_path / "counter")
    before = counter.token()
    dead = _writer_process(tmp_path / "counter", "sys.stdin.read()")
    _kill(dead)
    assert counter.token() != before and counter.token() != counter.token()   # readers ask
    with counter.writing():
        pass
    after = counter.token()
    assert counter.token() is after and after != before
    counter.close()


def test_a_server_started_after_a_crash_repairs_the_counter(tmp_path):
    dead = _writer_process(tmp_path / "counter", "sys.stdin.read()")
    _kill(dead)
    counter = ChangeCounter(tmp_path / "counter")
    assert counter.token() is counter.token()
    counter.close()


def test_a_live_writer_elsewhere_is_never_taken_for_a_dead_one(tmp_path):
    counter = ChangeCounter(tmp_path / "counter")
    live = _writer_process(tmp_path / "counter", "sys.stdin.read()")
    try:
        with counter.writing():     # may not "repair" the live writer's count
            pass
        assert counter.token() != counter.token()
        reopened = ChangeCounter(tmp_path / "counter")
        assert reopened.token() != reopened.token()
        reopened.close()
    finally:
        live.stdin.close()
        assert live.wait(timeout=30) == 0
        live.stdout.close()
    after = counter.token()
    assert counter.token() is after
    counter.close()


# -- a server database's store --------------------------------------------------------------
@pytest.fixture(params=["postgresql", "mariadb"])
def counted(request, tmp_path, _server_databases):
    """Two stores on one server database that count their writes in one file."""
    plain = open_or_skip(request.param, tmp_path)
    url = plain.engine.url.render_as_string(hide_password=False)
    plain.close()
    stores = [open_sql_store(url, change_counter=tmp_path / "counter") for _ in range(2)]
    stores[0].create_user("alice", "alice@example.org", "hash-a")
    yield stores
    for store in stores:
        store.close()


@pytest.mark.parametrize("backend", ["postgresql", "mariadb"])
def test_a_server_store_has_no_token_without_a_counter(backend, tmp_path, _server_databases):
    plain = open_or_skip(backend, tmp_path)
    try:
        assert plain.change_token() is None
        assert plain._project_serials() is None
    finally:
        plain.close()


def test_store_token_holds_through_reads_and_moves_with_any_stores_write(counted):
    ours, theirs = counted
    ours.store_release(ALICE, "demo", "1.0", ReleaseMetadata())
    before = ours.change_token()
    assert before is not None and theirs.change_token() == before
    ours.last_serial(), ours.project_serial("demo"), ours.list_project_names()
    assert ours.change_token() == before
    theirs.store_release(ALICE, "demo", "2.0", ReleaseMetadata())
    assert ours.change_token() != before
    assert ours.project_serial("demo") == ("demo", theirs.last_serial())


def test_project_serials_in_memory_follow_the_other_stores_writes(counted):
    ours, theirs = counted
    ours.store_release(ALICE, "demo", "1.0", ReleaseMetadata())
    serials = ours._project_serials()
    assert serials is not None and serials.wait_loaded(60)
    for version in ("1.1", "1.2", "1.3"):
        theirs.store_release(ALICE, "demo", version, ReleaseMetadata())
        theirs.create_project(ALICE, f"new-{version}")
        assert ours.project_serial("demo") == ("demo", theirs.project_serial("demo")[1])
        assert ours.project_serial(f"new-{version}") == theirs.project_serial(f"new-{version}")
    theirs.remove_project(ALICE, "new-1.1")
    assert ours.project_serial("new-1.1") is None


def test_a_store_shared_with_legacy_ignores_its_counter(counted, monkeypatch):
    ours, _ = counted
    monkeypatch.setattr(ours, "_shared_with_legacy", lambda: True)
    assert ours.change_token() is None


def test_a_write_by_another_process_moves_the_token(counted, tmp_path):
    ours, _ = counted
    ours.store_release(ALICE, "demo", "1.0", ReleaseMetadata())
    before = ours.change_token()
    release_in_another_process(ours.engine.url.render_as_string(hide_password=False),
                               "demo", "2.0", change_counter=tmp_path / "counter")
    assert ours.change_token() != before
    assert ours.project_serial("demo") == ("demo", ours.last_serial())
