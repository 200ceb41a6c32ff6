"""A waitress task dispatcher that can give the project pages of the simple index their own thread.

Answering ``/simple/<name>/`` once took a few dozen µs of Python around a few
system calls (the page file, the serial read), each releasing the GIL: with
several worker threads answering such requests at once, each release handed the
GIL to another worker, and on two cores four threads served about 40% fewer of
these pages per second than one thread did (docs/benchmarks.md). A page now
costs no such call (the pack keeps the GIL, the serials are in memory), and on a
machine where waking a thread is slow a lane of one thread was six times slower
than the pool. So the lane is off unless ``[server] index_threads`` asks for
it (``Config.index_threads``): then GET and HEAD of a project page of the
simple index go to a lane of their own and everything else to the usual pool;
each side keeps its own queue, and neither waits for the other.
"""
from __future__ import annotations

import threading

from waitress.task import ThreadedTaskDispatcher

LANE_METHODS = ("GET", "HEAD")


class _WaitingIsNormal:
    """The lane's queue logger: waitress warns whenever requests wait for a thread, which in a
    lane of one thread is how it works, not an overload."""

    def warning(self, *args) -> None:
        pass


class _NamedDispatcher(ThreadedTaskDispatcher):
    """waitress's dispatcher, its threads named after their side (they show in tracebacks)."""

    def __init__(self, name: str, quiet_queue: bool = False):
        super().__init__()
        self.name = name
        if quiet_queue:
            self.queue_logger = _WaitingIsNormal()

    def start_new_thread(self, target, thread_no):
        thread = threading.Thread(target=target, name=f"{self.name}-{thread_no}", args=(thread_no,))
        thread.daemon = True
        thread.start()


class IndexLaneDispatcher:
    """Routes each request to the index lane or the general pool by its method and path.

    Offers what waitress asks of a dispatcher: ``set_thread_count`` (the pool's
    size; the lane's is fixed), ``add_task`` and ``shutdown``.
    """

    def __init__(self, simple_script: str, lane_threads: int):
        self.prefix = simple_script.rstrip("/") + "/"
        self.lane_threads = lane_threads
        self.lane = _NamedDispatcher("index", quiet_queue=True)
        self.pool = _NamedDispatcher("waitress")

    def set_thread_count(self, count: int) -> None:
        self.pool.set_thread_count(count)
        self.lane.set_thread_count(self.lane_threads)

    def add_task(self, task) -> None:
        (self.lane if self.in_lane(task.request) else self.pool).add_task(task)

    def in_lane(self, request) -> bool:
        """A project page of the simple index (not the whole index, which may take a while
        to build): ``<simple>/<name>/`` and the redirects of its other spellings."""
        path = getattr(request, "path", "")
        return (self.lane_threads > 0 and getattr(request, "command", None) in LANE_METHODS
                and getattr(request, "error", None) is None
                and path.startswith(self.prefix) and len(path) > len(self.prefix))

    def shutdown(self, cancel_pending: bool = True, timeout: float = 5) -> bool:
        lane_done = self.lane.shutdown(cancel_pending, timeout)
        return self.pool.shutdown(cancel_pending, timeout) and lane_done
