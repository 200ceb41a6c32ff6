"""Secrets: passwords, one-time keys and session ids stay out of logs and error pages,
are compared in constant time, and expire.

- A full flow (register, confirm, log in, change the password, fail a login,
  reset the password, an internal error with secrets in the query string) runs
  with every log record captured: no password, registration key, reset key,
  session id or CSRF token appears in the log, in an error page or status line.
- Spies on ``hmac.compare_digest``, argon2's ``verify`` and ``bcrypt.checkpw``
  show what each check calls; sessions and reset keys are looked up by their
  SHA-256, never by the secret itself.
- A moved clock (``legacy.sessions.now`` and its importers) shows sessions end
  after a day idle, registration keys after 7 days, reset keys after 6 hours.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import bcrypt
import pytest
from argon2 import PasswordHasher

from legacy import sessions, throttle, web_password
from legacy.actions import ACTIONS
from tests.conftest import PASSWORD, basic_auth

from .web_helpers import csrf, link_in, login, mails

FIRST, SECOND, WRONG, RESET = "first Secret 1", "second Secret 2", "wrong Secret 3", "reset Secret 4"


@pytest.fixture
def log_text():
    """Everything any logger writes during the test, tracebacks included."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream.getvalue
    root.removeHandler(handler)
    root.setLevel(level)


