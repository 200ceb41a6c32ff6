"""Sessions: login (Basic then cookie), login_form, logout, clear_auth, throttling, next."""
from __future__ import annotations

import dataclasses

import pytest

from pypi.app import PypiApp
from tests.conftest import PASSWORD, basic_auth
from tests.handlers.web_helpers import login


def test_login_with_basic_sets_session_cookie(web, app):
    response = web.get("/pypi?:action=login", status=401)
    assert response.headers["WWW-Authenticate"] == 'Basic realm="pypi"'
    response = web.get("/pypi?:action=login", headers=basic_auth("alice"))
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("pypi=") and "HttpOnly" in cookie and "Path=/pypi" in cookie
    assert "samesite=lax" in cookie.lower() and "secure" not in cookie.lower()
    assert "Welcome alice" in web.get("/pypi?:action=user_form")   # cookie alone now


def test_basic_alone_is_authenticated_not_logged_in(web):
    page = web.get("/pypi?:action=user_form", headers=basic_auth("alice"))
    assert "Not Logged In" in page and "Clear Basic Auth" in page


def test_login_form_and_logout(web, app):
    login(web, "alice")
    page = web.get("/pypi?:action=user_form")
    assert "Welcome alice" in page and "pypi=" in page.headers["Set-Cookie"]
    web.get("/pypi?:action=logout")
    web.get("/pypi?:action=user_form", status=401)


def test_login_form_wrong_password_and_nonce(web, app):
    page = web.get("/pypi?:action=login_form")
    assert page.headers["X-Frame-Options"] == "DENY"
    nonce = page.html.find("input", {"name": "nonce"})["value"]
    bad = web.post("/pypi", params={":action": "login_form", "nonce": nonce,
                                    "username": "alice", "password": "wrong"}, status=401)
    assert "WWW-Authenticate" not in bad.headers and "Incorrect password" in bad
    web.post("/pypi", params={":action": "login_form", "nonce": "forged",
                              "username": "alice", "password": PASSWORD}, status=400)
    web.put("/pypi?:action=login_form", status=405)


@pytest.mark.parametrize("target, expected", [
    ("/pypi?:action=user_form", "/pypi?:action=user_form"),
    ("https://evil.example/", "/pypi"), ("//evil.example/x", "/pypi"),
    ("/\\evil.example", "/pypi"), ("javascript:alert(1)", "/pypi"),
])
def test_login_next_stays_on_site(web, target, expected):
    page = web.get("/pypi?:action=login_form")
    nonce = page.html.find("input", {"name": "nonce"})["value"]
    response = web.post("/pypi", params={":action": "login_form", "nonce": nonce, "next": target,
                                         "username": "alice", "password": PASSWORD}, status=303)
    assert response.headers["Location"].endswith(expected)
    assert "evil" not in response.headers["Location"]


def test_clear_auth(web):
    assert web.get("/pypi?:action=clear_auth", headers=basic_auth("alice"), status=401)
    web.get("/pypi?:action=clear_auth", status=200)


def test_secure_cookie_over_https(app, config):
    secure = PypiApp(dataclasses.replace(config, base_url="https://index.example/pypi"),
                     app.store, app.blobs)
    import webtest
    response = webtest.TestApp(secure).get("/pypi?:action=login", headers=basic_auth("alice"))
    assert "secure" in response.headers["Set-Cookie"].lower()


def test_failed_logins_block_the_address(app, config):
    import webtest
    strict = PypiApp(dataclasses.replace(config, blocked_attempts_ip=2, blocked_attempts_user=100),
                     app.store, app.blobs)
    web = webtest.TestApp(strict, extra_environ={"REMOTE_ADDR": "192.0.2.66"})
    for _ in range(3):
        web.get("/pypi?:action=login", headers=basic_auth("alice", "wrong"), status=401)
    response = web.get("/pypi?:action=login", headers=basic_auth("alice"), status=403)
    assert "Blocked IP" in response.status
    other = webtest.TestApp(strict, extra_environ={"REMOTE_ADDR": "192.0.2.77"})
    other.get("/pypi?:action=login", headers=basic_auth("alice"), status=200)


def test_failed_logins_block_the_user(app, config):
    import webtest
    strict = PypiApp(dataclasses.replace(config, blocked_attempts_ip=100, blocked_attempts_user=1),
                     app.store, app.blobs)
    web = webtest.TestApp(strict)
    for _ in range(2):
        web.get("/pypi?:action=login", headers=basic_auth("bob", "wrong"), status=401)
    web.get("/pypi?:action=login", headers=basic_auth("bob"), status=401)   # right, but blocked
    web.get("/pypi?:action=login", headers=basic_auth("alice"), status=200)


def test_unknown_or_malformed_cookie_is_anonymous(web):
    web.set_cookie("pypi", "0" * 32)
    assert "Not Logged In" in web.get("/pypi?:action=register_form")
    web.set_cookie("pypi", "x" * 500)
    assert "Not Logged In" in web.get("/pypi?:action=register_form")
