"""The one-statement reads of an authenticated write (an upload), on the thread's connection.

An upload reads its user, the user's pending registration key, the project and
whether the file name is taken before it writes anything. Through the pool each
of those reads is a check-out with its pre-ping, a ``BEGIN``, the statement and
a rollback: four round trips to PostgreSQL or MariaDB where one does. Each is
one statement, its own snapshot, so it runs in autocommit on the connection
the thread keeps (``fast_reads.ThreadConnections``) like the index page reads.
"""
from __future__ import annotations

from sqlalchemy import bindparam, select

from ..ordering import normalize_name
from ..records import FileRecord, OneTimeKey, Project, User
from .accounts import user_record
from .fast_reads import FILE_ROWS, DriverRows
from .files import file_record
from .projects import PROJECTS_BY_PEP503, preferred_project_row, project_record, spelt_like
from .tables import packages, rego_otk, release_files, users

USER = select(users).where(users.c.name == bindparam("name"))
REGISTRATION_KEY = (select(rego_otk).where(rego_otk.c.name == bindparam("name"))
                    .order_by(rego_otk.c.date.desc()).limit(1))
FILE = select(release_files).where(release_files.c.filename == bindparam("filename"))


_USER, _KEY, _PACKAGE = DriverRows(users), DriverRows(rego_otk), DriverRows(packages)


class RequestReadsMixin:
    """``get_user``, ``registration_key``, ``find_project`` and ``get_file`` on
    ``self._reads`` (None for an in-memory SQLite database: the pooled way then)."""

    def get_user(self, name: str) -> User | None:
        if self._reads is None:
            return super().get_user(name)
        found = self._reads.rows(USER, name=name)
        return user_record(_USER(found[0])) if found else None

    def registration_key(self, user_name: str) -> OneTimeKey | None:
        if self._reads is None:
            return super().registration_key(user_name)
        found = self._reads.rows(REGISTRATION_KEY, name=user_name)
        if not found:
            return None
        row = _KEY(found[0])
        return OneTimeKey(row.name, row.otk, row.date)

    def find_project(self, name: str) -> Project | None:
        if self._reads is None:
            return super().find_project(name)
        key = normalize_name(name)
        rows = spelt_like(key, map(_PACKAGE, self._reads.rows(PROJECTS_BY_PEP503, key=key)))
        row = preferred_project_row(name, rows)
        return project_record(row) if row else None

    def get_file(self, filename: str) -> FileRecord | None:
        if self._reads is None:
            return super().get_file(filename)
        found = self._reads.rows(FILE, filename=filename)
        return file_record(FILE_ROWS(found[0])) if found else None
