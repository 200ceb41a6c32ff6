"""Password hashing: argon2 for new hashes; legacy hashes accepted and upgraded.

Accepted legacy forms: 2010's unsalted hex SHA-1, HEAD's bcrypt (``$2a$``,
``$2b$``, ``$2y$``, verified as passlib did, on the first 72 bytes) and
HEAD's bulk-upgrade scheme ``$bcrypt_sha1$`` (bcrypt over the hex SHA-1 of
the password; the body after the prefix is taken as the bcrypt hash itself
or its base64). A successful check with any of them, or with outdated argon2
parameters, returns a fresh argon2 hash for the caller to store, so old
accounts upgrade as they log in.

Here in ``legacy/`` because the account handlers hash passwords too;
``pypi.passwords`` re-exports it for the CLI and HTTP Basic.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

import bcrypt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher()    # argon2-cffi's defaults: RFC 9106's second choice, 64 MiB
_worker = None               # makes and checks argon2 hashes in HASHER's place: use_worker
_LEGACY_SHA1 = re.compile(r"^[0-9a-f]{40}$")
_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
_BCRYPT_SHA1 = "$bcrypt_sha1$"
BCRYPT_MAX_BYTES = 72


def use_worker(worker=None) -> None:
    """Make and check argon2 hashes with ``worker`` (``hash``, ``verify`` as on
    ``PasswordHasher``; ``pypi.password_worker``), or here again with None."""
    global _worker
    _worker = worker


def hash_password(password: str) -> str:
    return (_worker or HASHER).hash(password)


def check_password(password: str, stored: str) -> tuple[bool, str | None]:
    """Whether ``password`` matches ``stored``, and the upgraded hash if one is due."""
    if not stored:
        return False, None
    if stored.startswith("$argon2"):
        try:
            if not (_worker or HASHER).verify(stored, password):
                return False, None
        except (VerificationError, InvalidHashError):
            return False, None
        return True, hash_password(password) if HASHER.check_needs_rehash(stored) else None
    if _legacy_match(password, stored):
        return True, hash_password(password)
    return False, None


def _legacy_match(password: str, stored: str) -> bool:
    secret = password.encode("utf-8")
    if stored.startswith(_BCRYPT_PREFIXES):
        return _bcrypt_match(secret, stored)
    if stored.startswith(_BCRYPT_SHA1):
        inner = _bcrypt_sha1_body(stored[len(_BCRYPT_SHA1):])
        return inner is not None and _bcrypt_match(
            hashlib.sha1(secret).hexdigest().encode("ascii"), inner)
    if _LEGACY_SHA1.match(stored.lower()):
        return hmac.compare_digest(hashlib.sha1(secret).hexdigest(), stored.lower())
    return False


def _bcrypt_match(secret: bytes, stored: str) -> bool:
    try:
        return bcrypt.checkpw(secret[:BCRYPT_MAX_BYTES], stored.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False


def _bcrypt_sha1_body(body: str) -> str | None:
    if body.startswith(_BCRYPT_PREFIXES):
        return body
    try:
        decoded = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"./").decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return decoded if decoded.startswith(_BCRYPT_PREFIXES) else None
