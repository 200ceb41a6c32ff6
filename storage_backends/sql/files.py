"""File records (``release_files``) in the SQL store; the bytes live in a BlobStore."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Callable

from sqlalchemy import and_, bindparam, delete, or_, select

from ..errors import DigestExists, FileExists, NoSuchFile, NoSuchRelease
from ..records import Actor, FileRecord, NewFile, ReleaseMetadata
from .journal import utcnow
from .tables import release_files, releases


RELEASE_REQUIRES_PYTHON = select(releases.c.requires_python).where(
    releases.c.name == bindparam("name"), releases.c.version == bindparam("version"))
FILE_CLASHES = select(release_files.c.filename, release_files.c.md5_digest).where(or_(
    release_files.c.filename == bindparam("filename"),
    release_files.c.md5_digest == bindparam("md5")))
INSERT_FILE = release_files.insert()


def file_record(row) -> FileRecord:
    return FileRecord.from_stored(row, row.filename)


class FilesMixin:

    def add_file(self, actor: Actor, new_file: NewFile, *,
                 new_release: ReleaseMetadata | None = None,
                 before_commit: Callable[[], None] | None = None) -> FileRecord:
        f = new_file
        with self._write() as conn:
            release = conn.execute(RELEASE_REQUIRES_PYTHON,
                                   {"name": f.name, "version": f.version}).first()
            if release is None and new_release is None:
                raise NoSuchRelease(f.name, f.version)
            self._check_file_free(conn, f)
            if release is None:
                self._create_release_for_file(conn, actor, f.name, f.version, new_release)
                requires_python = new_release.requires_python
            else:
                requires_python = release.requires_python
            values = dict(
                name=f.name, version=f.version, python_version=f.python_version,
                packagetype=f.packagetype, comment_text=f.comment_text, filename=f.filename,
                md5_digest=f.md5_digest, upload_time=utcnow(), downloads=0,
                sha256_digest=f.sha256_digest, blake2_256_digest=f.blake2_256_digest,
                size=f.size, has_signature=f.has_signature, path=f.path,
                requires_python=requires_python, metadata_sha256=f.metadata_sha256)
            conn.execute(INSERT_FILE, values)
            self._journal(conn, actor, f.name, f.version,
                          f"add {f.python_version} file {f.filename}")
            if before_commit is not None:
                before_commit()
        return FileRecord.from_stored(SimpleNamespace(**values), f.filename)

    @staticmethod
    def _check_file_free(conn, f: NewFile) -> None:
        """``FileExists`` or ``DigestExists``, from one indexed look-up of both."""
        rows = conn.execute(FILE_CLASHES, {"filename": f.filename, "md5": f.md5_digest}).all()
        if any(row.filename == f.filename for row in rows):
            raise FileExists(f.filename)
        for row in rows:
            if row.md5_digest == f.md5_digest:
                raise DigestExists(f.filename, row.filename)
        if rows:                       # a file name equal under the column's collation
            raise FileExists(f.filename)

    def list_files(self, name: str, version: str | None = None) -> list[FileRecord]:
        where = release_files.c.name == name
        if version is not None:
            where = and_(where, release_files.c.version == version)
        with self._read() as conn:
            found = self._file_records(conn, where)
        return sorted(found, key=lambda r: r.filename)

    def get_file(self, filename: str) -> FileRecord | None:
        with self._read() as conn:
            row = self._file_row(conn, release_files.c.filename == filename)
        return file_record(row) if row else None

    def get_file_by_md5(self, md5_digest: str) -> FileRecord | None:
        with self._read() as conn:
            row = self._file_row(conn, release_files.c.md5_digest == md5_digest)
        return file_record(row) if row else None

    def remove_file(self, actor: Actor, filename: str) -> FileRecord:
        with self._write() as conn:
            row = self._file_row(conn, release_files.c.filename == filename)
            if row is None:
                raise NoSuchFile(filename)
            conn.execute(delete(release_files).where(release_files.c.filename == filename))
            self._journal(conn, actor, row.name, row.version, f"remove file {filename}")
        return file_record(row)

    @staticmethod
    def _file_row(conn, where):
        return conn.execute(select(release_files).where(where)).first()

    @staticmethod
    def _file_records(conn, where) -> list[FileRecord]:
        return [file_record(r) for r in conn.execute(
            select(release_files).where(where).order_by(release_files.c.filename))]
