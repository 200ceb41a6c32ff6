"""Fuzzing the whole app in-process: random requests never get a 5xx or a traceback,
log no error, and leave the store consistent.

Five request families (``fuzz_requests``): uploads (of files and docs), distutils register forms,
XML-RPC calls, the URL space with query strings, and headers and cookies on
known pages. Every response is checked as it comes (``Checked.send``); after
every example that changed something the store is checked (``StoreChecker``),
and once more in full at the end. The runs are deterministic (``derandomize``,
no example database), so CI sees the same requests every time. The default
run sends about 10,000 requests; ``PYPI_FULL_FUZZ=1`` five times as many. The
number sent is recorded per test (``fuzz_requests``) and summed in the
terminal summary.
"""
from __future__ import annotations

import dataclasses
import logging
import os
from collections import Counter
from pathlib import Path

import pytest
import webtest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from webob import Request
from webtest import lint

from legacy import passwords, sessions
from storage_backends.records import ADMIN, Actor, ReleaseMetadata
from tests.conftest import PASSWORD

from .fuzz_requests import (
    SESSION_TOKEN, FuzzRequest, doc_uploads, header_requests, register_forms, uploads, url_requests,
    xmlrpc_calls,
)
from .store_consistency import StoreChecker, assert_nothing_half_written
from .uploading import upload_sdist

FULL = os.environ.get("PYPI_FULL_FUZZ") == "1"
EXAMPLES = 700 * (5 if FULL else 1)    # per family; 1 to 6 requests each
REQUESTS_PER_EXAMPLE = 6
FAMILIES = {"uploads": st.one_of(uploads(), uploads(), uploads(), doc_uploads()),
            "register_forms": register_forms(), "xmlrpc": xmlrpc_calls(),
            "url_space": url_requests(), "headers_and_cookies": header_requests()}
USERS = ("alice", "bob", "root")
TRACEBACK_MARKERS = (b"Traceback", b'File "')
FUZZ_SETTINGS = dict(derandomize=True, database=None, deadline=None, print_blob=False,
                     suppress_health_check=list(HealthCheck))


class Checked:
    """Sends fuzz requests and checks each response; counts what it sent."""

    def __init__(self, app, errors: list[logging.LogRecord], password_hash: str):
        self.app, self.errors, self.sent = app, errors, 0
        self.statuses: Counter[int] = Counter()
        self.password_hash = password_hash
        self.checked_serial = -1
        self.store_checker = StoreChecker(app, webtest.TestApp(app))
        self.wsgi = lint.middleware(app)   # requests go without WebTest's cookie jar

    def reset(self) -> None:
        """Undo what would starve later examples: deleted users, changed passwords, a lost
        session (each example starts alike)."""
        store = self.app.store
        for name in USERS:
            user = store.get_user(name)
            if user is None:
                store.create_user(name, f"{name}@example.org", self.password_hash)
            elif user.password != self.password_hash:
                store.set_password_hash(name, self.password_hash)
        if not store.has_role("root", None, ADMIN):
            store.add_role(Actor("root"), ADMIN, "root", None)
        key = sessions.stored_key(SESSION_TOKEN)
        if store.session_user(key, sessions.now()) is None:
            store.create_session(key, "alice", sessions.now())
        self.errors.clear()

    def check_store(self) -> None:
        """The store check after a change (every write journals, so a new serial tells);
        otherwise only that no upload is left half-written."""
        serial = self.app.store.last_serial()
        if serial != self.checked_serial:
            self.store_checker.check()
            self.checked_serial = serial
        else:
            assert_nothing_half_written(self.app)

    def send(self, fuzz: FuzzRequest):
        request = Request.blank(fuzz.path, method=fuzz.method, headers=fuzz.headers)
        if fuzz.body:
            request.body = fuzz.body
        self.sent += 1
        response = request.get_response(self.wsgi)
        self.statuses[response.status_int] += 1
        what = f"{fuzz.method} {fuzz.path} -> {response.status}"
        assert response.status_int < 500 or _not_implemented(response), what
        assert not any(marker in response.body for marker in TRACEBACK_MARKERS), what
        assert not self.errors, f"{what}: logged {self.errors[0].getMessage()}"
        return response


def _not_implemented(response) -> bool:
    """Routable legacy actions that are not built answer 501 on purpose (test_routing)."""
    return response.status_int == 501 and response.status.startswith("501 Not implemented yet")


class ErrorLog(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def config(config):
    """The shared config, with login throttling out of reach of a long fuzz run."""
    return dataclasses.replace(config, blocked_attempts_user=10**9, blocked_attempts_ip=10**9)


@pytest.fixture
def fuzz(app, monkeypatch, record_figure):
    """The app, seeded, behind a ``Checked`` sender; the request count is recorded."""
    # Cheap argon2 parameters: wrong passwords are part of the fuzz, and each one costs a
    # full verification. The hashing itself is tested in test_passwords.
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=256,
                                                             parallelism=1))
    cheap = passwords.hash_password(PASSWORD)
    _seed(app, cheap)
    handler = ErrorLog()
    logging.getLogger().addHandler(handler)
    checked = Checked(app, handler.records, cheap)
    yield checked
    logging.getLogger().removeHandler(handler)
    checked.store_checker.check(full=True)
    record_figure("fuzz_requests", checked.sent)
    print(f"fuzz requests sent: {checked.sent}, by status: {sorted(checked.statuses.items())}")


def _seed(app, password_hash: str) -> None:
    store = app.store
    for name in USERS:
        store.set_password_hash(name, password_hash)
    store.store_release(Actor("alice"), "demo", "1.0", ReleaseMetadata(summary="Demo"))
    store.store_release(Actor("bob"), "other", "0.1", ReleaseMetadata(summary="Other"))


@pytest.mark.parametrize("family", sorted(FAMILIES))
@settings(max_examples=EXAMPLES, **FUZZ_SETTINGS)
@given(data=st.data())
def test_fuzz(fuzz, family, data):
    requests = data.draw(st.lists(FAMILIES[family], min_size=1, max_size=REQUESTS_PER_EXAMPLE))
    fuzz.reset()
    for fuzz_request in requests:
        fuzz.send(fuzz_request)
    fuzz.check_store()


def test_the_store_check_notices_damage(app, web):
    """The consistency check is not vacuous: missing, changed, extra and half-written bytes fail it."""
    upload_sdist(web, status=200)
    checker = StoreChecker(app, web)
    checker.check()
    files = Path(app.config.files_dir)
    published = files / app.store.list_files("demo")[0].path
    for damage, repair in (
            (lambda: published.write_bytes(b"other"), None),
            (lambda: (files / "source" / "stray.tar.gz").write_bytes(b"x"),
             lambda: (files / "source" / "stray.tar.gz").unlink()),
            (lambda: (files / ".incoming" / "left").write_bytes(b"x"),
             lambda: (files / ".incoming" / "left").unlink())):
        original = published.read_bytes()
        damage()
        with pytest.raises(AssertionError):
            checker.check(full=True)
        if repair:
            repair()
        published.write_bytes(original)
    published.unlink()
    with pytest.raises(AssertionError):
        checker.check()
