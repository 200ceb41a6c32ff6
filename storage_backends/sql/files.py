"""File records (``release_files``) in the SQL store; the bytes live in a BlobStore."""
from __future__ import annotations

from sqlalchemy import and_, delete, select

from ..errors import DigestExists, FileExists, NoSuchFile, NoSuchRelease
from ..records import Actor, FileRecord, NewFile
from .journal import utcnow
from .tables import release_files, releases


def file_record(row) -> FileRecord:
    return FileRecord.from_stored(row, row.filename)


class FilesMixin:

    def add_file(self, actor: Actor, new_file: NewFile) -> FileRecord:
        f = new_file
        with self._write() as conn:
            release = conn.execute(select(releases.c.requires_python).where(
                releases.c.name == f.name, releases.c.version == f.version)).first()
            if release is None:
                raise NoSuchRelease(f.name, f.version)
            if self._file_row(conn, release_files.c.filename == f.filename) is not None:
                raise FileExists(f.filename)
            same = self._file_row(conn, release_files.c.md5_digest == f.md5_digest)
            if same is not None:
                raise DigestExists(f.filename, same.filename)
            conn.execute(release_files.insert().values(
                name=f.name, version=f.version, python_version=f.python_version,
                packagetype=f.packagetype, comment_text=f.comment_text, filename=f.filename,
                md5_digest=f.md5_digest, upload_time=utcnow(), downloads=0,
                sha256_digest=f.sha256_digest, blake2_256_digest=f.blake2_256_digest,
                size=f.size, has_signature=f.has_signature, path=f.path,
                requires_python=release.requires_python, metadata_sha256=f.metadata_sha256))
            self._journal(conn, actor, f.name, f.version,
                          f"add {f.python_version} file {f.filename}")
            row = self._file_row(conn, release_files.c.filename == f.filename)
        return file_record(row)

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
