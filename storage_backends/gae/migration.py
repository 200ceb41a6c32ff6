"""Export and import of a whole index in the ndb store (``pypi migrate``).

Imports put entities as the records give them (timestamps, orderings,
serials, classifier ids, download counts) and journal nothing. They are plain
puts by key, not transactions: a put by key replaces what was there, so an
interrupted import simply runs again, and a project with thousands of files
would not fit the 500 entities a commit may write. A project's children are
put first and the ``Project`` root last, so a project is visible only once
complete. On the file stub the puts of one call run with the stub's
whole-file rewrite switched off and the file is written once at the end (see
``runtime``): a crash before that loses only that call's puts.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Mapping, Sequence

from ..classifier_ids import imported_classifier_ids
from ..errors import DigestExists, FileExists
from ..records import JournalEntry, OneTimeKey, ProjectExport, UserExport
from . import models as m
from . import release_data
from .accounts import user_record
from .catalogue import project_key
from .files import file_digest_key, file_name_key
from .journal import TXN_RETRIES
from .sdk import ndb

# The datastore writes at most 500 entities per call.
_BATCH = 400


def _marker_key() -> ndb.Key:
    return ndb.Key(m.MigrationMarker, "marker")


class MigrationMixin:

    @contextmanager
    def _bulk(self) -> Iterator[None]:
        """Guarded, with the stub's file written once at the end rather than per put."""
        with self._access():
            with self._access.unsaved():
                yield
            self._access.save()

    @staticmethod
    def _put(entities: list) -> None:
        for start in range(0, len(entities), _BATCH):
            ndb.put_multi(entities[start:start + _BATCH])

    @staticmethod
    def _delete(keys: list) -> None:
        for start in range(0, len(keys), _BATCH):
            ndb.delete_multi(keys[start:start + _BATCH])

    # -- export ------------------------------------------------------------------------
    def export_users(self) -> Iterator[UserExport]:
        with self._access():
            found = m.User.query().fetch()
            site: dict[str, list[str]] = {}
            for role in m.SiteRole.query().fetch():
                site.setdefault(role.key.parent().id(), []).append(role.key.id())
        for entity in sorted(found, key=lambda e: e.key.id()):
            name = entity.key.id()
            key = OneTimeKey(name, entity.otk, entity.otk_date) if entity.otk else None
            yield UserExport(user_record(entity), key, tuple(sorted(site.get(name, ()))))

    # -- import ------------------------------------------------------------------------
    def import_classifiers(self, ids: Mapping[str, int]) -> None:
        with self._bulk():
            current = {e.key.id(): e for e in
                       m.TroveClassifier.query(ancestor=m.trove_key()).fetch()}
            used = {c for r in m.Release.query().fetch() for c in r.classifiers or ()}
            final = imported_classifier_ids(
                ids, {c: e.trove_id or 0 for c, e in current.items()}, used)
            self._delete([e.key for c, e in current.items() if c not in final])
            self._put([m.TroveClassifier(id=c, parent=m.trove_key(), trove_id=i)
                       for c, i in final.items() if c not in used])

    def import_users(self, users: Sequence[UserExport]) -> None:
        with self._bulk():
            old = ndb.get_multi([ndb.Key(m.User, e.user.name) for e in users])
            deletes = [ndb.Key(m.RegistrationKey, o.otk) for o in old if o is not None and o.otk]
            for export in users:
                deletes += m.SiteRole.query(
                    ancestor=ndb.Key(m.User, export.user.name)).fetch(keys_only=True)
            self._delete(deletes)
            puts = []
            for export in users:
                u, key = export.user, export.registration
                user_key = ndb.Key(m.User, u.name)
                puts.append(m.User(key=user_key, email=u.email, email_lower=u.email.lower(),
                                   password=u.password, gpg_keyid=u.gpg_keyid,
                                   last_login=u.last_login, otk=key.key if key else None,
                                   otk_date=key.created if key else None))
                if key is not None:
                    puts.append(m.RegistrationKey(id=key.key, user_name=u.name,
                                                  created=key.created))
                puts += [m.SiteRole(key=ndb.Key(m.SiteRole, role, parent=user_key),
                                    role_name=role) for role in export.site_roles]
            self._put(puts)

    def import_project(self, export: ProjectExport) -> None:
        with self._bulk():
            self._put_project(export)

    def import_projects(self, exports: Sequence[ProjectExport],
                        journal: Sequence[JournalEntry] = ()) -> None:
        """Every project and the journal rows, with the stub's file written once; the file
        checks of the whole batch come first, so a refused batch writes nothing."""
        with self._bulk():
            for export in exports:
                self._check_import_files(export, project_key(export.project.name).id())
            for export in exports:
                self._put_project(export)
            if journal:
                self._put_journal(journal)

    def _put_project(self, export: ProjectExport) -> None:
        p = export.project
        root = project_key(p.name)
        self._check_import_files(export, root.id())
        old_files = m.ProjectFile.query(ancestor=root).fetch()
        self._delete([*ndb.Query(ancestor=root).fetch(keys_only=True),
                      *self._file_index_keys(old_files)])
        puts = []
        for r in export.releases:
            entity = m.Release(id=r.version, parent=root, hidden=r.hidden,
                               ordering=r.ordering, created=r.created)
            chunks, _ = release_data.pack(entity, r.metadata)
            puts += [entity, *chunks]
        for f in export.files:
            puts += [
                m.ProjectFile(
                    id=f.filename, parent=root, name=p.name, version=f.version,
                    python_version=f.python_version, packagetype=f.packagetype,
                    path=f.path, size=f.size, md5_digest=f.md5_digest,
                    sha256_digest=f.sha256_digest, blake2_256_digest=f.blake2_256_digest,
                    upload_time=f.upload_time, comment_text=f.comment_text,
                    has_signature=f.has_signature, requires_python=f.requires_python,
                    downloads=f.downloads, metadata_sha256=f.metadata_sha256),
                m.FileName(key=file_name_key(f.filename), project=root.id()),
                m.FileDigest(key=file_digest_key(f.md5_digest), filename=f.filename)]
        puts += [m.ProjectRole(id=f"{r.role_name}:{r.user_name}", parent=root,
                               role_name=r.role_name, user_name=r.user_name,
                               package_name=p.name) for r in export.roles]
        self._put(puts)
        m.Project(key=root, name=p.name, autohide=p.autohide, comments=p.comments,
                  bugtrack_url=p.bugtrack_url, hosting_mode=p.hosting_mode,
                  created=p.created, last_serial=p.last_serial, has_docs=p.has_docs).put()

    @staticmethod
    def _check_import_files(export: ProjectExport, norm: str) -> None:
        """Refuse file names or md5s that another project holds."""
        files = export.files
        names = ndb.get_multi([file_name_key(f.filename) for f in files])
        digests = ndb.get_multi([file_digest_key(f.md5_digest) for f in files])
        ours = {f.filename for f in files}
        for f, name, digest in zip(files, names, digests):
            if name is not None and name.project != norm:
                raise FileExists(f.filename)
            if digest is not None and digest.filename not in ours:
                holder = file_name_key(digest.filename).get()
                if holder is not None and holder.project != norm:
                    raise DigestExists(f.filename, digest.filename)

    def import_journal(self, entries: Sequence[JournalEntry]) -> None:
        if entries:
            with self._bulk():
                self._put_journal(entries)

    def _put_journal(self, entries: Sequence[JournalEntry]) -> None:
        self._put([m.Journal(id=e.serial, parent=m.serial_key(), name=e.name,
                             version=e.version, action=e.action,
                             submitted_date=e.submitted_date, submitted_by=e.submitted_by,
                             submitted_from=e.submitted_from) for e in entries])
        highest = max(e.serial for e in entries)

        def raise_counter():
            counter = m.serial_key().get() or m.Serial(key=m.serial_key(), value=0)
            if counter.value < highest:
                counter.value = highest
                counter.put()
        ndb.transaction(raise_counter, retries=TXN_RETRIES)

    # -- progress marker -----------------------------------------------------------------
    def migration_marker(self) -> str | None:
        with self._access():
            found = _marker_key().get()
        return found.marker if found else None

    def set_migration_marker(self, marker: str | None) -> None:
        with self._access():
            if marker is None:
                _marker_key().delete()
            else:
                m.MigrationMarker(key=_marker_key(), marker=marker).put()
