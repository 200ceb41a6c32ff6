"""Export and import of a whole index in the SQL store (``pypi migrate``).

Imports write rows as the records give them (timestamps, orderings, serials,
download counts) and journal nothing. Each import is one transaction holding
the serial counter's lock, like every other write, and replaces what the
target holds under the same key, so an interrupted migration can simply run
again. Users are updated in place rather than deleted and re-inserted, because
roles and mirrors point at them.
"""
from __future__ import annotations

from typing import Iterator, Mapping, Sequence

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.engine import Connection

from ..classifier_ids import imported_classifier_ids
from ..errors import DigestExists, FileExists
from ..ordering import normalize_name
from ..records import (
    LIST_FIELD_KINDS, SINGLE_FIELDS, JournalEntry, OneTimeKey, ProjectExport, UserExport,
)
from .accounts import user_record
from .projects import name_columns, rows_by_pep503_name
from .tables import (
    SERIAL_ROW_ID, journals, packages, pypi_migration, pypi_serial, rego_otk,
    release_classifiers, release_dependencies, release_files, releases, roles,
    trove_classifiers, users,
)

_SEP = " :: "
_LEVELS = (2, 3, 4, 5)
_MARKER_ROW_ID = 1


class MigrationMixin:

    # -- export ------------------------------------------------------------------------
    def export_users(self) -> Iterator[UserExport]:
        with self._read() as conn:
            rows = conn.execute(select(users).order_by(users.c.name)).all()
            keys = {}
            for r in conn.execute(select(rego_otk).order_by(rego_otk.c.date)):
                keys[r.name] = OneTimeKey(r.name, r.otk, r.date)     # the latest wins
            site = {}
            for r in conn.execute(select(roles.c.user_name, roles.c.role_name)
                                  .where(roles.c.package_name.is_(None))):
                site.setdefault(r.user_name, set()).add(r.role_name)
        for row in rows:
            yield UserExport(user_record(row), keys.get(row.name),
                             tuple(sorted(site.get(row.name, ()))))

    # -- import ------------------------------------------------------------------------
    def import_classifiers(self, ids: Mapping[str, int]) -> None:
        with self._write() as conn:
            current = dict(conn.execute(select(trove_classifiers.c.classifier,
                                               trove_classifiers.c.id)).all())
            used_ids = set(conn.execute(select(release_classifiers.c.trove_id).distinct())
                           .scalars())
            final = imported_classifier_ids(
                ids, current, {c for c, i in current.items() if i in used_ids})
            unused = delete(trove_classifiers)
            conn.execute(unused.where(trove_classifiers.c.id.not_in(used_ids)) if used_ids
                         else unused)
            levels = {c: {f"l{d}": final.get(_SEP.join(c.split(_SEP)[:d]), 0) if
                          d <= c.count(_SEP) + 1 else 0 for d in _LEVELS} for c in final}
            new = [{"id": i, "classifier": c, **levels[c]} for c, i in final.items()
                   if i not in used_ids]
            if new:
                conn.execute(insert(trove_classifiers), new)
            for classifier, trove_id in final.items():
                if trove_id in used_ids:
                    conn.execute(update(trove_classifiers).where(
                        trove_classifiers.c.id == trove_id).values(**levels[classifier]))

    def import_users(self, users_: Sequence[UserExport]) -> None:
        with self._write() as conn:
            for export in users_:
                u = export.user
                values = {"email": u.email, "password": u.password, "gpg_keyid": u.gpg_keyid,
                          "last_login": u.last_login}
                if conn.execute(update(users).where(users.c.name == u.name)
                                .values(**values)).rowcount == 0:
                    conn.execute(insert(users).values(name=u.name, **values))
                conn.execute(delete(rego_otk).where(rego_otk.c.name == u.name))
                if export.registration is not None:
                    key = export.registration
                    conn.execute(insert(rego_otk).values(name=u.name, otk=key.key,
                                                         date=key.created))
                conn.execute(delete(roles).where(roles.c.user_name == u.name,
                                                 roles.c.package_name.is_(None)))
                for role_name in export.site_roles:
                    conn.execute(insert(roles).values(role_name=role_name, user_name=u.name,
                                                      package_name=None))

    def import_project(self, export: ProjectExport) -> None:
        p = export.project
        with self._write() as conn:
            self._check_import_files(conn, export)
            for old in [row.name for row in rows_by_pep503_name(conn, p.name, (packages.c.name,))]:
                for table in (release_files, release_dependencies, release_classifiers):
                    conn.execute(delete(table).where(table.c.name == old))
                conn.execute(delete(releases).where(releases.c.name == old))
                conn.execute(delete(roles).where(roles.c.package_name == old))
                conn.execute(delete(packages).where(packages.c.name == old))
            conn.execute(insert(packages).values(
                name=p.name, **name_columns(p.name), autohide=p.autohide,
                comments=p.comments, bugtrack_url=p.bugtrack_url, hosting_mode=p.hosting_mode,
                created=p.created, last_serial=p.last_serial, has_docs=p.has_docs))
            for r in export.releases:
                conn.execute(insert(releases).values(
                    name=p.name, version=r.version, _pypi_hidden=r.hidden,
                    _pypi_ordering=r.ordering, created=r.created,
                    **{f: getattr(r.metadata, f) for f in SINGLE_FIELDS}))
                for field in LIST_FIELD_KINDS:
                    self._insert_list(conn, p.name, r.version, field, getattr(r.metadata, field))
                self._insert_classifiers(conn, p.name, r.version,
                                         self._classifier_ids(conn, r.metadata.classifiers))
            if export.files:
                conn.execute(insert(release_files), [{
                    "name": p.name, "version": f.version, "python_version": f.python_version,
                    "packagetype": f.packagetype, "comment_text": f.comment_text,
                    "filename": f.filename, "md5_digest": f.md5_digest,
                    "upload_time": f.upload_time, "downloads": f.downloads,
                    "sha256_digest": f.sha256_digest, "blake2_256_digest": f.blake2_256_digest,
                    "size": f.size, "has_signature": f.has_signature, "path": f.path,
                    "requires_python": f.requires_python, "metadata_sha256": f.metadata_sha256,
                } for f in export.files])
            if export.roles:
                conn.execute(insert(roles), [
                    {"role_name": r.role_name, "user_name": r.user_name, "package_name": p.name}
                    for r in export.roles])

    @staticmethod
    def _check_import_files(conn: Connection, export: ProjectExport) -> None:
        """Refuse file names or md5s that another project (by normalised name) holds."""
        norm = normalize_name(export.project.name)
        for f in export.files:
            for column, error in ((release_files.c.filename, FileExists),
                                  (release_files.c.md5_digest, DigestExists)):
                value = f.filename if error is FileExists else f.md5_digest
                row = conn.execute(select(release_files.c.filename, packages.c.name)
                                   .join(packages, packages.c.name == release_files.c.name)
                                   .where(column == value)).first()
                if row is not None and normalize_name(row.name) != norm:
                    raise (FileExists(f.filename) if error is FileExists
                           else DigestExists(f.filename, row.filename))

    def import_journal(self, entries: Sequence[JournalEntry]) -> None:
        if not entries:
            return
        with self._write() as conn:
            self._insert_journal_rows(conn, entries)

    @staticmethod
    def _insert_journal_rows(conn: Connection, entries: Sequence[JournalEntry]) -> None:
        """Replace the rows of these serials; raise the counter to the highest (never lower)."""
        serials = [e.serial for e in entries]
        for start in range(0, len(serials), 500):
            conn.execute(delete(journals).where(journals.c.id.in_(serials[start:start + 500])))
        conn.execute(insert(journals), [{
            "id": e.serial, "name": e.name, "version": e.version, "action": e.action,
            "submitted_date": e.submitted_date, "submitted_by": e.submitted_by,
            "submitted_from": e.submitted_from} for e in entries])
        conn.execute(update(pypi_serial).where(and_(
            pypi_serial.c.id == SERIAL_ROW_ID, pypi_serial.c.value < max(serials)))
            .values(value=max(serials)))

    # -- progress marker -----------------------------------------------------------------
    def migration_marker(self) -> str | None:
        with self._read() as conn:
            return conn.execute(select(pypi_migration.c.marker)
                                .where(pypi_migration.c.id == _MARKER_ROW_ID)).scalar()

    def set_migration_marker(self, marker: str | None) -> None:
        with self._write_transaction() as conn:
            conn.execute(delete(pypi_migration))
            if marker is not None:
                conn.execute(insert(pypi_migration).values(id=_MARKER_ROW_ID, marker=marker))
