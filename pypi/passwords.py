"""Password hashing: argon2 for new hashes; legacy unsalted SHA-1 still accepted.

A successful login with a legacy hash (or outdated argon2 parameters) returns
a fresh hash for the caller to store, so old accounts upgrade as they log in.
"""
from __future__ import annotations

import hashlib
import hmac
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
_LEGACY_SHA1 = re.compile(r"^[0-9a-f]{40}$")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password(password: str, stored: str) -> tuple[bool, str | None]:
    """Whether ``password`` matches ``stored``, and the upgraded hash if one is due."""
    if not stored:
        return False, None
    if stored.startswith("$argon2"):
        try:
            _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False, None
        return True, hash_password(password) if _HASHER.check_needs_rehash(stored) else None
    if _LEGACY_SHA1.match(stored.lower()):
        digest = hashlib.sha1(password.encode("utf-8")).hexdigest()
        if hmac.compare_digest(digest, stored.lower()):
            return True, hash_password(password)
    return False, None
