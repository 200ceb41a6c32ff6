"""After any sequence of requests: is what the store holds whole and servable?

Checks that every file record is downloadable through ``/packages/`` with its
size, md5 and sha256 (and its ``.asc`` and ``.metadata`` when the record says
they exist); that the files directory holds exactly those bytes and nothing
half-written (no upload left in ``.incoming``); that every docs directory
belongs to a project that says it has docs and no unpacking is left over;
and that journal serials are unique, increasing, and end at ``last_serial``.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import quote

INCOMING = ".incoming"


class StoreChecker:
    """Checks a store again and again; a record already downloaded and verified is
    downloaded again only by ``check(full=True)`` (its bytes are still required on disk)."""

    def __init__(self, app, web):
        self.app, self.web = app, web
        self.verified: set = set()

    def check(self, full: bool = False) -> int:
        """Raise AssertionError on the first inconsistency; returns the number of files."""
        store = self.app.store
        expected: set[str] = set()
        projects = store.list_projects()
        for project in projects:
            versions = {release.version for release in store.list_releases(project.name)}
            for record in store.list_files(project.name):
                assert record.version in versions, f"{record.filename}: no release {record.version}"
                expected.update(self._paths(record))
                if full or record not in self.verified:
                    self._verify(record)
                    self.verified.add(record)
        assert_nothing_half_written(self.app)
        files_root = Path(self.app.config.files_dir)
        on_disk = {path for path in (p.relative_to(files_root).as_posix()
                                     for p in files_root.rglob("*") if p.is_file())
                   if not path.startswith(INCOMING + "/")}
        assert on_disk == expected, (f"bytes without a record: {sorted(on_disk - expected)[:5]}; "
                                     f"records without bytes: {sorted(expected - on_disk)[:5]}")
        _check_docs(Path(self.app.config.docs_dir), {p.name for p in projects if p.has_docs})
        serials = [entry.serial for entry in store.changelog_since_serial(0)]
        assert serials == sorted(set(serials)), "journal serials repeat or go backwards"
        assert not serials or serials[-1] == store.last_serial()
        return len(expected)

    @staticmethod
    def _paths(record) -> list[str]:
        return [record.path] + [record.path + suffix for suffix, present in (
            (".asc", record.has_signature), (".metadata", bool(record.metadata_sha256))) if present]

    def _verify(self, record) -> None:
        body = self._fetch(record.path)
        assert len(body) == record.size, record.filename
        assert hashlib.md5(body).hexdigest() == record.md5_digest, record.filename
        assert hashlib.sha256(body).hexdigest() == record.sha256_digest, record.filename
        if record.has_signature:
            assert self._fetch(record.path + ".asc")
        if record.metadata_sha256:
            metadata = self._fetch(record.path + ".metadata")
            assert hashlib.sha256(metadata).hexdigest() == record.metadata_sha256, record.filename

    def _fetch(self, path: str) -> bytes:
        return self.web.get("/packages/" + quote(path), status=200).body


def assert_store_consistent(app, web) -> int:
    """One whole check; returns how many files (with side files) the store holds."""
    return StoreChecker(app, web).check(full=True)


def assert_nothing_half_written(app) -> None:
    """No upload left in the blob store's incoming directory (a cheap check)."""
    incoming = Path(app.config.files_dir) / INCOMING
    half_written = sorted(p.name for p in incoming.iterdir()) if incoming.exists() else []
    assert not half_written, f"uploads left half-written: {half_written[:5]}"


def _check_docs(docs_root: Path, with_docs: set[str]) -> None:
    if not docs_root.exists():
        return
    entries = {p.name for p in docs_root.iterdir()}
    leftovers = {e for e in entries if e.startswith(".")}
    assert not leftovers, f"documentation unpacking left over: {sorted(leftovers)}"
    assert entries <= with_docs, f"docs without a project that has docs: {sorted(entries - with_docs)}"
