"""Account lifecycle in the SQL store: registration keys, profile changes, deletion.

A ``rego_otk`` row means "registration not confirmed yet", as in legacy; the
key is kept as issued (legacy databases hold plain keys, and the key only
proves that the mail arrived). Nothing here is journalled except the role
removals of a deleted account, which mirrors must see.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update

from ..errors import EmailExists, NoSuchUser, UserExists, UserOwnsProjects
from ..records import DELETED_USER, OWNER, Actor, OneTimeKey, User
from .accounts import user_record
from .sessions import naive_utc
from .tables import (
    cookies, journals, login_failures, mirrors, password_reset_keys, rego_otk, roles, users,
)


class RegistrationMixin:

    def register_user(self, name: str, email: str, password_hash: str, otk: str,
                      when: datetime, gpg_keyid: str | None = None) -> User:
        with self._write() as conn:
            if self._user_row(conn, name) is not None:
                raise UserExists(name)
            other = conn.execute(select(users.c.name).where(
                func.lower(users.c.email) == email.lower()).limit(1)).first()
            if other is not None:
                raise EmailExists(email, other.name)
            conn.execute(users.insert().values(name=name, email=email, password=password_hash,
                                               gpg_keyid=gpg_keyid or None))
            conn.execute(rego_otk.insert().values(name=name, otk=otk, date=naive_utc(when)))
            row = self._user_row(conn, name)
        return user_record(row)

    def registration_key(self, user_name: str) -> OneTimeKey | None:
        with self._read() as conn:
            row = conn.execute(select(rego_otk).where(rego_otk.c.name == user_name)
                               .order_by(rego_otk.c.date.desc()).limit(1)).first()
        return OneTimeKey(row.name, row.otk, row.date) if row else None

    def confirm_registration(self, otk: str, not_before: datetime) -> str | None:
        with self._write_transaction() as conn:
            row = conn.execute(select(rego_otk).where(rego_otk.c.otk == otk)).first()
            if row is None or row.date is None or row.date < naive_utc(not_before):
                return None
            conn.execute(delete(rego_otk).where(rego_otk.c.name == row.name))
        return row.name

    def purge_unconfirmed_users(self, issued_before: datetime) -> list[str]:
        with self._write() as conn:
            stale = conn.execute(select(rego_otk.c.name).where(
                rego_otk.c.date < naive_utc(issued_before)).distinct()).scalars().all()
            holding = set(conn.execute(select(roles.c.user_name).where(
                roles.c.user_name.in_(stale))).scalars())
            purged = sorted(set(stale) - holding)
            if purged:
                self._delete_user_rows(conn, purged)
        return purged

    def update_user(self, name: str, email: str, gpg_keyid: str | None) -> User:
        with self._write_transaction() as conn:
            if conn.execute(update(users).where(users.c.name == name).values(
                    email=email, gpg_keyid=gpg_keyid or None)).rowcount == 0:
                raise NoSuchUser(name)
            row = self._user_row(conn, name)
        return user_record(row)

    def delete_user(self, actor: Actor, name: str) -> None:
        with self._write() as conn:
            if self._user_row(conn, name) is None:
                raise NoSuchUser(name)
            held = conn.execute(select(roles).where(roles.c.user_name == name)).all()
            sole = sorted(r.package_name for r in held
                          if r.role_name == OWNER and r.package_name is not None
                          and self._owner_count(conn, r.package_name) == 1)
            if sole:
                raise UserOwnsProjects(name, sole)
            for role in sorted(held, key=lambda r: (r.package_name or "", r.role_name)):
                conn.execute(delete(roles).where(
                    roles.c.user_name == name, roles.c.role_name == role.role_name,
                    roles.c.package_name == role.package_name if role.package_name is not None
                    else roles.c.package_name.is_(None)))
                self._journal(conn, actor, role.package_name or "", None,
                              f"remove {role.role_name} {name}")
            conn.execute(update(journals).where(journals.c.submitted_by == name)
                         .values(submitted_by=DELETED_USER))
            self._delete_user_rows(conn, [name])

    @staticmethod
    def _owner_count(conn, project: str) -> int:
        return conn.execute(select(func.count()).select_from(roles).where(
            roles.c.package_name == project, roles.c.role_name == OWNER)).scalar_one()

    @staticmethod
    def _delete_user_rows(conn, names: list[str]) -> None:
        """The user rows and everything that points at them (roles already checked)."""
        conn.execute(delete(roles).where(roles.c.user_name.in_(names)))
        conn.execute(update(mirrors).where(mirrors.c.user_name.in_(names)).values(user_name=None))
        for table in (rego_otk, cookies, password_reset_keys):
            conn.execute(delete(table).where(table.c.name.in_(names)))
        conn.execute(delete(login_failures).where(
            login_failures.c.subject.in_([f"user:{n}" for n in names])))
        conn.execute(delete(users).where(users.c.name.in_(names)))
