"""Users and roles in the SQL store.

A role row with ``package_name`` NULL is site-wide (how Admin is stored) and
counts for every project. Site-wide role changes are journalled with the
project name ``''``, as legacy's key-rotation row was.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import and_, delete, func, or_, select, update

from ..errors import NoSuchProject, NoSuchRole, NoSuchUser, RoleExists, UserExists
from ..records import ROLE_NAMES, Actor, Role, User
from .tables import packages, roles, users


def user_record(row) -> User:
    return User(name=row.name, email=row.email or "", password=row.password or "",
                gpg_keyid=row.gpg_keyid, last_login=row.last_login)


def _role_where(role_name: str, user_name: str, project: str | None):
    return and_(roles.c.role_name == role_name, roles.c.user_name == user_name,
                roles.c.package_name.is_(None) if project is None
                else roles.c.package_name == project)


class AccountsMixin:

    # -- users -------------------------------------------------------------------
    def create_user(self, name: str, email: str, password_hash: str) -> User:
        with self._write() as conn:
            if self._user_row(conn, name) is not None:
                raise UserExists(name)
            conn.execute(users.insert().values(name=name, email=email, password=password_hash))
            row = self._user_row(conn, name)
        return user_record(row)

    def get_user(self, name: str) -> User | None:
        with self._read() as conn:
            row = self._user_row(conn, name)
        return user_record(row) if row else None

    def get_user_by_email(self, email: str) -> User | None:
        # Legacy enforced one account per lower-cased address in code only, so
        # an old database may hold several: the first by name wins.
        with self._read() as conn:
            row = conn.execute(select(users).where(func.lower(users.c.email) == email.lower())
                               .order_by(users.c.name).limit(1)).first()
        return user_record(row) if row else None

    def set_password_hash(self, name: str, password_hash: str) -> None:
        self._update_user(name, password=password_hash)

    def record_login(self, name: str, when: datetime) -> None:
        if when.tzinfo is not None:
            when = when.astimezone(timezone.utc).replace(tzinfo=None)
        self._update_user(name, last_login=when.replace(microsecond=0))

    def _update_user(self, name: str, **values) -> None:
        """One UPDATE without the counter lock: it checks nothing and journals nothing.

        Still an immediate transaction on SQLite, whose deferred ones can fail
        with "database is locked" instead of waiting.
        """
        with self._write_transaction() as conn:
            if conn.execute(update(users).where(users.c.name == name)
                            .values(**values)).rowcount == 0:
                raise NoSuchUser(name)

    @staticmethod
    def _user_row(conn, name: str):
        return conn.execute(select(users).where(users.c.name == name)).first()

    # -- roles -------------------------------------------------------------------
    def add_role(self, actor: Actor, role_name: str, user_name: str, project: str | None) -> None:
        _check_role_name(role_name)
        with self._write() as conn:
            if self._user_row(conn, user_name) is None:
                raise NoSuchUser(user_name)
            if project is not None and conn.execute(
                    select(packages.c.name).where(packages.c.name == project)).first() is None:
                raise NoSuchProject(project)
            if conn.execute(select(roles.c.role_name)
                            .where(_role_where(role_name, user_name, project))).first():
                raise RoleExists(role_name, user_name, project)
            conn.execute(roles.insert().values(
                role_name=role_name, user_name=user_name, package_name=project))
            self._journal(conn, actor, project or "", None, f"add {role_name} {user_name}")

    def remove_role(self, actor: Actor, role_name: str, user_name: str,
                    project: str | None) -> None:
        with self._write() as conn:
            where = _role_where(role_name, user_name, project)
            if conn.execute(select(roles.c.role_name).where(where)).first() is None:
                raise NoSuchRole(role_name, user_name, project)
            conn.execute(delete(roles).where(where))
            self._journal(conn, actor, project or "", None, f"remove {role_name} {user_name}")

    def roles_for_project(self, name: str) -> list[Role]:
        return sorted(self._roles(roles.c.package_name == name),
                      key=lambda r: (r.role_name, r.user_name))

    def roles_for_user(self, user_name: str) -> list[Role]:
        return sorted(self._roles(roles.c.user_name == user_name),
                      key=lambda r: (r.package_name is not None, r.package_name or "",
                                     r.role_name))

    def has_role(self, user_name: str, project: str | None, *role_names: str) -> bool:
        where = [roles.c.user_name == user_name]
        if role_names:
            where.append(roles.c.role_name.in_(role_names))
        scope = roles.c.package_name.is_(None)
        if project is not None:
            scope = or_(scope, roles.c.package_name == project)
        with self._read() as conn:
            return conn.execute(select(roles.c.role_name)
                                .where(*where, scope).limit(1)).first() is not None

    def _roles(self, where) -> list[Role]:
        with self._read() as conn:
            return [Role(r.role_name, r.user_name, r.package_name)
                    for r in conn.execute(select(roles).where(where))]


def _check_role_name(role_name: str) -> None:
    if role_name not in ROLE_NAMES:
        raise ValueError(f"unknown role {role_name!r}; expected one of {ROLE_NAMES}")
