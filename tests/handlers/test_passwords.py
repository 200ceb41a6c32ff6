"""Legacy password hashes are accepted and upgraded to argon2."""
from __future__ import annotations

import base64
import hashlib

import bcrypt

from legacy.passwords import check_password, hash_password


def test_argon2_roundtrip():
    stored = hash_password("pässword")
    assert check_password("pässword", stored) == (True, None)
    assert check_password("wrong", stored) == (False, None)


def test_hex_sha1_upgrades():
    ok, upgraded = check_password("secret", hashlib.sha1(b"secret").hexdigest())
    assert ok and upgraded.startswith("$argon2")
    assert check_password("Secret", hashlib.sha1(b"secret").hexdigest()) == (False, None)


def test_bcrypt_upgrades_and_truncates_like_passlib():
    stored = bcrypt.hashpw(b"x" * 72, bcrypt.gensalt(4)).decode()
    ok, upgraded = check_password("x" * 80, stored)
    assert ok and upgraded.startswith("$argon2")
    assert check_password("y", stored) == (False, None)


def test_bcrypt_sha1_both_body_forms():
    inner = bcrypt.hashpw(hashlib.sha1(b"pw").hexdigest().encode(), bcrypt.gensalt(4))
    for body in (inner.decode(), base64.b64encode(inner, altchars=b"./").decode().rstrip("=")):
        ok, upgraded = check_password("pw", "$bcrypt_sha1$" + body)
        assert ok and upgraded.startswith("$argon2")
        assert check_password("other", "$bcrypt_sha1$" + body) == (False, None)
    assert check_password("pw", "$bcrypt_sha1$!!!") == (False, None)


def test_unknown_or_empty_hash_never_matches():
    assert check_password("", "") == (False, None)
    assert check_password("pw", "plain-text") == (False, None)
