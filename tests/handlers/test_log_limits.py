"""The queue warning's limiter: one record a window, the next one counting those held back."""
from __future__ import annotations

import logging

import pytest
from waitress.task import ThreadedTaskDispatcher

from pypi.log_limits import QUEUE_LOGGER, OncePerWindow, limit_queue_warnings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def logged():
    """A logger of its own with a handler that keeps each message passed."""
    logger = logging.getLogger("tests.log_limits")
    kept = Kept()
    logger.addHandler(kept)
    logger.propagate = False
    yield logger, kept
    logger.removeHandler(kept)
    logger.filters.clear()


def test_one_record_a_window_passes_and_the_next_counts_the_rest(logged):
    logger, kept = logged
    clock = Clock()
    logger.addFilter(OncePerWindow(60, clock))
    for depth in range(1, 6):
        logger.warning("Task queue depth is %d", depth)
        clock.now += 10
    assert kept.messages == ["Task queue depth is 1"]
    clock.now += 20            # 70 s after the first: a new window
    logger.warning("Task queue depth is %d", 9)
    assert kept.messages == ["Task queue depth is 1",
                             "Task queue depth is 9 (4 more such warnings since the last one "
                             "logged)"]
    logger.warning("Task queue depth is %d", 2)
    assert len(kept.messages) == 2


def test_a_quiet_window_passes_the_next_record_as_it_is(logged):
    logger, kept = logged
    clock = Clock()
    logger.addFilter(OncePerWindow(60, clock))
    logger.warning("Task queue depth is %d", 1)
    clock.now += 61
    logger.warning("Task queue depth is %d", 2)
    assert kept.messages == ["Task queue depth is 1", "Task queue depth is 2"]


def test_waitress_queue_warnings_are_limited_once_installed():
    """waitress's own dispatcher, with no thread to take its tasks: every task queued warns."""
    queue_logger = logging.getLogger(QUEUE_LOGGER)
    kept = Kept()
    limit_queue_warnings()
    limiter = limit_queue_warnings()     # installed again: still one filter
    queue_logger.addHandler(kept)
    try:
        assert [f for f in queue_logger.filters if isinstance(f, OncePerWindow)] == [limiter]
        dispatcher = ThreadedTaskDispatcher()
        for _ in range(50):
            dispatcher.add_task(object())
        assert kept.messages == ["Task queue depth is 1"]
    finally:
        queue_logger.removeHandler(kept)
        queue_logger.removeFilter(limiter)
