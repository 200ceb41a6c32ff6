"""Browser sessions, password-reset keys and failed-login counters in the SQL store.

None of these is package data, so none is journalled, and none takes the
serial counter's lock: they are single-row writes that must not queue behind
uploads. (SQLite still writes in an immediate transaction, see ``engine``.)
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import InvalidKey, NoSuchUser
from .tables import cookies, login_failures, password_reset_keys, users

REFRESH = timedelta(minutes=1)


def naive_utc(when: datetime) -> datetime:
    """Timestamps are stored as naive UTC to the second."""
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when.replace(microsecond=0)


class SessionsMixin:

    # -- sessions --------------------------------------------------------------------
    def create_session(self, key: str, user_name: str, when: datetime) -> None:
        with self._write_transaction() as conn:
            self._require_user(conn, user_name)
            conn.execute(cookies.insert().values(cookie=key, name=user_name,
                                                 last_seen=naive_utc(when)))

    def session_user(self, key: str, now: datetime,
                     not_seen_before: datetime | None = None) -> str | None:
        now = naive_utc(now)
        with self._read() as conn:
            row = conn.execute(select(cookies).where(cookies.c.cookie == key)).first()
        if row is None or row.name is None:
            return None
        if not_seen_before is not None and row.last_seen is not None \
                and row.last_seen < naive_utc(not_seen_before):
            return None
        if row.last_seen is None or now - row.last_seen >= REFRESH:
            with self._write_transaction() as conn:
                conn.execute(update(cookies).where(cookies.c.cookie == key)
                             .values(last_seen=now))
                conn.execute(update(users).where(users.c.name == row.name)
                             .values(last_login=now))
        return row.name

    def delete_session(self, key: str) -> None:
        with self._write_transaction() as conn:
            conn.execute(delete(cookies).where(cookies.c.cookie == key))

    def delete_user_sessions(self, user_name: str, keep: str | None = None) -> None:
        where = [cookies.c.name == user_name]
        if keep is not None:
            where.append(cookies.c.cookie != keep)
        with self._write_transaction() as conn:
            conn.execute(delete(cookies).where(*where))

    def expire_sessions(self, idle_before: datetime) -> int:
        with self._write_transaction() as conn:
            return conn.execute(delete(cookies).where(
                cookies.c.last_seen < naive_utc(idle_before))).rowcount

    # -- password-reset keys -------------------------------------------------------------
    def create_reset_key(self, user_name: str, key_hash: str, when: datetime) -> None:
        with self._write_transaction() as conn:
            self._require_user(conn, user_name)
            conn.execute(password_reset_keys.insert().values(
                key_hash=key_hash, name=user_name, created=naive_utc(when)))

    def reset_key_user(self, key_hash: str, not_before: datetime) -> str | None:
        with self._read() as conn:
            return self._valid_reset_user(conn, key_hash, not_before)

    def reset_password(self, key_hash: str, not_before: datetime, password_hash: str) -> str:
        with self._write_transaction() as conn:
            name = self._valid_reset_user(conn, key_hash, not_before)
            if name is None:
                raise InvalidKey()
            conn.execute(update(users).where(users.c.name == name).values(password=password_hash))
            conn.execute(delete(password_reset_keys).where(password_reset_keys.c.name == name))
            conn.execute(delete(cookies).where(cookies.c.name == name))
        return name

    @staticmethod
    def _valid_reset_user(conn, key_hash: str, not_before: datetime) -> str | None:
        row = conn.execute(select(password_reset_keys).where(
            password_reset_keys.c.key_hash == key_hash)).first()
        if row is None or row.created < naive_utc(not_before):
            return None
        return row.name

    # -- failed logins -------------------------------------------------------------------
    def count_login_failure(self, subject: str, now: datetime, window_start: datetime) -> int:
        try:
            return self._count_failure(subject, naive_utc(now), naive_utc(window_start))
        except IntegrityError:   # another process inserted the first row meanwhile
            return self._count_failure(subject, naive_utc(now), naive_utc(window_start))

    def _count_failure(self, subject: str, now: datetime, window_start: datetime) -> int:
        with self._write_transaction() as conn:
            row = conn.execute(select(login_failures).where(
                login_failures.c.subject == subject).with_for_update()).first()
            if row is None:
                conn.execute(login_failures.insert().values(
                    subject=subject, failures=1, window_start=now))
                return 1
            count = 1 if row.window_start < window_start else row.failures + 1
            conn.execute(update(login_failures).where(login_failures.c.subject == subject).values(
                failures=count, window_start=now if count == 1 else row.window_start))
        return count

    def login_failures(self, subject: str, window_start: datetime) -> int:
        with self._read() as conn:
            row = conn.execute(select(login_failures).where(
                login_failures.c.subject == subject)).first()
        if row is None or row.window_start < naive_utc(window_start):
            return 0
        return row.failures

    def clear_login_failures(self, subject: str) -> None:
        with self._write_transaction() as conn:
            conn.execute(delete(login_failures).where(login_failures.c.subject == subject))

    @staticmethod
    def _require_user(conn, user_name: str) -> None:
        if conn.execute(select(users.c.name).where(users.c.name == user_name)).first() is None:
            raise NoSuchUser(user_name)
