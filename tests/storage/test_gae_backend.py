"""What only the App Engine backend needs: fresh reads across threads and processes, file checks.

The conformance suite covers the interface; these cover the choices
``storage_backends/gae/runtime.py`` explains (no ndb cache, a process lock,
reload when another process wrote the file, refusal of bad files).
"""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from storage_backends.errors import SchemaMissing, ServiceUnavailable
from storage_backends.records import Actor, ReleaseMetadata

gae = pytest.importorskip("storage_backends.gae.sdk", reason="the gae extra is not installed")
from storage_backends.gae import open_gae_store  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
WRITER = """
import sys
from storage_backends.gae import open_gae_store
from storage_backends.records import Actor, ReleaseMetadata
store = open_gae_store(sys.argv[1])
for i in range(int(sys.argv[3])):
    store.store_release(Actor("alice"), sys.argv[2], f"1.{i}", ReleaseMetadata())
store.close()
"""


@pytest.fixture
def datastore(tmp_path):
    path = tmp_path / "datastore.pickle"
    store = open_gae_store(path, create=True)
    store.create_user("alice", "alice@example.org", "hash")
    yield path, store
    store.close()


def test_other_thread_sees_writes_at_once(datastore):
    """ndb's per-thread context cache is off: a reader thread never serves a stale counter."""
    _, store = datastore
    seen, go, done = [], threading.Event(), threading.Event()

    def reader():
        seen.append(store.last_serial())          # warms this thread's ndb context
        go.set()
        done.wait()
        seen.append(store.last_serial())
        seen.append(store.get_project("demo").last_serial)

    thread = threading.Thread(target=reader)
    thread.start()
    go.wait()
    store.store_release(Actor("alice"), "demo", "1.0", ReleaseMetadata())
    done.set()
    thread.join()
    assert seen == [0, 3, 3]


def test_processes_share_one_file(datastore):
    """Another process's writes are seen, and interleaved writers keep serials dense."""
    path, store = datastore
    store.store_release(Actor("alice"), "mine", "1.0", ReleaseMetadata())
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(path), "theirs", "5"],
                             cwd=ROOT)
    for i in range(1, 6):
        store.store_release(Actor("alice"), "mine", f"1.{i}", ReleaseMetadata())
    assert child.wait(timeout=120) == 0
    entries = store.changelog_since_serial(0)
    assert [e.serial for e in entries] == list(range(1, 3 + 5 + 2 + 5 + 1))
    assert {e.name for e in entries} == {"mine", "theirs"}
    assert len(store.list_releases("theirs")) == 5 and len(store.list_releases("mine")) == 6


def test_missing_corrupt_and_uninitialised_files(tmp_path):
    with pytest.raises(ServiceUnavailable, match="does not exist"):
        open_gae_store(tmp_path / "missing.pickle")
    corrupt = tmp_path / "corrupt.pickle"
    corrupt.write_bytes(b"this is not a pickle")
    with pytest.raises(ServiceUnavailable, match="corrupt"):
        open_gae_store(corrupt)
    empty = tmp_path / "empty.pickle"
    empty.touch()
    with pytest.raises(SchemaMissing, match="initdb"):
        open_gae_store(empty)


def test_one_open_datastore_per_process(datastore, tmp_path):
    with pytest.raises(ServiceUnavailable, match="already has the datastore"):
        open_gae_store(tmp_path / "second.pickle", create=True)
