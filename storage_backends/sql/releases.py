"""Releases and their metadata lists in the SQL store.

Single-valued metadata are columns of ``releases``; lists are rows of
``release_dependencies`` (one ``kind`` per list, in submitted order by row id)
and classifiers are rows of ``release_classifiers`` pointing at
``trove_classifiers``. Legacy kept no classifier order, so a release's
classifiers come back sorted.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import and_, delete, false, or_, select, update
from sqlalchemy.engine import Connection

from ..errors import NoSuchRelease, ProjectExists
from ..ordering import compute_orderings
from ..records import (
    LIST_FIELD_KINDS, SINGLE_FIELDS, Actor, FileRecord, Release, ReleaseChange,
    ReleaseMetadata,
)
from .journal import utcnow
from .tables import (
    release_classifiers, release_dependencies, release_files, releases, trove_classifiers,
)

INSERT_RELEASE = releases.insert()
_FIELD_OF_KIND = {kind: field for field, kind in LIST_FIELD_KINDS.items()}
# Journal names differing from record field names: legacy's column name.
_JOURNAL_NAMES = {"hidden": "_pypi_hidden"}


class ReleasesMixin:

    def store_release(self, actor: Actor, name: str, version: str,
                      metadata: ReleaseMetadata, *, hidden: bool | None = None) -> ReleaseChange:
        with self._write() as conn:
            project = self._project_row(conn, name)
            if project is None:
                self._check_new_project(conn, actor, name)
            trove_ids = self._classifier_ids(conn, metadata.classifiers)
            if project is None:
                self._insert_project(conn, actor, name)
                autohide = True
            else:
                autohide = project.autohide is None or bool(project.autohide)
            old = self._load_releases(conn, name, version)
            if not old:
                self._insert_release(conn, actor, name, version, metadata, trove_ids,
                                     bool(hidden), autohide)
                release = self._load_releases(conn, name, version)[0]
                return ReleaseChange(release, project_created=project is None,
                                     release_created=True)
            changed = self._update_release(conn, actor, old[0], metadata, trove_ids, hidden)
            release = self._load_releases(conn, name, version)[0] if changed else old[0]
        return ReleaseChange(release, changed_fields=changed)

    def _create_release_for_file(self, conn: Connection, actor: Actor, name: str, version: str,
                                 metadata: ReleaseMetadata) -> None:
        """``store_release``'s insert path inside ``add_file``'s transaction, which has
        found no such release."""
        project = self._find_project_row(conn, name)
        if project is not None and project.name != name:
            raise ProjectExists(name, project.name)
        if project is None:
            self._check_new_project(conn, actor, name, found=None)
        trove_ids = self._classifier_ids(conn, metadata.classifiers)
        if project is None:
            self._insert_project(conn, actor, name)
        autohide = project is None or project.autohide is None or bool(project.autohide)
        self._insert_release(conn, actor, name, version, metadata, trove_ids, False, autohide,
                             only_release=project is None)

    def get_release(self, name: str, version: str) -> Release | None:
        with self._read() as conn:
            found = self._load_releases(conn, name, version)
        return found[0] if found else None

    def list_releases(self, name: str, include_hidden: bool = True) -> list[Release]:
        with self._read() as conn:
            found = self._load_releases(conn, name)
        if not include_hidden:
            found = [r for r in found if not r.hidden]
        return sorted(found, key=lambda r: r.ordering, reverse=True)

    def remove_release(self, actor: Actor, name: str, version: str) -> list[FileRecord]:
        with self._write() as conn:
            where_release = and_(releases.c.name == name, releases.c.version == version)
            if conn.execute(select(releases.c.name).where(where_release)).first() is None:
                raise NoSuchRelease(name, version)
            removed = self._file_records(
                conn, and_(release_files.c.name == name, release_files.c.version == version))
            for table in (release_files, release_dependencies, release_classifiers):
                conn.execute(delete(table).where(
                    and_(table.c.name == name, table.c.version == version)))
            conn.execute(delete(releases).where(where_release))
            self._reorder(conn, name)
            self._journal(conn, actor, name, version, "remove")
        return removed

    # -- writing -----------------------------------------------------------------
    def _insert_release(self, conn: Connection, actor: Actor, name: str, version: str,
                        metadata: ReleaseMetadata, trove_ids: list[int], hidden: bool,
                        autohide: bool, only_release: bool = False) -> None:
        """``only_release``: the project is new, so there is nothing to hide or reorder."""
        conn.execute(INSERT_RELEASE, dict(
            name=name, version=version, _pypi_hidden=hidden, _pypi_ordering=0,
            created=utcnow(), **{f: getattr(metadata, f) for f in SINGLE_FIELDS}))
        for field in LIST_FIELD_KINDS:
            self._insert_list(conn, name, version, field, getattr(metadata, field))
        self._insert_classifiers(conn, name, version, trove_ids)
        self._journal(conn, actor, name, version, "new release")
        if only_release:
            return
        if autohide:
            # Legacy hid every other release regardless of version order, unjournalled.
            conn.execute(update(releases).where(
                releases.c.name == name, releases.c.version != version,
                or_(releases.c._pypi_hidden == false(), releases.c._pypi_hidden.is_(None)),
            ).values(_pypi_hidden=True))
        self._reorder(conn, name)

    def _update_release(self, conn: Connection, actor: Actor, old: Release,
                        metadata: ReleaseMetadata, trove_ids: list[int],
                        hidden: bool | None) -> tuple[str, ...]:
        """Write what differs from ``old``; returns the changed field names."""
        name, version = old.name, old.version
        changed = list(metadata.changed_fields(old.metadata))
        if hidden is not None and hidden != old.hidden:
            changed.append("hidden")
        if not changed:
            return ()
        values = {f: getattr(metadata, f) for f in changed if f in SINGLE_FIELDS}
        if "hidden" in changed:
            values["_pypi_hidden"] = hidden
        if values.keys() - {"_pypi_hidden"}:
            values["metadata_version"] = metadata.metadata_version
        if values:
            conn.execute(update(releases).where(
                releases.c.name == name, releases.c.version == version).values(**values))
        if "requires_python" in changed:
            # Files carry a copy for the simple index's data-requires-python.
            conn.execute(update(release_files).where(
                release_files.c.name == name, release_files.c.version == version,
            ).values(requires_python=metadata.requires_python))
        for field in changed:
            if field in LIST_FIELD_KINDS:
                conn.execute(delete(release_dependencies).where(
                    release_dependencies.c.name == name,
                    release_dependencies.c.version == version,
                    release_dependencies.c.kind == LIST_FIELD_KINDS[field]))
                self._insert_list(conn, name, version, field, getattr(metadata, field))
        if "classifiers" in changed:
            conn.execute(delete(release_classifiers).where(
                release_classifiers.c.name == name, release_classifiers.c.version == version))
            self._insert_classifiers(conn, name, version, trove_ids)
        action = "update " + ", ".join(_JOURNAL_NAMES.get(f, f) for f in changed)
        self._journal(conn, actor, name, version, action)
        return tuple(changed)

    @staticmethod
    def _insert_list(conn: Connection, name: str, version: str, field: str,
                     values: tuple[str, ...]) -> None:
        if values:
            kind = LIST_FIELD_KINDS[field]
            conn.execute(release_dependencies.insert(), [
                {"name": name, "version": version, "kind": kind, "specifier": v}
                for v in values])

    @staticmethod
    def _insert_classifiers(conn: Connection, name: str, version: str,
                            trove_ids: list[int]) -> None:
        if trove_ids:
            conn.execute(release_classifiers.insert(), [
                {"name": name, "version": version, "trove_id": t} for t in trove_ids])

    @staticmethod
    def _reorder(conn: Connection, name: str) -> None:
        """Recompute ``_pypi_ordering`` for the project, writing only changed values."""
        rows = conn.execute(select(releases.c.version, releases.c._pypi_ordering)
                            .where(releases.c.name == name)).all()
        wanted = compute_orderings(r.version for r in rows)
        for row in rows:
            if row._pypi_ordering != wanted[row.version]:
                conn.execute(update(releases).where(
                    releases.c.name == name, releases.c.version == row.version,
                ).values(_pypi_ordering=wanted[row.version]))

    # -- reading -------------------------------------------------------------------
    @staticmethod
    def _load_releases(conn: Connection, name: str, version: str | None = None) -> list[Release]:
        """Releases of a project (or one of them) with their lists, in three queries."""
        def only(table):
            cond = [table.c.name == name]
            if version is not None:
                cond.append(table.c.version == version)
            return and_(*cond)

        rows = conn.execute(select(releases).where(only(releases))).all()
        if not rows:
            return []
        lists: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for r in conn.execute(select(release_dependencies.c.version, release_dependencies.c.kind,
                                     release_dependencies.c.specifier)
                              .where(only(release_dependencies))
                              .order_by(release_dependencies.c.id)):
            field = _FIELD_OF_KIND.get(r.kind)
            if field is not None:
                lists[r.version][field].append(r.specifier)
        for r in conn.execute(select(release_classifiers.c.version, trove_classifiers.c.classifier)
                              .join(trove_classifiers,
                                    release_classifiers.c.trove_id == trove_classifiers.c.id)
                              .where(only(release_classifiers))):
            lists[r.version]["classifiers"].append(r.classifier)
        result = []
        for row in rows:
            found = lists.get(row.version, {})
            metadata = ReleaseMetadata(
                **{f: getattr(row, f) for f in SINGLE_FIELDS},
                **{f: tuple(v) for f, v in found.items() if f != "classifiers"},
                classifiers=tuple(sorted(set(found.get("classifiers", ())))))
            result.append(Release(name=row.name, version=row.version, metadata=metadata,
                                  hidden=bool(row._pypi_hidden),
                                  ordering=row._pypi_ordering or 0, created=row.created))
        return result
