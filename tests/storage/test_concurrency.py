"""Concurrent writers: every write lands, serials follow commit order without gaps."""
from __future__ import annotations

import threading

from storage_backends.records import ReleaseMetadata

from .samples import new_file

THREADS, WRITES = 8, 10


def test_concurrent_writers(store, alice):
    for t in range(THREADS):
        store.create_project(alice, f"p{t}")
    start = store.last_serial()
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            barrier.wait()
            for i in range(WRITES // 2):
                store.store_release(alice, f"p{t}", f"1.{i}", ReleaseMetadata(summary=f"{t}.{i}"))
                store.add_file(alice, new_file(f"p{t}", f"1.{i}", f"p{t}-1.{i}.tar.gz"))
        except BaseException as err:                 # reported by the main thread
            errors.append(err)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    entries = store.changelog_since_serial(start)
    assert [e.serial for e in entries] == list(range(start + 1, start + THREADS * WRITES + 1))
    assert store.last_serial() == start + THREADS * WRITES
    for t in range(THREADS):
        name = f"p{t}"
        assert [r.version for r in store.list_releases(name)] == [
            f"1.{i}" for i in reversed(range(WRITES // 2))]
        assert len(store.list_files(name)) == WRITES // 2
        mine = [e for e in entries if e.name == name]
        assert [e.action for e in mine] == [
            action for i in range(WRITES // 2)
            for action in ("new release", f"add source file {name}-1.{i}.tar.gz")]
        assert store.get_project(name).last_serial == mine[-1].serial
