"""Browser sessions, password-reset keys and failed-login counters in the ndb store.

Each is a root entity keyed by what it is looked up by (session key, key
hash, subject), so the checks a login makes are gets by key. None is package
data, so none is journalled or touches the serial counter: they must not
queue behind uploads. Listing a user's sessions or reset keys is a query on
``user_name``; such queries run outside transactions (ndb allows only
ancestor queries inside), followed by deletes by key.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from ..errors import InvalidKey, NoSuchUser
from . import models as m
from .journal import TXN_RETRIES, naive_utc
from .sdk import ndb

REFRESH = timedelta(minutes=1)


def second(when: datetime) -> datetime:
    return naive_utc(when).replace(microsecond=0)


class SessionsMixin:

    # -- sessions --------------------------------------------------------------------
    def create_session(self, key: str, user_name: str, when: datetime) -> None:
        def txn():
            if ndb.Key(m.User, user_name).get() is None:
                raise NoSuchUser(user_name)
            m.Session(id=key, user_name=user_name, last_seen=second(when)).put()
        self._txn(txn, xg=True)

    def session_user(self, key: str, now: datetime,
                     not_seen_before: datetime | None = None) -> str | None:
        now = second(now)
        with self._access():
            session = ndb.Key(m.Session, key).get()
        if session is None or session.user_name is None:
            return None
        if not_seen_before is not None and session.last_seen is not None \
                and session.last_seen < second(not_seen_before):
            return None
        if session.last_seen is None or now - session.last_seen >= REFRESH:
            def txn():
                fresh, user = ndb.get_multi([session.key, ndb.Key(m.User, session.user_name)])
                for entity, field in ((fresh, "last_seen"), (user, "last_login")):
                    if entity is not None:
                        setattr(entity, field, now)
                ndb.put_multi([e for e in (fresh, user) if e is not None])
            self._txn(txn, xg=True)
        return session.user_name

    def delete_session(self, key: str) -> None:
        with self._access():
            ndb.Key(m.Session, key).delete()

    def delete_user_sessions(self, user_name: str, keep: str | None = None) -> None:
        with self._access():
            keys = m.Session.query(m.Session.user_name == user_name).fetch(keys_only=True)
            ndb.delete_multi([k for k in keys if k.id() != keep])

    def expire_sessions(self, idle_before: datetime) -> int:
        with self._access():
            keys = m.Session.query(m.Session.last_seen < second(idle_before)).fetch(
                keys_only=True)
            ndb.delete_multi(keys)
        return len(keys)

    # -- password-reset keys -------------------------------------------------------------
    def create_reset_key(self, user_name: str, key_hash: str, when: datetime) -> None:
        def txn():
            if ndb.Key(m.User, user_name).get() is None:
                raise NoSuchUser(user_name)
            m.ResetKey(id=key_hash, user_name=user_name, created=second(when)).put()
        self._txn(txn, xg=True)

    def reset_key_user(self, key_hash: str, not_before: datetime) -> str | None:
        with self._access():
            entity = ndb.Key(m.ResetKey, key_hash).get()
        if entity is None or entity.created < second(not_before):
            return None
        return entity.user_name

    def reset_password(self, key_hash: str, not_before: datetime, password_hash: str) -> str:
        name = self.reset_key_user(key_hash, not_before)
        if name is None:
            raise InvalidKey()
        with self._access():
            stale = (m.ResetKey.query(m.ResetKey.user_name == name).fetch(keys_only=True)
                     + m.Session.query(m.Session.user_name == name).fetch(keys_only=True))

            def txn():
                key, user = ndb.get_multi([ndb.Key(m.ResetKey, key_hash), ndb.Key(m.User, name)])
                if key is None or user is None:     # used meanwhile
                    raise InvalidKey()
                user.password = password_hash
                user.put()
                ndb.delete_multi(stale + [key.key])
            self._txn(txn, xg=True)
        return name

    # -- failed logins -------------------------------------------------------------------
    def count_login_failure(self, subject: str, now: datetime, window_start: datetime) -> int:
        now, window_start = second(now), second(window_start)

        def txn():
            entity = ndb.Key(m.LoginFailures, subject).get()
            if entity is None or entity.window_start < window_start:
                entity = m.LoginFailures(id=subject, failures=1, window_start=now)
            else:
                entity.failures += 1
            entity.put()
            return entity.failures
        return self._txn(txn)

    def login_failures(self, subject: str, window_start: datetime) -> int:
        with self._access():
            entity = ndb.Key(m.LoginFailures, subject).get()
        if entity is None or entity.window_start < second(window_start):
            return 0
        return entity.failures

    def clear_login_failures(self, subject: str) -> None:
        with self._access():
            ndb.Key(m.LoginFailures, subject).delete()

    def _txn(self, fn, xg: bool = False):
        """A transaction that journals nothing (see the module docstring)."""
        with self._access():
            return ndb.transaction(fn, xg=xg, retries=TXN_RETRIES)
