"""HTTP Basic authentication: legacy hashes upgraded, wrong passwords refused, verified ones cached."""
from __future__ import annotations

import base64
import hashlib

from pypi.auth import basic_credentials
from pypi.credential_cache import CredentialCache
from pypi.passwords import hash_password
from tests.conftest import PASSWORD, basic_auth
from tests.handlers.uploading import register


def test_legacy_sha1_hash_is_accepted_and_upgraded(web, app):
    app.store.create_user("old", "old@example.org", hashlib.sha1(b"legacy pw").hexdigest())
    register(web, user="old", status=401)  # wrong (default) password
    headers = {"Authorization": "Basic " + base64.b64encode(b"old:legacy pw").decode()}
    web.post("/pypi", params={":action": "submit", "name": "oldpkg", "version": "1.0"}, headers=headers,
             status=200)
    assert app.store.get_user("old").password.startswith("$argon2")
    web.post("/pypi", params={":action": "submit", "name": "oldpkg", "version": "1.1"}, headers=headers,
             status=200)


def test_wrong_password_after_a_cached_success_is_still_refused(web):
    register(web, status=200)
    response = web.post("/pypi", params={":action": "submit", "name": "demo", "version": "1.1"},
                        headers=basic_auth("alice", PASSWORD + "x"), status=401)
    assert response.headers["WWW-Authenticate"] == 'Basic realm="pypi"'


def test_password_change_drops_the_cached_credential(web, app):
    register(web, status=200)
    app.store.set_password_hash("alice", hash_password("a new one"))
    register(web, version="1.1", status=401)
    headers = {"Authorization": "Basic " + base64.b64encode(b"alice:a new one").decode()}
    web.post("/pypi", params={":action": "submit", "name": "demo", "version": "1.1"}, headers=headers,
             status=200)


def test_basic_credentials_parsing():
    def header(text):
        return "Basic " + base64.b64encode(text.encode()).decode()
    assert basic_credentials(header("u:p:with:colons")) == ("u", "p:with:colons")
    assert basic_credentials(header("nocolon")) is None
    assert basic_credentials("Basic !!!notbase64") is None
    assert basic_credentials("Bearer abc") is None
    assert basic_credentials(None) is None


def test_cache_keys_on_password_and_stored_hash_and_expires():
    now = [0.0]
    cache = CredentialCache(ttl=10, size=2, clock=lambda: now[0])
    cache.remember("u", "pw", "hash1")
    assert cache.remembers("u", "pw", "hash1")
    assert not cache.remembers("u", "other", "hash1")
    assert not cache.remembers("u", "pw", "hash2")
    now[0] = 11
    assert not cache.remembers("u", "pw", "hash1")


def test_cache_is_bounded():
    cache = CredentialCache(size=2)
    for user in ("a", "b", "c"):
        cache.remember(user, "pw", "h")
    assert not cache.remembers("a", "pw", "h")
    assert cache.remembers("b", "pw", "h") and cache.remembers("c", "pw", "h")
