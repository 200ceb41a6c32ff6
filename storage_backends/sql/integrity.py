"""Rows that point at nothing, for ``pypi fsck``: found by anti-joins, removed on repair.

Every write is one transaction and SQLite, MariaDB and PostgreSQL enforce the
foreign keys, so these appear only in databases that were edited by hand,
restored in part, or written by legacy code on tables without constraints.
Each check is one read; each repair one short write transaction.
"""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import and_, delete, exists, func, select, update

from ..records import Actor, IntegrityProblem
from .files import file_record
from .tables import (
    SERIAL_ROW_ID, cookies, journals, mirrors, packages, password_reset_keys, pypi_serial,
    rego_otk, release_classifiers, release_dependencies, release_files, releases, roles,
    trove_classifiers, users,
)


class Dangling(NamedTuple):
    kind: str
    table: object
    shown: tuple[str, ...]            # the columns that name a row in the report
    where: object                     # true for the dangling rows


def _release_missing(table):
    return ~exists().where(and_(releases.c.name == table.c.name,
                                releases.c.version == table.c.version))


def _user_missing(column):
    return and_(column.is_not(None), ~exists().where(users.c.name == column))


# In repair order: a release without its project goes before the rows below it.
CHECKS = (
    Dangling("release without project", releases, ("name", "version"),
             ~exists().where(packages.c.name == releases.c.name)),
    Dangling("file without release", release_files, ("filename",), _release_missing(release_files)),
    Dangling("metadata list without release", release_dependencies, ("name", "version", "kind"),
             _release_missing(release_dependencies)),
    Dangling("classifier without release", release_classifiers, ("name", "version", "trove_id"),
             _release_missing(release_classifiers)),
    Dangling("unknown classifier", release_classifiers, ("name", "version", "trove_id"),
             ~exists().where(trove_classifiers.c.id == release_classifiers.c.trove_id)),
    Dangling("role on a missing project", roles, ("role_name", "user_name", "package_name"),
             and_(roles.c.package_name.is_not(None),
                  ~exists().where(packages.c.name == roles.c.package_name))),
    Dangling("role of a missing user", roles, ("role_name", "user_name", "package_name"),
             _user_missing(roles.c.user_name)),
    Dangling("registration key of a missing user", rego_otk, ("name",), _user_missing(rego_otk.c.name)),
    Dangling("session of a missing user", cookies, ("name",), _user_missing(cookies.c.name)),
    Dangling("reset key of a missing user", password_reset_keys, ("name",),
             _user_missing(password_reset_keys.c.name)),
    Dangling("mirror of a missing user", mirrors, ("ip", "user_name"),
             _user_missing(mirrors.c.user_name)),
)


def _describe(check: Dangling, row) -> str:
    return ", ".join(f"{column} {getattr(row, column)!r}" for column in check.shown)


FILE_BATCH = 500


class IntegrityMixin:

    def iter_files(self):
        """By file name, in batches that each are one short read."""
        after = None
        while True:
            query = select(release_files).order_by(release_files.c.filename).limit(FILE_BATCH)
            if after is not None:
                query = query.where(release_files.c.filename > after)
            with self._read() as conn:
                batch = [file_record(row) for row in conn.execute(query)]
            yield from batch
            if len(batch) < FILE_BATCH:
                return
            after = batch[-1].filename

    def integrity_problems(self) -> list[IntegrityProblem]:
        problems = []
        with self._read() as conn:
            for check in CHECKS:
                columns = [check.table.c[c] for c in check.shown]
                for row in conn.execute(select(*columns).where(check.where)):
                    problems.append(IntegrityProblem(check.kind, _describe(check, row)))
            lag = self._serial_lag(conn)
        if lag is not None:
            problems.append(IntegrityProblem("serial counter behind the journal", lag))
        return problems

    def repair_integrity(self, actor: Actor) -> list[str]:
        done = []
        for check in CHECKS:
            with self._write() as conn:
                rows = conn.execute(select(check.table).where(check.where)).all()
                if not rows:
                    continue
                if check.table is releases:
                    done += self._drop_releases(conn, actor, rows)
                elif check.table is release_files:
                    done += self._drop_file_rows(conn, actor, rows)
                else:
                    conn.execute(delete(check.table).where(check.where))
                    done += [f"deleted {check.kind}: {_describe(check, r)}" for r in rows]
        with self._write() as conn:
            lag = self._serial_lag(conn)
            if lag is not None:
                highest = conn.execute(select(func.max(journals.c.id))).scalar() or 0
                if conn.execute(select(pypi_serial.c.id)).first() is None:
                    conn.execute(pypi_serial.insert().values(id=SERIAL_ROW_ID, value=highest))
                else:
                    conn.execute(update(pypi_serial).where(pypi_serial.c.id == SERIAL_ROW_ID)
                                 .values(value=highest))
                done.append(f"serial counter raised to {highest} ({lag})")
        return done

    @staticmethod
    def _serial_lag(conn) -> str | None:
        counter = conn.execute(select(pypi_serial.c.value)
                               .where(pypi_serial.c.id == SERIAL_ROW_ID)).scalar()
        highest = conn.execute(select(func.max(journals.c.id))).scalar() or 0
        if counter is None:
            return f"no counter row, journal at {highest}"
        return f"counter {counter}, journal at {highest}" if counter < highest else None

    def _drop_file_rows(self, conn, actor: Actor, rows) -> list[str]:
        done = []
        for row in rows:
            conn.execute(delete(release_files).where(release_files.c.filename == row.filename))
            self._journal(conn, actor, row.name, row.version, f"remove file {row.filename}")
            done.append(f"removed file without release: {row.filename!r} (journalled)")
        return done

    def _drop_releases(self, conn, actor: Actor, rows) -> list[str]:
        done = []
        for row in rows:
            files = conn.execute(select(release_files).where(and_(
                release_files.c.name == row.name, release_files.c.version == row.version))).all()
            done += self._drop_file_rows(conn, actor, files)
            for table in (release_dependencies, release_classifiers, releases):
                conn.execute(delete(table).where(and_(table.c.name == row.name,
                                                      table.c.version == row.version)))
            self._journal(conn, actor, row.name, row.version, "remove")
            done.append(f"removed release without project: {row.name!r} {row.version!r} "
                        f"(journalled)")
        return done
