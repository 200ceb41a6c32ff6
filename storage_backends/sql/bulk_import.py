"""Many projects in one transaction (``Store.import_projects``, for ``pypi load-sample``).

The rows are those ``import_project`` and ``import_journal`` write, but each
table gets one ``executemany`` per batch instead of statements per release,
and the file-name and md5 checks are a few ``IN`` queries for the whole batch.
One transaction holding the serial counter's lock: a batch is there whole or
not at all.
"""
from __future__ import annotations

from typing import Iterable, Iterator, Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from ..errors import DigestExists, FileExists, UnknownClassifier
from ..ordering import normalize_name
from ..records import LIST_FIELD_KINDS, SINGLE_FIELDS, JournalEntry, ProjectExport
from .projects import name_columns
from .tables import (
    packages, release_classifiers, release_dependencies, release_files, releases, roles,
    trove_classifiers,
)

# Bound parameters per IN list: well under every database's limit (SQLite's is 32766).
_IN_CHUNK = 500


def _chunks(values: Sequence, size: int = _IN_CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


class BulkImportMixin:

    def import_projects(self, exports: Sequence[ProjectExport],
                        journal: Sequence[JournalEntry] = ()) -> None:
        if not exports and not journal:
            return
        with self._write() as conn:
            self._check_bulk_files(conn, exports)
            self._delete_projects(conn, [normalize_name(e.project.name) for e in exports])
            trove_ids = self._bulk_classifier_ids(
                conn, {c for e in exports for r in e.releases for c in r.metadata.classifiers})
            rows = _Rows()
            for export in exports:
                rows.add(export, trove_ids)
            for table, values in rows.tables():
                if values:
                    conn.execute(insert(table), values)
            if journal:
                self._insert_journal_rows(conn, journal)

    @staticmethod
    def _check_bulk_files(conn: Connection, exports: Sequence[ProjectExport]) -> None:
        """Refuse file names or md5s that a project outside its own name already holds."""
        owner = {}
        for export in exports:
            norm = normalize_name(export.project.name)
            for f in export.files:
                owner[("name", f.filename)] = owner[("md5", f.md5_digest)] = (norm, f.filename)
        for kind, column in (("name", release_files.c.filename), ("md5", release_files.c.md5_digest)):
            values = [value for (k, value) in owner if k == kind]
            for part in _chunks(values):
                for row in conn.execute(select(column.label("value"), release_files.c.filename,
                                               release_files.c.name)
                                        .where(column.in_(part))):
                    norm, filename = owner[(kind, row.value)]
                    if normalize_name(row.name) != norm:
                        raise (FileExists(filename) if kind == "name"
                               else DigestExists(filename, row.filename))

    @staticmethod
    def _delete_projects(conn: Connection, norms: list[str]) -> None:
        """Drop the projects whose names normalise like the incoming ones (replaced).

        Rows a legacy process wrote have no PEP 503 form yet (see ``rows_by_pep503_name``).
        """
        wanted = set(norms)
        old = [name for name in conn.execute(select(packages.c.name).where(
            packages.c.pep503_name.is_(None))).scalars() if normalize_name(name) in wanted]
        for part in _chunks(norms):
            old += conn.execute(select(packages.c.name)
                                .where(packages.c.pep503_name.in_(part))).scalars().all()
        for part in _chunks(old):
            for table in (release_files, release_dependencies, release_classifiers, releases):
                conn.execute(delete(table).where(table.c.name.in_(part)))
            conn.execute(delete(roles).where(roles.c.package_name.in_(part)))
            conn.execute(delete(packages).where(packages.c.name.in_(part)))

    @staticmethod
    def _bulk_classifier_ids(conn: Connection, wanted: set[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for part in _chunks(sorted(wanted)):
            found.update(conn.execute(select(trove_classifiers.c.classifier, trove_classifiers.c.id)
                                      .where(trove_classifiers.c.classifier.in_(part))).all())
        for classifier in sorted(wanted - found.keys()):
            raise UnknownClassifier(classifier)
        return found


class _Rows:
    """The rows of a batch, gathered per table in insertion order."""

    def __init__(self):
        self.packages, self.releases, self.lists, self.classifiers = [], [], [], []
        self.files, self.roles = [], []

    def tables(self) -> Iterable[tuple]:
        return ((packages, self.packages), (releases, self.releases),
                (release_dependencies, self.lists), (release_classifiers, self.classifiers),
                (release_files, self.files), (roles, self.roles))

    def add(self, export: ProjectExport, trove_ids: dict[str, int]) -> None:
        p = export.project
        self.packages.append(dict(
            name=p.name, **name_columns(p.name), autohide=p.autohide,
            comments=p.comments, bugtrack_url=p.bugtrack_url, hosting_mode=p.hosting_mode,
            created=p.created, last_serial=p.last_serial, has_docs=p.has_docs))
        for r in export.releases:
            self.releases.append(dict(
                name=p.name, version=r.version, _pypi_hidden=r.hidden, _pypi_ordering=r.ordering,
                created=r.created, **{f: getattr(r.metadata, f) for f in SINGLE_FIELDS}))
            for field, kind in LIST_FIELD_KINDS.items():
                self.lists += [{"name": p.name, "version": r.version, "kind": kind,
                                "specifier": value} for value in getattr(r.metadata, field)]
            self.classifiers += [{"name": p.name, "version": r.version, "trove_id": trove_ids[c]}
                                 for c in dict.fromkeys(r.metadata.classifiers)]
        self.files += [{
            "name": p.name, "version": f.version, "python_version": f.python_version,
            "packagetype": f.packagetype, "comment_text": f.comment_text,
            "filename": f.filename, "md5_digest": f.md5_digest, "upload_time": f.upload_time,
            "downloads": f.downloads, "sha256_digest": f.sha256_digest,
            "blake2_256_digest": f.blake2_256_digest, "size": f.size,
            "has_signature": f.has_signature, "path": f.path,
            "requires_python": f.requires_python, "metadata_sha256": f.metadata_sha256,
        } for f in export.files]
        self.roles += [{"role_name": r.role_name, "user_name": r.user_name, "package_name": p.name}
                       for r in export.roles]
