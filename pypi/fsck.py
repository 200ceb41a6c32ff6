"""``pypi fsck [--repair]``: is every file record backed by its bytes, and nothing else stored?

It checks, on any backend, and in this order:

1. the store's own integrity (``Store.integrity_problems``): rows or entities
   pointing at nothing, a serial counter behind the journal;
2. uploads interrupted between the metadata commit and the publish: a record
   whose bytes still wait under a temporary key (``storage_backends.recovery``);
3. every file record: its distribution, ``.asc`` and ``.metadata`` bytes exist,
   with the recorded size, md5 and sha256 (read streaming, one chunk at a time;
   ``--quick`` compares sizes only);
4. every published key: some record owns it, else it is an orphan;
5. every temporary blob: one older than ``--grace`` seconds is stale (what an
   interrupted upload or migration left); younger ones may be uploads in flight
   and are left alone.

With ``--repair``: dangling rows are removed (file records and releases with a
journal row, so mirrors drop them too), waiting uploads are published, records
whose bytes are missing are removed and journalled ``remove file <name>`` as a
legacy removal is, orphans and stale temporary blobs are deleted. Bytes that
differ from their record are reported and left alone: which side is right is
for a person to decide. Exit status: 0 when nothing is wrong (or everything
found was repaired), 1 otherwise, 2 when the store cannot be opened.

Reads go in short transactions and batches, so fsck can run beside a serving
server. Keep ``--repair`` away from a store that ``pypi migrate`` is filling:
a migration publishes bytes before it writes their records.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TextIO

from storage_backends.errors import NoSuchFile
from storage_backends.file_keys import measure, mismatches, owned_keys, owning_record
from storage_backends.interface import BlobStore, Store
from storage_backends.recovery import pending_publication
from storage_backends.records import Actor, FileRecord

from .backends import open_backends

FSCK_ACTOR = Actor(None, "fsck")
DEFAULT_GRACE_S = 3600


@dataclass
class Finding:
    kind: str
    detail: str
    repaired: str | None = None


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)     # uploads that may be in flight
    actions: list[str] = field(default_factory=list)        # what the store's repair did
    records: int = 0
    keys: int = 0
    temporary: int = 0
    bytes_read: int = 0

    def add(self, kind: str, detail: str, repaired: str | None = None) -> Finding:
        finding = Finding(kind, detail, repaired)
        self.findings.append(finding)
        return finding

    @property
    def unrepaired(self) -> list[Finding]:
        return [f for f in self.findings if f.repaired is None]


class Checker:
    """One run over a store and its blob store; ``repair`` makes it fix what it can."""

    def __init__(self, store: Store, blobs: BlobStore, *, repair: bool = False,
                 grace: timedelta = timedelta(seconds=DEFAULT_GRACE_S), quick: bool = False,
                 now: datetime | None = None):
        self.store, self.blobs, self.repair, self.quick = store, blobs, repair, quick
        self.stale_before = (now or datetime.now(timezone.utc).replace(tzinfo=None)) - grace
        self.report = Report()
        self._handled_temps: set[str] = set()
        self._waiting: set[str] = set()       # keys whose bytes wait under a temporary key
        self._wanted: set[str] = set()

    def run(self) -> Report:
        self.check_integrity()
        self.check_waiting_uploads()
        self.check_records()
        self.check_orphans()
        self.check_temporary()
        return self.report

    def check_integrity(self) -> None:
        problems = self.store.integrity_problems()
        if self.repair and problems:
            self.report.actions += self.store.repair_integrity(FSCK_ACTOR)
        for problem in problems:
            self.report.add(problem.kind, problem.detail, "repaired" if self.repair else None)

    def check_waiting_uploads(self) -> None:
        for temp in self.blobs.list_temporary():
            blob = pending_publication(self.store, self.blobs, temp)
            if blob is None:
                continue
            self._handled_temps.add(temp.temp_key)
            repaired = None
            if self.repair:
                try:
                    self.blobs.publish(blob, temp.target)
                    repaired = "published"
                except NoSuchFile:
                    repaired = "published meanwhile"
            else:
                self._waiting.add(temp.target)
            self.report.add("unpublished upload",
                            f"{temp.target}: its record is committed, the bytes wait at "
                            f"{temp.temp_key}", repaired)

    def check_records(self) -> None:
        for record in self.store.iter_files():
            self.report.records += 1
            problems = []
            for expected in owned_keys(record):
                self._wanted.add(expected.key)
                if expected.key in self._waiting:
                    continue
                problem = self._check_key(expected)
                if problem:
                    problems.append((expected.key, problem))
            missing = [f"{key} {p}" for key, p in problems if p == "missing"]
            wrong = [f"{key}: {p}" for key, p in problems if p != "missing"]
            for detail in wrong:
                self.report.add("bytes differ from the record", detail)
            if missing:
                self.report.add("record without bytes", f"{record.filename}: "
                                + ", ".join(missing), self._remove_record(record))

    def _check_key(self, expected) -> str | None:
        """None when the bytes are right, else "missing" or what differs."""
        try:
            size = self.blobs.size(expected.key)
        except NoSuchFile:
            return "missing"
        self.report.keys += 1
        if expected.size is not None and size != expected.size:
            return f"size {size}, recorded {expected.size}"
        if self.quick or (expected.md5 is None and expected.sha256 is None):
            return None
        try:
            measured = measure(self.blobs.open_range(expected.key))
        except NoSuchFile:
            return "missing"
        self.report.bytes_read += measured.size
        differing = mismatches(expected, measured)
        return f"{' and '.join(differing)} differ" if differing else None

    def _remove_record(self, record: FileRecord) -> str | None:
        if not self.repair:
            return None
        current = self.store.get_file(record.filename)
        if current is None or current.path != record.path:
            return "removed meanwhile"
        if all(self.blobs.exists(e.key) for e in owned_keys(current)):
            return "its bytes arrived meanwhile"
        self.store.remove_file(FSCK_ACTOR, record.filename)
        for expected in owned_keys(record):
            self.blobs.delete(expected.key)
        return "record removed (journalled 'remove file')"

    def check_orphans(self) -> None:
        for key in self.blobs.list_keys():
            if key in self._wanted:
                continue
            record, _ = owning_record(self.store, key)
            if record is not None:
                continue                  # uploaded while this run went on
            repaired = None
            if self.repair:
                self.blobs.delete(key)
                repaired = "deleted"
            self.report.add("orphan bytes", f"{key}: no file record owns it", repaired)

    def check_temporary(self) -> None:
        for temp in self.blobs.list_temporary():
            self.report.temporary += 1
            if temp.temp_key in self._handled_temps:
                continue
            if temp.modified is not None and temp.modified >= self.stale_before:
                self.report.left_alone.append(f"{temp.temp_key} (written {temp.modified:%H:%M:%S} "
                                              f"UTC, may be an upload in flight)")
                continue
            repaired = None
            if self.repair:
                self.blobs.discard_temporary(temp.temp_key)
                repaired = "deleted"
            what = "unfinished" if not temp.complete else "unpublished"
            target = f" for {temp.target}" if temp.target else ""
            self.report.add("stale temporary bytes", f"{temp.temp_key}: {what}{target}, "
                            "no record wants it", repaired)


def print_report(report: Report, repair: bool, out: TextIO) -> None:
    for finding in report.findings:
        suffix = f" -> {finding.repaired}" if finding.repaired else ""
        print(f"{finding.kind}: {finding.detail}{suffix}", file=out)
    for line in report.actions:
        print(f"repaired: {line}", file=out)
    for line in report.left_alone:
        print(f"left alone: {line}", file=out)
    problems, unrepaired = len(report.findings), len(report.unrepaired)
    state = "clean" if not problems else (
        f"{problems} problems, {problems - unrepaired} repaired, {unrepaired} left"
        if repair else f"{problems} problems (run with --repair to fix what can be fixed)")
    print(f"checked {report.records} file records ({report.keys} blobs, "
          f"{report.bytes_read} bytes read), {report.temporary} temporary blobs: {state}",
          file=out)


def cmd_fsck(config, args, out: TextIO = sys.stdout) -> int:
    store, blobs = open_backends(config)
    try:
        checker = Checker(store, blobs, repair=args.repair,
                          grace=timedelta(seconds=args.grace), quick=args.quick)
        report = checker.run()
    finally:
        store.close()
    print_report(report, args.repair, out)
    return 1 if report.unrepaired else 0
