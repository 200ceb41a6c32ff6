"""argon2 hashing in a child process of `pypi serve`, one hash at a time.

Each argon2 hash or check takes 64 MiB (argon2-cffi's RFC 9106 parameters,
which we keep). Done in the server, every login would raise the server's peak
memory by that much, and four threads logging in at once by four times that;
at 100k projects it is what took the server past 150 MB. In a child process the
64 MiB are the child's, returned to the system after each hash, and a flood of
logins costs 64 MiB, never more.

The child reads one JSON request a line on stdin and answers one JSON line on
stdout: ``{"hash": password}`` gives ``{"hash": ...}``, ``{"verify": [stored,
password]}`` gives ``{"ok": bool}``. Passwords travel over the pipe only,
never in arguments or the environment. A child that dies, or does not answer
within ``ANSWER_TIMEOUT_S``, is replaced once; when that one fails too, or no
child can be started, hashes are made in this process, as without the worker,
for ``RETRY_AFTER_S`` before a child is tried again.
"""
from __future__ import annotations

import importlib
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time

log = logging.getLogger(__name__)
ANSWER_TIMEOUT_S = 30
RETRY_AFTER_S = 60       # after children that failed twice in a row, or could not start


class Argon2Worker:
    """``hash`` and ``verify`` as ``argon2.PasswordHasher`` has them, run in the child."""

    def __init__(self, command: list[str] | None = None):
        self._command = command or [sys.executable, "-m", "pypi.password_worker"]
        self._lock = threading.Lock()
        self._child: subprocess.Popen | None = None
        self._closed = False
        self._retry_at = 0.0    # no child is started before then (the last ones failed)

    def start(self) -> None:
        """Start the child now (``pypi serve`` does, before it serves), so that the first
        login pays for argon2 alone, not also for a Python start-up and argon2's import:
        that was a quarter of it here (215 against 160 ms)."""
        with self._lock:
            self._running()

    def hash(self, password: str) -> str:
        return self._ask({"hash": password})["hash"]

    def verify(self, stored: str, password: str) -> bool:
        return bool(self._ask({"verify": [stored, password]})["ok"])

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._stop()

    def _ask(self, request: dict) -> dict:
        line = json.dumps(request).encode("utf-8") + b"\n"
        with self._lock:
            for attempt in (1, 2):
                child = self._running()
                if child is None:
                    break
                try:
                    _write_all(child.stdin, line)
                    answer = json.loads(_read_line(child.stdout, ANSWER_TIMEOUT_S))
                except (OSError, EOFError, ValueError, TimeoutError) as err:
                    log.warning("password worker failed (%s); %s", err,
                                "starting another" if attempt == 1 else
                                f"hashing here for {RETRY_AFTER_S} s")
                    self._stop()
                    if attempt == 2:
                        self._retry_at = time.monotonic() + RETRY_AFTER_S
                    continue
                if "error" not in answer:
                    return answer
                break    # the request itself is at fault: here it raises what it raised there
        return _answer(request)

    def _running(self) -> subprocess.Popen | None:
        if self._child is not None:
            if self._child.poll() is None:
                return self._child
            self._stop()      # it ended: close its pipes before another starts
        if self._closed or time.monotonic() < self._retry_at:
            return None
        try:
            # unbuffered: select() then sees every byte the child wrote
            self._child = subprocess.Popen(self._command, stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, bufsize=0, close_fds=True)
        except OSError as err:
            log.warning("password worker could not start (%s); hashing here for %s s",
                        err, RETRY_AFTER_S)
            self._child, self._retry_at = None, time.monotonic() + RETRY_AFTER_S
        return self._child

    def _stop(self) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        try:
            child.stdin.close()     # the child ends at the end of its input
            child.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            child.kill()
            child.wait()
        finally:
            child.stdout.close()


def _write_all(stream, data: bytes) -> None:
    """A raw pipe may take part of a long line (a signal in between): write the rest too."""
    view = memoryview(data)
    while view:
        view = view[stream.write(view):]


def _read_line(stream, timeout: float) -> bytes:
    """One line from the child, waiting at most ``timeout`` seconds for it to start."""
    ready, _, _ = select.select([stream], [], [], timeout)
    if not ready:
        raise TimeoutError(f"no answer within {timeout:g} s")
    line = stream.readline()
    if not line.endswith(b"\n"):
        raise EOFError("the worker ended") if not line else ValueError("half an answer")
    return line


def _answer(request: dict) -> dict:
    """What the child answers: the same code, run wherever it is called."""
    from argon2.exceptions import InvalidHashError, VerificationError

    from legacy.passwords import HASHER
    if "hash" in request:
        return {"hash": HASHER.hash(request["hash"])}
    stored, password = request["verify"]
    try:
        return {"ok": HASHER.verify(stored, password)}
    except (VerificationError, InvalidHashError):
        return {"ok": False}


def main() -> int:
    """The child: answer each request line until stdin ends (the server's end, however it
    ended: the child ignores Ctrl-C, which its terminal sends the server too)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    importlib.import_module("legacy.passwords")   # argon2 and bcrypt, before the first request
    out = os.fdopen(sys.stdout.fileno(), "wb", buffering=0, closefd=False)
    for line in sys.stdin.buffer:
        try:
            answer = _answer(json.loads(line))
        except (ValueError, KeyError, TypeError) as err:
            answer = {"error": str(err)}
        out.write(json.dumps(answer).encode("utf-8") + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
