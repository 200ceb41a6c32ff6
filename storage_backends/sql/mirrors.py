"""Registered PEP 381 mirrors (the legacy ``mirrors`` table) in the SQL store.

Writes take the usual write transaction (the serial counter's lock) so that
the existence checks cannot be overtaken by a concurrent writer, but write no
journal row: the mirror list is site administration, not package data.
"""
from __future__ import annotations

from sqlalchemy import delete, select

from ..errors import MirrorExists, NoSuchMirror, NoSuchUser
from ..records import Mirror
from .tables import mirrors, users


class MirrorsMixin:

    def list_mirrors(self) -> list[Mirror]:
        with self._read() as conn:
            rows = conn.execute(select(mirrors).order_by(mirrors.c.ip)).all()
        return [Mirror(ip=row.ip, user_name=row.user_name) for row in rows]

    def add_mirror(self, ip: str, user_name: str | None) -> Mirror:
        with self._write() as conn:
            if conn.execute(select(mirrors.c.ip).where(mirrors.c.ip == ip)).first():
                raise MirrorExists(ip)
            if user_name is not None and conn.execute(
                    select(users.c.name).where(users.c.name == user_name)).first() is None:
                raise NoSuchUser(user_name)
            conn.execute(mirrors.insert().values(ip=ip, user_name=user_name))
        return Mirror(ip=ip, user_name=user_name)

    def remove_mirror(self, ip: str) -> None:
        with self._write() as conn:
            if conn.execute(delete(mirrors).where(mirrors.c.ip == ip)).rowcount == 0:
                raise NoSuchMirror(ip)
