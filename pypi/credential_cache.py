"""A short-lived memory of verified Basic credentials, so argon2 is not paid per request.

Verifying an argon2 hash costs tens of milliseconds and 64 MiB, on every
upload twine makes. The cache remembers a *keyed hash* of (user, password,
stored hash) — never the password — for a few minutes. Because the stored
hash is part of the key, a password change or hash upgrade, made by any
process, makes the old entry unreachable at once; nothing needs dropping.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from collections import OrderedDict

DEFAULT_TTL = 300.0
DEFAULT_SIZE = 1024


class CredentialCache:
    def __init__(self, ttl: float = DEFAULT_TTL, size: int = DEFAULT_SIZE, clock=time.monotonic):
        self._key = os.urandom(32)           # per process: the digests are useless elsewhere
        self._entries: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.Lock()
        self._ttl, self._size, self._clock = ttl, size, clock

    def _digest(self, user: str, password: str, stored_hash: str) -> bytes:
        message = "\0".join((user, password, stored_hash)).encode("utf-8", "surrogatepass")
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def remembers(self, user: str, password: str, stored_hash: str) -> bool:
        digest = self._digest(user, password, stored_hash)
        with self._lock:
            expires = self._entries.get(digest)
            if expires is None:
                return False
            if expires < self._clock():
                del self._entries[digest]
                return False
            self._entries.move_to_end(digest)
            return True

    def remember(self, user: str, password: str, stored_hash: str) -> None:
        digest = self._digest(user, password, stored_hash)
        with self._lock:
            self._entries[digest] = self._clock() + self._ttl
            self._entries.move_to_end(digest)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
