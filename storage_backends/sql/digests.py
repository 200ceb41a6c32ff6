"""Files a legacy PyPI recorded with an md5 only, for ``pypi backfill-digests``."""
from __future__ import annotations

from sqlalchemy import select, update

from ..errors import NoSuchFile
from ..records import FileRecord
from .files import file_record
from .tables import release_files


class DigestsMixin:

    def files_lacking_digests(self, after: str = "", limit: int = 500) -> list[FileRecord]:
        query = (select(release_files)
                 .where(release_files.c.sha256_digest.is_(None), release_files.c.filename > after)
                 .order_by(release_files.c.filename).limit(limit))
        with self._read() as conn:
            return [file_record(row) for row in conn.execute(query)]

    def record_file_digests(self, filename: str, *, sha256_digest: str, blake2_256_digest: str,
                            size: int, has_signature: bool,
                            metadata_sha256: str | None = None) -> None:
        # Not journalled: the file did not change, only what is known about it.
        with self._write() as conn:
            done = conn.execute(update(release_files).where(release_files.c.filename == filename)
                                .values(sha256_digest=sha256_digest,
                                        blake2_256_digest=blake2_256_digest, size=size,
                                        has_signature=has_signature,
                                        metadata_sha256=metadata_sha256))
            if done.rowcount == 0:
                raise NoSuchFile(filename)
