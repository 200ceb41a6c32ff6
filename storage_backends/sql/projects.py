"""Projects (the legacy ``packages`` table) in the SQL store."""
from __future__ import annotations

from sqlalchemy import bindparam, delete, or_, select
from sqlalchemy.engine import Connection

from ..errors import NoSuchProject, NoSuchUser, ProjectExists
from ..ordering import legacy_normalized_name, normalize_name
from ..records import OWNER, Actor, FileRecord, Project
from .journal import NOT_LOOKED_UP, utcnow
from .tables import (
    packages, release_classifiers, release_dependencies, release_files, releases, roles, users,
)


def project_record(row) -> Project:
    return Project(
        name=row.name, normalized_name=row.pep503_name or normalize_name(row.name),
        autohide=bool(row.autohide) if row.autohide is not None else True,
        comments=bool(row.comments) if row.comments is not None else True,
        bugtrack_url=row.bugtrack_url, hosting_mode=row.hosting_mode or "pypi-explicit",
        created=row.created, last_serial=row.last_serial or 0, has_docs=bool(row.has_docs))


def name_columns(name: str) -> dict[str, str]:
    """Both normalised forms a ``packages`` row keeps: legacy's and PEP 503's."""
    return {"normalized_name": legacy_normalized_name(name), "pep503_name": normalize_name(name)}


def rows_by_pep503_name(conn: Connection, name: str, columns: tuple | None = None) -> list:
    """The ``packages`` rows spelt like ``name`` under PEP 503 (index lookup).

    Rows a legacy process created after ``pypi upgradedb`` have no PEP 503 form
    yet; they are few and indexed by their NULL, so they are checked here too.
    """
    key = normalize_name(name)
    statement = (PROJECTS_BY_PEP503 if columns is None
                 else select(*columns).where(PEP503_OR_NONE))
    return spelt_like(key, conn.execute(statement, {"key": key}))


# The rows rows_by_pep503_name filters: PEP 503 form ``key``, or none recorded.
PEP503_OR_NONE = or_(packages.c.pep503_name == bindparam("key"), packages.c.pep503_name.is_(None))
PROJECTS_BY_PEP503 = select(packages).where(PEP503_OR_NONE)
# Built once: an upload's transaction runs each of these.
PROJECT_BY_NAME = select(packages).where(packages.c.name == bindparam("name"))
USER_EXISTS = select(users.c.name).where(users.c.name == bindparam("name"))
INSERT_PROJECT, INSERT_ROLE = packages.insert(), roles.insert()


def spelt_like(key: str, rows) -> list:
    return [row for row in rows if normalize_name(row.name) == key]


def preferred_project_row(name: str, rows: list):
    """Of the rows spelt like ``name``, the exact spelling, else the first by name."""
    for row in rows:
        if row.name == name:
            return row
    return min(rows, key=lambda r: r.name) if rows else None


def project_sort_key(project: Project) -> tuple[str, str]:
    """Case-insensitive first, then exact: the same order on every database."""
    return (project.name.lower(), project.name)


class ProjectsMixin:

    def get_project(self, name: str) -> Project | None:
        with self._read() as conn:
            row = self._project_row(conn, name)
        return project_record(row) if row else None

    def find_project(self, name: str) -> Project | None:
        with self._read() as conn:
            row = self._find_project_row(conn, name)
        return project_record(row) if row else None

    def list_projects(self) -> list[Project]:
        with self._read() as conn:
            rows = conn.execute(select(packages)).all()
        return sorted((project_record(r) for r in rows), key=project_sort_key)

    def create_project(self, actor: Actor, name: str) -> Project:
        with self._write() as conn:
            self._check_new_project(conn, actor, name)
            self._insert_project(conn, actor, name)
            self._flush_journal(conn)
            row = self._project_row(conn, name)
        return project_record(row)

    def remove_project(self, actor: Actor, name: str) -> list[FileRecord]:
        with self._write() as conn:
            if self._project_row(conn, name) is None:
                raise NoSuchProject(name)
            removed = self._file_records(conn, release_files.c.name == name)
            for table in (release_files, release_dependencies, release_classifiers):
                conn.execute(delete(table).where(table.c.name == name))
            conn.execute(delete(releases).where(releases.c.name == name))
            conn.execute(delete(roles).where(roles.c.package_name == name))
            conn.execute(delete(packages).where(packages.c.name == name))
            self._journal(conn, actor, name, None, "remove")
        return removed

    # -- helpers shared with releases and roles ---------------------------------
    @staticmethod
    def _project_row(conn: Connection, name: str):
        return conn.execute(PROJECT_BY_NAME, {"name": name}).first()

    @staticmethod
    def _find_project_row(conn: Connection, name: str):
        """The project spelt like ``name`` under PEP 503, preferring the exact spelling."""
        return preferred_project_row(name, rows_by_pep503_name(conn, name))

    def _check_new_project(self, conn: Connection, actor: Actor, name: str,
                           found=NOT_LOOKED_UP) -> None:
        """Raise what would stop ``name`` from being created by ``actor``; ``found``: what
        ``_find_project_row`` gave, when the caller looked already."""
        existing = self._find_project_row(conn, name) if found is NOT_LOOKED_UP else found
        if existing is not None:
            raise ProjectExists(name, existing.name)
        if actor.user is not None and conn.execute(
                USER_EXISTS, {"name": actor.user}).first() is None:
            raise NoSuchUser(actor.user)

    def _insert_project(self, conn: Connection, actor: Actor, name: str) -> None:
        """Insert the project row; journal ``create`` and the creator's ownership."""
        conn.execute(INSERT_PROJECT, dict(
            name=name, **name_columns(name), autohide=True, comments=True,
            hosting_mode="pypi-explicit", created=utcnow(), last_serial=0, has_docs=False))
        self._journal(conn, actor, name, None, "create")
        if actor.user is not None:
            conn.execute(INSERT_ROLE, dict(
                role_name=OWNER, user_name=actor.user, package_name=name))
            self._journal(conn, actor, name, None, f"add {OWNER} {actor.user}")
