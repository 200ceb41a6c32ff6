"""File records in the ndb store; the bytes live in a BlobStore.

A file record is a child of its project (so a project's files are one
ancestor query). Index-wide uniqueness of the file name and of the md5 comes
from two small entities keyed by them under the ``FileIndex`` root, read and
written in the same XG transaction as the record; lookups by name or md5 are
gets by key, never queries, so they see the latest commit.
"""
from __future__ import annotations

from typing import Callable

from .sdk import ndb

from ..errors import DigestExists, FileExists, NoSuchFile, NoSuchRelease
from ..records import Actor, FileRecord, NewFile, ReleaseMetadata
from . import models as m
from .catalogue import journal_project
from .journal import TXN_RETRIES, utcnow


def file_name_key(filename: str) -> ndb.Key:
    return ndb.Key(m.FileName, filename, parent=m.file_index_key())


def file_digest_key(md5: str) -> ndb.Key:
    return ndb.Key(m.FileDigest, md5, parent=m.file_index_key())


def file_record(entity: m.ProjectFile) -> FileRecord:
    return FileRecord.from_stored(entity, entity.key.id())


class FilesMixin:

    def add_file(self, actor: Actor, new_file: NewFile, *,
                 new_release: ReleaseMetadata | None = None,
                 before_commit: Callable[[], None] | None = None) -> FileRecord:
        f = new_file

        def work(journal):
            project = self._exact_project(f.name)
            release = (ndb.Key(m.Release, f.version, parent=project.key).get()
                       if project else None)
            if release is None and new_release is None:
                raise NoSuchRelease(f.name, f.version)
            taken_name, taken_digest = ndb.get_multi([file_name_key(f.filename),
                                                      file_digest_key(f.md5_digest)])
            if taken_name is not None:
                raise FileExists(f.filename)
            if taken_digest is not None:
                raise DigestExists(f.filename, taken_digest.filename)
            release_puts = []
            if release is None:
                project, release, release_puts = self._release_for_file(
                    journal, actor, f.name, f.version, project, new_release)
            entity = m.ProjectFile(
                id=f.filename, parent=project.key, name=f.name, version=f.version,
                python_version=f.python_version, packagetype=f.packagetype, path=f.path,
                size=f.size, md5_digest=f.md5_digest, sha256_digest=f.sha256_digest,
                blake2_256_digest=f.blake2_256_digest, upload_time=utcnow(),
                comment_text=f.comment_text, has_signature=f.has_signature,
                requires_python=release.requires_python, downloads=0,
                metadata_sha256=f.metadata_sha256)
            journal_project(journal, actor, project, f.version,
                            f"add {f.python_version} file {f.filename}")
            puts = [*(e for e in release_puts if e is not project), entity, project,
                    m.FileName(key=file_name_key(f.filename), project=project.key.id()),
                    m.FileDigest(key=file_digest_key(f.md5_digest), filename=f.filename)]
            if before_commit is not None:
                before_commit()
            return file_record(entity), puts, []
        return self._write(work)

    def list_files(self, name: str, version: str | None = None) -> list[FileRecord]:
        with self._access():
            project = self._exact_project(name)
            entities = m.ProjectFile.query(ancestor=project.key).fetch() if project else []
        found = [file_record(e) for e in entities if version is None or e.version == version]
        return sorted(found, key=lambda r: r.filename)

    def get_file(self, filename: str) -> FileRecord | None:
        with self._access():
            entity = self._file_entity(filename)
        return file_record(entity) if entity else None

    def get_file_by_md5(self, md5_digest: str) -> FileRecord | None:
        with self._access():
            digest = file_digest_key(md5_digest).get()
            entity = self._file_entity(digest.filename) if digest else None
        return file_record(entity) if entity else None

    def remove_file(self, actor: Actor, filename: str) -> FileRecord:
        def work(journal):
            entity = self._file_entity(filename)
            if entity is None:
                raise NoSuchFile(filename)
            project = entity.key.parent().get()
            journal_project(journal, actor, project, entity.version, f"remove file {filename}")
            deletes = [entity.key, *self._file_index_keys([entity])]
            return file_record(entity), [project], deletes
        return self._write(work)

    def add_downloads(self, counts) -> int:
        """One transaction per project (its files are one entity group); unjournalled."""
        if any(count < 0 for count in counts.values()):
            raise ValueError("download counts cannot be negative")
        with self._access():
            indexes = ndb.get_multi([file_name_key(f) for f in counts])
            by_project: dict[str, list[str]] = {}
            for filename, index in zip(counts, indexes):
                if index is not None:
                    by_project.setdefault(index.project, []).append(filename)

            def txn(project, filenames):
                parent = ndb.Key(m.Project, project)
                found = [f for f in ndb.get_multi([ndb.Key(m.ProjectFile, n, parent=parent)
                                                   for n in filenames]) if f is not None]
                for f in found:
                    f.downloads = (f.downloads or 0) + counts[f.key.id()]
                ndb.put_multi(found)
                return len(found)
            return sum(ndb.transaction(lambda: txn(p, names), retries=TXN_RETRIES)
                       for p, names in by_project.items())

    # -- helpers shared with project and release removal ----------------------------
    @staticmethod
    def _file_entity(filename: str) -> m.ProjectFile | None:
        index = file_name_key(filename).get()
        if index is None:
            return None
        return ndb.Key(m.ProjectFile, filename, parent=ndb.Key(m.Project, index.project)).get()

    @staticmethod
    def _file_index_keys(files) -> list[ndb.Key]:
        keys = []
        for f in files:
            keys += [file_name_key(f.key.id()), file_digest_key(f.md5_digest)]
        return keys

    @staticmethod
    def _file_records(files) -> list[FileRecord]:
        return [file_record(f) for f in files]

