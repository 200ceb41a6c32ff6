"""Serial-counter write rate of the App Engine backend on the SDK's file stub.

Every write transaction reads and writes the one ``Serial`` entity, so this
rate bounds the index's write throughput. Prints journalled writes per second
for one thread and for four threads, at an empty and at a fuller datastore
(the stub rewrites its whole file per commit, so the rate falls as it grows).

    .venv/bin/python bench/gae_serial_rate.py [WRITES]
"""
from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

from storage_backends.gae import open_gae_store
from storage_backends.records import Actor


def _rate(store, writes: int, threads: int, prefix: str) -> float:
    actor = Actor(None, "127.0.0.1")
    each = writes // threads

    def work(t: int) -> None:
        for i in range(each):
            store.create_project(actor, f"{prefix}-{t}-{i}")   # one journal row, one serial

    started = time.perf_counter()
    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return each * threads / (time.perf_counter() - started)


def main() -> None:
    writes = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    with tempfile.TemporaryDirectory() as tmp:
        store = open_gae_store(Path(tmp) / "bench.pickle", create=True)
        try:
            print(f"1 thread,  empty datastore : {_rate(store, writes, 1, 'a'):7.1f} writes/s")
            print(f"4 threads, {writes} projects   : {_rate(store, writes, 4, 'b'):7.1f} writes/s")
            for _ in range(4):
                _rate(store, writes, 4, f"fill{_}")
            print(f"1 thread,  {store.last_serial()} serials    : "
                  f"{_rate(store, writes, 1, 'c'):7.1f} writes/s")
        finally:
            store.close()


if __name__ == "__main__":
    main()
