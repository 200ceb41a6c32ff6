"""Projects and releases in the ndb store.

A project is the root of its entity group, keyed by its PEP 503 normalised
name; the exact (display) name is a property. So "is this spelling taken" and
"find the project for any spelling" are one get by key, and two spellings of
one name can never both exist. Exact-name lookups (``get_project``) get by the
normalised key and compare the stored name.

A release's metadata lists are repeated properties of the release entity (in
submitted order); classifiers are stored sorted, as the SQL store returns them.
"""
from __future__ import annotations

import dataclasses

from .sdk import ndb

from ..errors import NoSuchProject, NoSuchRelease, NoSuchUser, ProjectExists, UnknownClassifier
from ..ordering import compute_orderings, normalize_name
from ..records import OWNER, Actor, FileRecord, Project, Release, ReleaseChange, ReleaseMetadata
from . import models as m
from . import release_data
from .journal import Journaller, utcnow

_JOURNAL_NAMES = {"hidden": "_pypi_hidden"}


def project_key(name: str) -> ndb.Key:
    return ndb.Key(m.Project, normalize_name(name))


def project_record(entity: m.Project) -> Project:
    return Project(
        name=entity.name, normalized_name=entity.key.id(), autohide=entity.autohide,
        comments=entity.comments, bugtrack_url=entity.bugtrack_url,
        hosting_mode=entity.hosting_mode or "pypi-explicit", created=entity.created,
        last_serial=entity.last_serial or 0, has_docs=bool(entity.has_docs))


def release_records(name: str, entities: list[m.Release]) -> list[Release]:
    return [Release(name=name, version=e.key.id(), metadata=metadata, hidden=bool(e.hidden),
                    ordering=e.ordering or 0, created=e.created)
            for e, metadata in zip(entities, release_data.unpack_all(entities))]


def journal_project(journal: Journaller, actor: Actor, project: m.Project,
                    version: str | None, action: str) -> None:
    project.last_serial = journal.add(actor, project.name, version, action)


