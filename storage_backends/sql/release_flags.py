"""Release-management changes in the SQL store: autohide, hidden releases, hosted docs."""
from __future__ import annotations

from sqlalchemy import select, update

from ..errors import NoSuchProject, NoSuchRelease
from ..records import Actor
from .tables import packages, releases


class ReleaseFlagsMixin:

    def set_autohide(self, name: str, autohide: bool) -> None:
        with self._write_transaction() as conn:
            if conn.execute(update(packages).where(packages.c.name == name)
                            .values(autohide=autohide)).rowcount == 0:
                raise NoSuchProject(name)

    def set_release_hidden(self, actor: Actor, name: str, version: str, hidden: bool) -> bool:
        with self._write() as conn:
            row = conn.execute(select(releases.c._pypi_hidden).where(
                releases.c.name == name, releases.c.version == version)).first()
            if row is None:
                raise NoSuchRelease(name, version)
            if bool(row._pypi_hidden) == hidden:
                return False
            conn.execute(update(releases).where(
                releases.c.name == name, releases.c.version == version,
            ).values(_pypi_hidden=hidden))
            self._journal(conn, actor, name, version, "update _pypi_hidden")
        return True

    def set_has_docs(self, actor: Actor, name: str, has_docs: bool) -> None:
        with self._write() as conn:
            if conn.execute(update(packages).where(packages.c.name == name)
                            .values(has_docs=has_docs)).rowcount == 0:
                raise NoSuchProject(name)
            self._journal(conn, actor, name, None, "docupdate" if has_docs else "docdestroy")
