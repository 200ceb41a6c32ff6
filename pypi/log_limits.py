"""Waitress's queue warning let through once a minute, with a count of the ones held back.

Under steady load waitress warns "Task queue depth is N" each time a request
has to wait for a free thread: nearly every request then (about 1,700 lines a
second in the benchmark at 1k projects), lines which fill the disk and which
the loop thread, the one that reads every request, formats and writes. What
an operator needs from it is that the server is saturated, and how often: one
line a minute that says so, and how many it stands for, tells that.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

QUEUE_LOGGER = "waitress.queue"
WINDOW_S = 60.0


class OncePerWindow(logging.Filter):
    """Passes the first record of each window; the next record passed counts those held back."""

    def __init__(self, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.window_s, self._clock = window_s, clock
        self._opened: float | None = None
        self._held_back = 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        now = self._clock()
        with self._lock:
            if self._opened is not None and now - self._opened < self.window_s:
                self._held_back += 1
                return False
            held_back, self._held_back, self._opened = self._held_back, 0, now
        if held_back:
            record.msg = (f"{record.getMessage()} ({held_back} more such warnings since the "
                          "last one logged)")
            record.args = ()
        return True


def limit_queue_warnings(window_s: float = WINDOW_S) -> OncePerWindow:
    """Put a ``OncePerWindow`` on waitress's queue logger, in place of any put there before."""
    queue_logger = logging.getLogger(QUEUE_LOGGER)
    for earlier in [f for f in queue_logger.filters if isinstance(f, OncePerWindow)]:
        queue_logger.removeFilter(earlier)
    limiter = OncePerWindow(window_s)
    queue_logger.addFilter(limiter)
    return limiter
