"""Accounts in the web UI: register, confirm, profile, password reset, delete."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.conftest import basic_auth
from tests.handlers.web_helpers import csrf, link_in, login, mails

NEW_PW = "brand new secret"


def _register(web, status=200, **fields):
    params = {":action": "user", "name": "carol", "email": "carol@example.org",
              "password": NEW_PW, "confirm": NEW_PW, "agree_shown": "1", "agree": "1"}
    params.update(fields)
    return web.post("/pypi", params={k: v for k, v in params.items() if v is not None},
                    status=status)


def _path_and_query(link):
    parts = urlsplit(link)
    return parts.path + "?" + parts.query


def test_register_confirm_and_login(web, app, config):
    page = web.get("/pypi?:action=register_form")
    assert "Manual user registration" in page and 'name="agree"' in page
    assert "Registration OK" in _register(web)
    [mail] = mails(config)
    assert mail["To"] == "carol@example.org" and "registration" in mail["Subject"]
    assert app.store.registration_key("carol") is not None
    # unconfirmed: writes are refused
    web.post("/pypi", params={":action": "submit", "name": "cpkg", "version": "1"},
             headers=basic_auth("carol", NEW_PW), status=401)
    confirmed = web.get(_path_and_query(link_in(mail)))
    assert "Registration complete" in confirmed
    assert app.store.registration_key("carol") is None
    web.get(_path_and_query(link_in(mail)), status=400)           # used up
    login(web, "carol", NEW_PW)
    assert "Welcome carol" in web.get("/pypi?:action=user_form")


def test_distutils_register_without_agree_works(web, app):
    web.post("/pypi", params={":action": "user", "name": "dist", "password": NEW_PW,
                              "confirm": NEW_PW, "email": "dist@example.org"}, status=200)
    assert app.store.get_user("dist") is not None


def test_forged_otk_is_refused(web, app):
    _register(web)
    assert web.get("/pypi?:action=user&otk=carol", status=400)
    assert app.store.registration_key("carol") is not None


@pytest.mark.parametrize("fields, reason", [
    ({"email": "carol@exämple.org"}, "Email is invalid (ASCII only)"),
    ({"email": "carol-at-example"}, "Email is invalid"),
    ({"gpg_keyid": "XYZ"}, "GPG key ID is invalid"),
    ({"name": ""}, "name is required"),
    ({"password": None, "confirm": None}, "password and confirm are required"),
    ({"confirm": "other one"}, "password and confirm don't match"),
    ({"name": "bad name!"}, "Username is invalid"),
    ({"name": "x" * 300}, "Username is invalid"),
    ({"email": "a" * 300 + "@example.org"}, "Email is invalid (ASCII only)"),
    ({"name": "alice"}, 'user "alice" already exists'),
    ({"agree": None}, "You need to confirm the usage agreement."),
    ({"email": "ALICE@example.org"}, "You have already registered as user alice"),
    ({"password": "short", "confirm": "short"}, "Password is too short"),
])
def test_registration_bad_input(web, app, config, fields, reason):
    response = _register(web, status=400, **fields)
    assert reason in response.status
    assert app.store.get_user("carol") is None and not mails(config)


def test_profile_update_needs_auth_and_csrf(web, app):
    web.get("/pypi?:action=user_form", status=401)
    login(web, "alice")
    token = csrf(web)
    params = {":action": "user", "email": "new@example.org", "gpg_keyid": "0123abcd"}
    web.post("/pypi", params=params, status=403)                        # no token
    web.post("/pypi", params={**params, "CSRFToken": "0" * 40}, status=403)   # forged
    assert app.store.get_user("alice").email == "alice@example.org"
    web.post("/pypi", params={**params, "CSRFToken": token}, status=200)
    user = app.store.get_user("alice")
    assert (user.email, user.gpg_keyid) == ("new@example.org", "0123ABCD")
    web.post("/pypi", params={**params, "email": "", "CSRFToken": token}, status=400)


def test_profile_password_change(web, app):
    login(web, "alice")
    web.post("/pypi", params={":action": "user", "email": "alice@example.org",
                              "password": NEW_PW, "confirm": NEW_PW, "CSRFToken": csrf(web)})
    assert web.get("/pypi?:action=user_form", status=200)            # this session kept
    web.reset()                                                       # a tool: no cookie
    web.post("/pypi", params={":action": "submit", "name": "x", "version": "1"},
             headers=basic_auth("alice", NEW_PW), status=200)


def test_basic_user_updates_profile_without_token(web, app):
    web.post("/pypi", params={":action": "user", "email": "b2@example.org"},
             headers=basic_auth("bob"), status=200)
    assert app.store.get_user("bob").email == "b2@example.org"
    web.post("/pypi", params={":action": "user", "email": "b3@example.org"},
             headers={**basic_auth("bob"), "Origin": "http://evil.example"}, status=403)


def test_password_reset_by_name_and_email(web, app, config):
    web.post("/pypi", params={":action": "password_reset", "email": "nobody@example.org"},
             status=400)
    web.post("/pypi", params={":action": "forgotten_password", "name": "ghost"}, status=400)
    assert "You must supply" in web.post("/pypi", params={":action": "password_reset"},
                                         status=400)
    web.post("/pypi", params={":action": "password_reset", "email": "ALICE@example.org"})
    web.post("/pypi", params={":action": "forgotten_password", "name": "alice"})
    first, second = mails(config)
    assert app.store.get_user("alice").password != ""       # nothing changed yet
    form = web.get(_path_and_query(link_in(first)))
    assert 'name="otk"' in form
    otk = form.html.find("input", {"name": "otk"})["value"]
    bad = web.post("/pypi", params={":action": "pw_reset_change", "otk": otk,
                                    "password": "a", "confirm": "b"}, status=400)
    assert "match" in bad.text and bad.html.find(class_="message")
    web.post("/pypi", params={":action": "pw_reset_change", "otk": otk,
                              "password": NEW_PW, "confirm": NEW_PW}, status=200)
    web.get(_path_and_query(link_in(second)), status=400)     # every key of the user used up
    web.get("/pypi?:action=pw_reset&otk=forged", status=400)
    login(web, "alice", NEW_PW)


def test_password_reset_resends_pending_registration(web, config):
    _register(web)
    response = web.post("/pypi", params={":action": "password_reset",
                                         "email": "carol@example.org"})
    assert "Resending registration key" in response
    assert len(mails(config)) == 2


def test_delete_user(web, app):
    web.get("/pypi?:action=delete_user", status=401)
    login(web, "bob")
    assert "Confirm deletion" in web.get("/pypi?:action=delete_user")
    web.post("/pypi", params={":action": "delete_user", "submit_ok": "OK"}, status=403)
    web.post("/pypi", params={":action": "delete_user", "name": "alice", "submit_ok": "OK",
                              "CSRFToken": csrf(web)}, status=403)   # not an admin
    web.post("/pypi", params={":action": "delete_user", "submit_ok": "OK",
                              "CSRFToken": csrf(web)}, status=200)
    assert app.store.get_user("bob") is None


def test_delete_sole_owner_refused_and_admin_deletes(web, app):
    web.post("/pypi", params={":action": "submit", "name": "apkg", "version": "1"},
             headers=basic_auth("alice"))
    login(web, "alice")
    response = web.post("/pypi", params={":action": "delete_user", "submit_ok": "OK",
                                         "CSRFToken": csrf(web)}, status=400)
    assert "only Owner of apkg" in response.status
    web.reset()
    login(web, "root")
    web.post("/pypi", params={":action": "delete_user", "name": "bob", "submit_ok": "OK",
                              "CSRFToken": csrf(web)}, status=200)
    assert app.store.get_user("bob") is None
