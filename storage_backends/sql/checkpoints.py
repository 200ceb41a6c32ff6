"""WAL checkpoints of a serving SQLite store, on a thread of their own.

By default SQLite checkpoints inside the commit that takes the WAL past 1,000
pages: that commit copies every page in the WAL back into the database file and
syncs both. In a database of 100k projects an upload's inserts land on pages
far apart, and the checkpoint's scattered writes into a file of a GB made a
twine upload cost twice what it cost at 10k projects (5.5 against 2.8 ms in the
process), all of it inside the upload that happened to cross the line. A
serving process therefore turns automatic checkpoints off on its writing
connections and runs a passive checkpoint on its own connection every
``INTERVAL_S`` seconds (one that has nothing to copy costs a few µs): the work
is the same, but no request waits for it, and the GIL is released while it
runs. Other processes on the same database (the CLI, a second server) keep
their own settings; checkpoints of several processes simply take turns.
"""
from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

INTERVAL_S = 0.5


class BackgroundCheckpoints:
    """Started by ``SqlStore.begin_serving`` on a file SQLite engine; ``stop`` checkpoints
    once more and ends the thread."""

    def __init__(self, engine: Engine, interval_s: float = INTERVAL_S):
        self._engine, self._interval_s = engine, interval_s
        self._stopping = threading.Event()
        event.listen(engine, "connect", _no_automatic_checkpoints)
        engine.dispose()    # pooled connections made before now checkpoint on their own
        connection = engine.raw_connection()
        connection.detach()         # ours alone, never back in the pool
        self._connection = connection.dbapi_connection
        self.checkpoints = 0        # passive checkpoints that copied pages (for tests)
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)
        self._thread.start()

    def checkpoint(self) -> tuple[int, int, int]:
        """One passive checkpoint: (busy, frames in the WAL, frames copied), as SQLite gives it."""
        busy, frames, copied = self._connection.execute(
            "PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if copied > 0:
            self.checkpoints += 1
        return busy, frames, copied

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(10)
        try:
            self.checkpoint()
        except Exception:   # at shutdown; SQLite checkpoints at its next open anyway
            log.debug("last checkpoint failed", exc_info=True)
        self._connection.close()
        event.remove(self._engine, "connect", _no_automatic_checkpoints)

    def _run(self) -> None:
        while not self._stopping.wait(self._interval_s):
            try:
                self.checkpoint()
            except Exception:   # a locked or busy database: the next turn tries again
                log.debug("background checkpoint failed", exc_info=True)


def _no_automatic_checkpoints(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")