class CatalogueMixin:

    # -- projects ------------------------------------------------------------------
    def get_project(self, name: str) -> Project | None:
        with self._access():
            entity = self._exact_project(name)
        return project_record(entity) if entity else None

    def find_project(self, name: str) -> Project | None:
        with self._access():
            entity = project_key(name).get()
        return project_record(entity) if entity else None

    def list_projects(self) -> list[Project]:
        with self._access():
            entities = m.Project.query().fetch()
        return sorted((project_record(e) for e in entities),
                      key=lambda p: (p.name.lower(), p.name))

    def create_project(self, actor: Actor, name: str) -> Project:
        def work(journal):
            project = self._new_project(journal, actor, name)
            return project_record(project[0]), project, []
        return self._write(work)

    def remove_project(self, actor: Actor, name: str) -> list[FileRecord]:
        def work(journal):
            project = self._exact_project(name)
            if project is None:
                raise NoSuchProject(name)
            files = m.ProjectFile.query(ancestor=project.key).fetch()
            deletes = ndb.Query(ancestor=project.key).fetch(keys_only=True)
            deletes += self._file_index_keys(files)
            journal.add(actor, project.name, None, "remove")
            return sorted(self._file_records(files), key=lambda f: f.filename), [], deletes
        return self._write(work)

    # -- releases ------------------------------------------------------------------
    def store_release(self, actor: Actor, name: str, version: str,
                      metadata: ReleaseMetadata, *, hidden: bool | None = None) -> ReleaseChange:
        def work(journal):
            project = self._exact_project(name)
            created = project is None
            if created:
                self._check_new_project(actor, name)
            self._check_classifiers(metadata.classifiers)
            puts = []
            if created:
                puts = self._new_project(journal, actor, name)
                project = puts[0]
            releases = {r.key.id(): r for r in m.Release.query(ancestor=project.key).fetch()}
            if version not in releases:
                puts += self._insert_release(journal, actor, project, releases, version,
                                             metadata, bool(hidden))
                if not created:
                    puts.append(project)
                release = Release(name, version, release_data.decode(
                    release_data.encode(metadata)), hidden=bool(hidden),
                    ordering=releases[version].ordering, created=releases[version].created)
                return ReleaseChange(release, project_created=created,
                                     release_created=True), puts, []
            entity = releases[version]
            [old] = release_records(name, [entity])
            changed, new, deletes = self._update_release(journal, actor, project, entity, old,
                                                         metadata, hidden)
            if not changed:
                return ReleaseChange(old), [], []
            puts += [entity, project, *new]
            if "requires_python" in changed:
                for f in m.ProjectFile.query(ancestor=project.key).fetch():
                    if f.version == version:
                        f.requires_python = metadata.requires_python
                        puts.append(f)
            [release] = release_records(name, [entity]) if not new else [Release(
                name, version, release_data.decode(release_data.encode(
                    _merged(old.metadata, metadata, changed))), hidden=bool(entity.hidden),
                ordering=entity.ordering, created=entity.created)]
            return ReleaseChange(release, changed_fields=changed), puts, deletes
        return self._write(work)

    def get_release(self, name: str, version: str) -> Release | None:
        with self._access():
            project = self._exact_project(name)
            entity = ndb.Key(m.Release, version, parent=project.key).get() if project else None
            found = release_records(name, [entity]) if entity else []
        return found[0] if found else None

    def list_releases(self, name: str, include_hidden: bool = True) -> list[Release]:
        with self._access():
            project = self._exact_project(name)
            entities = m.Release.query(ancestor=project.key).fetch() if project else []
            found = release_records(name, [e for e in entities if include_hidden or not e.hidden])
        return sorted(found, key=lambda r: r.ordering, reverse=True)

    def remove_release(self, actor: Actor, name: str, version: str) -> list[FileRecord]:
        def work(journal):
            project = self._exact_project(name)
            releases = ({r.key.id(): r for r in m.Release.query(ancestor=project.key).fetch()}
                        if project else {})
            if version not in releases:
                raise NoSuchRelease(name, version)
            files = [f for f in m.ProjectFile.query(ancestor=project.key).fetch()
                     if f.version == version]
            removed = releases.pop(version)
            deletes = [*ndb.Query(ancestor=removed.key).fetch(keys_only=True),
                       *(f.key for f in files), *self._file_index_keys(files)]
            puts = [*_reorder(releases), project]
            journal_project(journal, actor, project, version, "remove")
            return sorted(self._file_records(files), key=lambda f: f.filename), puts, deletes
        return self._write(work)

    # -- helpers -------------------------------------------------------------------
    @staticmethod
    def _exact_project(name: str) -> m.Project | None:
        entity = project_key(name).get()
        return entity if entity is not None and entity.name == name else None

    @staticmethod
    def _check_new_project(actor: Actor, name: str) -> None:
        existing = project_key(name).get()
        if existing is not None:
            raise ProjectExists(name, existing.name)
        if actor.user is not None and ndb.Key(m.User, actor.user).get() is None:
            raise NoSuchUser(actor.user)

    def _new_project(self, journal: Journaller, actor: Actor, name: str) -> list[ndb.Model]:
        """The project entity (first) and its owner role, journalled; checks first."""
        self._check_new_project(actor, name)
        project = m.Project(key=project_key(name), name=name, autohide=True, comments=True,
                            hosting_mode="pypi-explicit", created=utcnow(), has_docs=False)
        journal_project(journal, actor, project, None, "create")
        puts = [project]
        if actor.user is not None:
            puts.append(m.ProjectRole(id=f"{OWNER}:{actor.user}", parent=project.key,
                                      role_name=OWNER, user_name=actor.user, package_name=name))
            journal_project(journal, actor, project, None, f"add {OWNER} {actor.user}")
        return puts

    def _release_for_file(self, journal: Journaller, actor: Actor, name: str, version: str,
                          project: m.Project | None, metadata: ReleaseMetadata):
        """``store_release``'s insert path inside ``add_file``'s transaction: (project,
        release, entities to put)."""
        if project is None:
            self._check_new_project(actor, name)
        self._check_classifiers(metadata.classifiers)
        if project is None:
            puts = self._new_project(journal, actor, name)
            project, releases = puts[0], {}
        else:
            puts = []
            releases = {r.key.id(): r for r in m.Release.query(ancestor=project.key).fetch()}
        puts += self._insert_release(journal, actor, project, releases, version, metadata, False)
        return project, releases[version], puts

    @staticmethod
    def _check_classifiers(classifiers) -> None:
        wanted = list(dict.fromkeys(classifiers))
        found = ndb.get_multi([ndb.Key(m.TroveClassifier, c, parent=m.trove_key())
                               for c in wanted])
        for classifier, entity in zip(wanted, found):
            if entity is None:
                raise UnknownClassifier(classifier)

    @staticmethod
    def _insert_release(journal, actor, project, releases, version, metadata, hidden):
        entity = m.Release(id=version, parent=project.key, hidden=hidden, created=utcnow())
        chunks, _ = release_data.pack(entity, metadata)
        journal_project(journal, actor, project, version, "new release")
        changed = {}
        if project.autohide is None or project.autohide:
            # Legacy hid every other release regardless of version order, unjournalled.
            for other in releases.values():
                if not other.hidden:
                    other.hidden = True
                    changed[other.key] = other
        releases[version] = entity
        for other in _reorder(releases):
            changed[other.key] = other
        changed[entity.key] = entity
        return [*changed.values(), *chunks]

    @staticmethod
    def _update_release(journal, actor, project, entity, old, metadata, hidden):
        """Apply what differs from ``old``: (changed fields, chunks to put, keys to delete)."""
        changed = list(metadata.changed_fields(old.metadata))
        if hidden is not None and hidden != old.hidden:
            changed.append("hidden")
        if not changed:
            return (), [], []
        puts, deletes = [], []
        if set(changed) - {"hidden"}:
            puts, deletes = release_data.pack(entity, _merged(old.metadata, metadata, changed))
        if "hidden" in changed:
            entity.hidden = hidden
        action = "update " + ", ".join(_JOURNAL_NAMES.get(f, f) for f in changed)
        journal_project(journal, actor, project, entity.key.id(), action)
        return tuple(changed), puts, deletes


def _merged(old: ReleaseMetadata, new: ReleaseMetadata, changed) -> ReleaseMetadata:
    """The stored metadata after an update: only changed fields (a reordered list is no change)."""
    fields = {f: getattr(new, f) for f in changed if f != "hidden"}
    if fields:
        fields["metadata_version"] = new.metadata_version
    return dataclasses.replace(old, **fields)


def _reorder(releases: dict[str, m.Release]) -> list[m.Release]:
    """Recompute the orderings; returns the releases whose value changed."""
    wanted = compute_orderings(releases)
    changed = []
    for version, entity in releases.items():
        if entity.ordering != wanted[version]:
            entity.ordering = wanted[version]
            changed.append(entity)
    return changed