class Clock:
    """``now`` for the handlers, moved forward at will."""

    def __init__(self, monkeypatch):
        self.start, self.offset = sessions.now(), timedelta()
        for module in (sessions, web_password, throttle):   # those that call or import now()
            monkeypatch.setattr(module, "now", self.now)

    def now(self):
        return self.start + self.offset

    def advance(self, **delta):
        self.offset += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def _query(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def _key_in(link: str) -> str:
    return parse_qs(urlsplit(link).query)["otk"][0]


class Recorder:
    """Every response of the flow, for the error-page check."""

    def __init__(self, web):
        self.web, self.responses = web, []

    def __getattr__(self, method):
        def call(*args, **kwargs):
            response = getattr(self.web, method)(*args, **kwargs)
            self.responses.append(response)
            return response
        return call


def test_no_secret_in_logs_or_error_pages(app, web, config, log_text, monkeypatch):
    flow = Recorder(web)
    flow.post("/pypi", params={":action": "user", "name": "carol", "email": "carol@example.org",
                               "password": FIRST, "confirm": FIRST, "agree_shown": "1", "agree": "1"})
    flow.post("/pypi", params={":action": "user", "name": "dave", "email": "dave@example.org",
                               "password": FIRST, "confirm": FIRST + "x"}, status=400)
    [registration] = mails(config)
    otk = _key_in(link_in(registration))
    flow.get(_query(link_in(registration)), status=200)
    flow.get(_query(link_in(registration)), status=400)                    # used up
    login(web, "carol", FIRST)
    session_id = web.cookies["pypi"]
    token = csrf(web)
    flow.post("/pypi", params={":action": "user", "email": "carol@example.org", "CSRFToken": token,
                               "password": SECOND, "confirm": SECOND})
    flow.post("/pypi", params={":action": "user", "email": "carol@example.org", "CSRFToken": "x" + token,
                               "password": WRONG, "confirm": WRONG}, status=403)
    web.reset()
    flow.get("/pypi?:action=user_form", headers=basic_auth("carol", WRONG), status=401)
    flow.post("/pypi", params={":action": "login_form", "nonce": "n", "username": "carol",
                               "password": WRONG}, headers={"Cookie": "login_nonce=n"}, status=401)
    flow.post("/pypi", params={":action": "forgotten_password", "name": "carol"})
    reset_link = link_in(mails(config)[-1])
    reset_key = _key_in(reset_link)
    flow.post("/pypi", params={":action": "pw_reset_change", "otk": reset_key, "password": "short",
                               "confirm": "short"}, status=400)
    flow.post("/pypi", params={":action": "pw_reset_change", "otk": reset_key + "x",
                               "password": RESET, "confirm": RESET}, status=400)
    flow.post("/pypi", params={":action": "pw_reset_change", "otk": reset_key, "password": RESET,
                               "confirm": RESET})
    flow.get("/pypi?:action=user_form", headers=basic_auth("carol", RESET))

    def broken(ctx):
        raise RuntimeError("the handler failed")
    monkeypatch.setitem(ACTIONS, "about", broken)
    failed = flow.get(f"/pypi?:action=about&password={RESET}&otk={otk}&key={reset_key}",
                      headers={"Cookie": f"pypi={session_id}"}, status=500)

    secrets = {"password": (FIRST, SECOND, WRONG, RESET, PASSWORD), "registration key": (otk,),
               "reset key": (reset_key,), "session id": (session_id,), "CSRF token": (token,)}
    logged = log_text()
    assert "the handler failed" in logged and "Traceback" in logged   # the log did capture
    errors = [r for r in flow.responses if r.status_int >= 400]
    assert len(errors) >= 8 and failed in errors
    for kind, values in secrets.items():
        for value in values:
            assert value not in logged, f"a {kind} was logged"
            for response in errors:
                # the reset form, shown again with what was wrong, carries its own key
                page = response.text.replace(f'name="otk" value="{reset_key}"', "")
                assert value not in response.status and value not in page, \
                    f"a {kind} in the {response.status} page"
    for mail in mails(config):
        body = mail.get_payload(decode=True).decode()
        assert not any(p in body for p in secrets["password"]), "a password was mailed"


class Spy:
    """Wraps a function, recording the arguments of every call."""

    def __init__(self, function):
        self.function, self.calls = function, []

    def __call__(self, *args, **kwargs):
        self.calls.append(args)
        return self.function(*args, **kwargs)


def test_secret_comparisons_are_constant_time(app, web, monkeypatch):
    digest = Spy(hmac.compare_digest)
    monkeypatch.setattr(hmac, "compare_digest", digest)
    verify = Spy(PasswordHasher.verify)
    monkeypatch.setattr(PasswordHasher, "verify", lambda self, *a: verify(self, *a))
    checkpw = Spy(bcrypt.checkpw)
    monkeypatch.setattr(bcrypt, "checkpw", checkpw)

    web.get("/pypi?:action=user_form", headers=basic_auth("alice"), status=200)     # argon2
    assert any(PASSWORD in call for call in verify.calls)
    login(web, "alice")                                                           # nonce
    nonce_calls = [c for c in digest.calls if len(c[0]) == 32]
    assert nonce_calls, "the login nonce is compared with compare_digest"
    token = csrf(web)
    web.post("/pypi", params={":action": "user", "email": "a@example.org", "CSRFToken": token})
    web.post("/pypi", params={":action": "user", "email": "a@example.org", "CSRFToken": "forged"},
             status=403)
    assert (token.encode(), token.encode()) in digest.calls
    assert (b"forged", token.encode()) in digest.calls
    web.reset()

    sha1 = hashlib.sha1(PASSWORD.encode()).hexdigest()
    app.store.set_password_hash("bob", sha1)
    web.get("/pypi?:action=user_form", headers=basic_auth("bob"), status=200)       # legacy SHA-1
    assert (sha1, sha1) in digest.calls
    app.store.set_password_hash("root", bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode())
    web.get("/pypi?:action=user_form", headers=basic_auth("root"), status=200)      # legacy bcrypt
    assert checkpw.calls and checkpw.calls[0][0] == PASSWORD.encode()


def test_sessions_and_reset_keys_are_looked_up_by_hash(app, web, config, monkeypatch):
    session_lookup = Spy(app.store.session_user)
    monkeypatch.setattr(app.store, "session_user", session_lookup)
    reset_lookup = Spy(app.store.reset_key_user)
    monkeypatch.setattr(app.store, "reset_key_user", reset_lookup)
    login(web, "alice")
    session_id = web.cookies["pypi"]
    web.get("/pypi?:action=user_form", status=200)
    assert session_lookup.calls[-1][0] == hashlib.sha256(session_id.encode()).hexdigest()
    assert all(session_id not in call for call in session_lookup.calls)
    web.reset()
    web.post("/pypi", params={":action": "forgotten_password", "name": "alice"})
    key = _key_in(link_in(mails(config)[-1]))
    web.get(f"/pypi?:action=pw_reset&otk={key}", status=200)
    assert reset_lookup.calls[-1][0] == hashlib.sha256(key.encode()).hexdigest()
    assert all(key not in call for call in reset_lookup.calls)


def test_sessions_end_after_a_day_idle(web, clock):
    login(web, "alice")
    for _ in range(3):                      # each visit within a day keeps the session alive
        clock.advance(hours=23)
        assert "Welcome alice" in web.get("/pypi?:action=user_form", status=200)
    clock.advance(hours=24, minutes=1)
    web.get("/pypi?:action=user_form", status=401)


def _register(web, name: str):
    web.post("/pypi", params={":action": "user", "name": name, "email": f"{name}@example.org",
                              "password": FIRST, "confirm": FIRST})


def test_registration_keys_expire_after_seven_days(app, web, config, clock):
    _register(web, "carol")
    _register(web, "dave")
    carol, dave = (link_in(mail) for mail in mails(config))
    clock.advance(days=6, hours=23)
    web.get(_query(carol), status=200)
    clock.advance(hours=2)
    assert "invalid" in web.get(_query(dave), status=400)
    assert app.store.registration_key("carol") is None
    assert app.store.registration_key("dave") is not None


def test_reset_keys_expire_after_six_hours(app, web, config, clock):
    web.post("/pypi", params={":action": "forgotten_password", "name": "alice"})
    web.post("/pypi", params={":action": "forgotten_password", "name": "bob"})
    alice, bob = (_key_in(link_in(mail)) for mail in mails(config))
    clock.advance(hours=5, minutes=59)
    web.post("/pypi", params={":action": "pw_reset_change", "otk": alice, "password": RESET,
                              "confirm": RESET}, status=200)
    clock.advance(minutes=2)
    web.get(f"/pypi?:action=pw_reset&otk={bob}", status=400)
    web.post("/pypi", params={":action": "pw_reset_change", "otk": bob, "password": RESET,
                              "confirm": RESET}, status=400)
    web.post("/pypi", params={":action": "pw_reset_change", "otk": alice, "password": SECOND,
                              "confirm": SECOND}, status=400)          # used up
    web.get("/pypi?:action=user_form", headers=basic_auth("alice", RESET), status=200)
    web.get("/pypi?:action=user_form", headers=basic_auth("bob"), status=200)
