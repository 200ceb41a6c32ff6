"""argon2 in a child process (``pypi/password_worker.py``): the same hashes and answers as in
the server, a server whose own peak memory does not carry argon2's 64 MiB, and a child that
dies, hangs or cannot start never costing a login."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

from legacy import passwords
from pypi import password_worker
from pypi.password_worker import Argon2Worker


@pytest.fixture
def worker():
    running = Argon2Worker()
    yield running
    running.close()


def test_hashes_made_in_the_child_check_here_and_the_other_way(worker):
    made_there = worker.hash("s3cret")
    assert made_there.startswith("$argon2id$")
    assert passwords.HASHER.verify(made_there, "s3cret")
    made_here = passwords.HASHER.hash("other")
    assert worker.verify(made_here, "other") is True
    assert worker.verify(made_here, "wrong") is False
    assert worker.verify("$argon2id$garbage", "other") is False
    assert not passwords.HASHER.check_needs_rehash(made_there)


def test_check_password_uses_the_worker_and_still_upgrades_legacy_hashes(worker, monkeypatch):
    asked = []
    real_ask = worker._ask
    monkeypatch.setattr(worker, "_ask", lambda request: asked.append(next(iter(request)))
                        or real_ask(request))
    passwords.use_worker(worker)
    try:
        stored = passwords.hash_password("pw")
        assert passwords.check_password("pw", stored) == (True, None)
        assert passwords.check_password("nope", stored) == (False, None)
        ok, upgraded = passwords.check_password("pw", "1a91d62f7ca67399625a4368a6ab5d4a3baa6073")
        assert ok and upgraded.startswith("$argon2id$")       # unsalted SHA-1 of "pw"
    finally:
        passwords.use_worker(None)
    assert asked == ["hash", "verify", "verify", "hash"]


PEAK_SCRIPT = textwrap.dedent("""
    import sys
    from legacy import passwords
    from pypi.password_worker import Argon2Worker

    def peak_kib():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])

    from argon2 import PasswordHasher
    PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("loads the library")
    worker = Argon2Worker() if sys.argv[1] == "child" else None
    passwords.use_worker(worker)
    before = peak_kib()
    for password in ("one", "two"):
        stored = passwords.hash_password(password)
        assert passwords.check_password(password, stored) == (True, None)
    print(peak_kib() - before)
    if worker:
        worker.close()
""")


def _peak_rise_mib(where: str) -> float:
    done = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, where], capture_output=True,
                          text=True, timeout=120, check=True)
    return int(done.stdout.split()[-1]) / 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_the_servers_peak_memory_does_not_carry_argon2():
    assert _peak_rise_mib("here") > 48            # 64 MiB a hash, in this process
    assert _peak_rise_mib("child") < 8


def test_a_child_that_died_is_replaced(worker):
    stored = worker.hash("pw")
    first = worker._child
    first.kill()
    first.wait()
    assert worker.verify(stored, "pw") is True
    assert worker._child is not None and worker._child is not first


def test_without_a_child_the_server_hashes_itself(caplog, monkeypatch):
    broken = Argon2Worker(command=["/nonexistent/python", "-m", "pypi.password_worker"])
    try:
        stored = broken.hash("pw")
        assert broken.verify(stored, "pw") is True
        assert caplog.text.count("password worker could not start") == 1   # not tried again
        monkeypatch.setattr(password_worker, "RETRY_AFTER_S", 0)
        broken._retry_at = 0.0
        broken.hash("pw")
        assert caplog.text.count("password worker could not start") == 2   # after the pause
    finally:
        broken.close()


def test_a_child_that_cannot_run_is_not_started_at_every_login(caplog):
    failing = Argon2Worker(command=[sys.executable, "-c", "raise SystemExit(3)"])
    try:
        stored = failing.hash("pw")
        for _ in range(3):
            assert failing.verify(stored, "pw") is True
    finally:
        failing.close()
    assert caplog.text.count("password worker failed") == 2     # two children, then a pause


def test_a_child_that_does_not_answer_is_given_up(monkeypatch, caplog):
    monkeypatch.setattr(password_worker, "ANSWER_TIMEOUT_S", 0.3)
    silent = Argon2Worker(command=[sys.executable, "-c",
                                   "import sys, time\nfor line in sys.stdin: time.sleep(60)"])
    try:
        stored = passwords.HASHER.hash("pw")
        assert silent.verify(stored, "pw") is True      # answered here after two tries
    finally:
        silent.close()
    assert caplog.text.count("no answer within 0.3 s") == 2


def test_a_child_that_answers_nonsense_is_given_up(caplog):
    chatty = Argon2Worker(command=[sys.executable, "-c",
                                   "import sys\nfor line in sys.stdin: print('{not json', flush=True)"])
    try:
        assert chatty.verify(passwords.HASHER.hash("pw"), "pw") is True
    finally:
        chatty.close()
    assert "password worker failed" in caplog.text


def test_threads_asking_at_once_each_get_their_own_answer(worker):
    stored = {f"user{n}": passwords.HASHER.hash(f"pw{n}") for n in range(4)}
    answers = {}

    def check(name, password):
        answers[(name, password)] = worker.verify(stored[name], password)
    threads = [threading.Thread(target=check, args=(name, password))
               for n, name in enumerate(stored) for password in (f"pw{n}", "wrong")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert answers == {(name, password): password != "wrong"
                       for n, name in enumerate(stored) for password in (f"pw{n}", "wrong")}


def test_the_child_ends_with_the_worker(worker):
    worker.hash("pw")
    child = worker._child
    worker.close()
    assert child.poll() is not None
    assert worker.hash("after close").startswith("$argon2id$")   # made here from now on


def test_a_password_the_hasher_refuses_raises_as_it_would_here(worker):
    stored = worker.hash("pw")
    child = worker._child
    with pytest.raises(UnicodeEncodeError):
        worker.hash("lone \udc80 surrogate")
    assert worker._child is child                 # the child was not at fault
    assert worker.verify(stored, "pw") is True


def test_a_password_longer_than_the_pipe_holds_goes_through_whole(worker):
    long_password = "p" * 200_000        # more than a pipe buffers at once
    stored = worker.hash(long_password)
    assert passwords.HASHER.verify(stored, long_password)
    assert worker.verify(stored, long_password) is True
