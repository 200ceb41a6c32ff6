"""``pypi migrate --from CFG_A --to CFG_B``: copy a whole index from one backend to another.

What is copied, in this order, each through the ``Store`` export/import
operations (``storage_backends/interface.py``):

1. trove classifiers with their ids (browse URLs carry them);
2. users with their password hashes, last login, pending registration key and
   site-wide roles (Admin);
3. projects, one at a time: the bytes of every file (and its ``.asc``
   signature and PEP 658 ``.metadata`` when the record says they exist),
   checked against the record's digests, then the project with its flags,
   releases (all metadata, hidden flags, orderings, created times), file
   records (upload times, download counts) and roles;
4. the journal, with serials, timestamps, actors and addresses as they were;
   the target's serial counter ends at the source's highest serial;
5. registered mirrors.

Not copied: browser sessions, password-reset keys and failed-login counters
(they expire within hours; users log in again), and hosted documentation,
which lives in ``docs_dir`` on the file system, outside both stores (copy that
directory).

Resumable: the target store keeps a progress marker (``set_migration_marker``)
naming the step and the last project or serial done, updated after each
project and each journal batch. Every import replaces what it writes, so a
rerun after an interruption continues where the marker says, and redoing the
project that was in flight is harmless. The marker is removed at the end.

The source is only read: it is wrapped in ``ReadOnlySource``, which lets
through the read operations this module uses and nothing else.
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, TextIO

from storage_backends.interface import BlobStore, Store
from storage_backends.records import FileRecord

from .backends import open_blobs, open_store
from .config import Config, ConfigError

STEPS = ("classifiers", "users", "projects", "journal", "mirrors")
USER_BATCH = 200
JOURNAL_BATCH = 1000


class MigrationRefused(Exception):
    """The target cannot be migrated into as asked (not empty, or another migration's)."""


class ReadOnlySource:
    """The source store, with only the reads a migration makes let through."""

    READS = frozenset({"classifier_ids", "export_users", "export_projects", "export_journal",
                       "list_mirrors", "list_projects", "last_serial", "close"})

    def __init__(self, store: Store):
        self._store = store

    def __getattr__(self, name: str):
        if name not in self.READS:
            raise AttributeError(f"the migration source is read-only: {name} is not allowed")
        return getattr(self._store, name)


def describe(config: Config) -> str:
    """The store a config names, for messages (no password)."""
    if config.backend == "gae":
        return f"gae datastore {config.datastore_file or '(App Engine)'}"
    from sqlalchemy.engine import make_url
    try:
        return make_url(config.database_url).render_as_string(hide_password=True)
    except Exception:
        return "<database>"


def open_source(config: Config) -> tuple[ReadOnlySource, BlobStore]:
    """Open the source without creating anything: a missing database is an error."""
    if config.backend == "sql" and config.database_url.startswith("sqlite:"):
        from sqlalchemy.engine import make_url
        database = make_url(config.database_url).database
        if database and database != ":memory:" and not Path(database).is_file():
            raise ConfigError(f"source database {database} does not exist")
    store = open_store(config)
    return ReadOnlySource(store), open_blobs(config, store)


def open_target(config: Config) -> tuple[Store, BlobStore]:
    """Open the target, creating its schema (or datastore file) when missing."""
    if config.backend == "sql" and config.database_url.startswith("sqlite:"):
        from sqlalchemy.engine import make_url
        database = make_url(config.database_url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    store = open_store(config, create=True)
    return store, open_blobs(config, store)


@dataclass
class Summary:
    classifiers: int = 0
    users: int = 0
    projects: int = 0
    files: int = 0
    blobs: int = 0
    journal: int = 0
    mirrors: int = 0
    problems: list[str] = field(default_factory=list)


class Progress:
    """Counts on stderr: a redrawn bar on a terminal, a line per tenth otherwise, with the
    time spent on the step and, for long steps, the time it should still take."""

    def __init__(self, out: TextIO):
        self.out = out
        self.tty = out.isatty()
        self._started: dict[str, float] = {}

    def start(self, label: str) -> None:
        """Time the step from now (otherwise from its first count)."""
        self._started[label] = time.monotonic()

    def step(self, label: str, done: int, total: int | None) -> None:
        if total:
            width = 30
            bar = "#" * (width * done // total)
            text = f"{label:<12} {done:>7}/{total:<7} [{bar:<{width}}]"
            text += self._times(label, done, total)
            tenth = max(total // 10, 1)
            if self.tty:
                print("\r" + text, end="\n" if done == total else "", file=self.out, flush=True)
            elif done == total or done % tenth == 0:
                print(text, file=self.out, flush=True)
        else:
            print(f"{label:<12} {done:>7}", file=self.out, flush=True)

    def _times(self, label: str, done: int, total: int) -> str:
        now = time.monotonic()
        started = self._started.setdefault(label, now)
        spent = now - started
        if spent < 1:
            return ""
        left = f", {_duration(spent * (total - done) / done)} left" if 0 < done < total else ""
        return f" {_duration(spent)}{left}"


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"


class _ChunkStream:
    """A ``read(n)`` stream over an iterator of byte chunks (for ``put_stream``)."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = iter(chunks)
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def target_contents(store: Store) -> str | None:
    """What makes a target non-empty, or None (classifiers alone do not count)."""
    users = sum(1 for _ in store.export_users())
    projects = len(store.list_projects())
    serial = store.last_serial()
    mirrors = len(store.list_mirrors())
    if not (users or projects or serial or mirrors):
        return None
    return f"{users} users, {projects} projects, serial {serial}, {mirrors} mirrors"


def project_order(name: str) -> tuple[str, str]:
    """``list_projects``' order, which the marker's "after" relies on."""
    return (name.lower(), name)


def copy_blobs(record: FileRecord, source: BlobStore, target: BlobStore,
               summary: Summary) -> None:
    """The file's bytes and side files, checked against the record's digests."""
    wanted = [(record.path, "md5", record.md5_digest)]
    if record.has_signature:
        wanted.append((record.path + ".asc", None, None))
    if record.metadata_sha256:
        wanted.append((record.path + ".metadata", "sha256", record.metadata_sha256))
    for key, digest_name, expected in wanted:
        if not source.exists(key):
            summary.problems.append(f"{record.filename}: the source has no bytes at {key}")
            continue
        blob = target.put_stream(_ChunkStream(source.open_range(key)))
        if expected and getattr(blob, digest_name) != expected:
            summary.problems.append(f"{record.filename}: the bytes at {key} do not match the "
                                    f"record's {digest_name} (copied as they are)")
        target.publish(blob, key)
        summary.blobs += 1


def copy_project(export, source: ReadOnlySource, source_blobs: BlobStore, target: Store,
                 target_blobs: BlobStore, summary: Summary) -> None:
    """Bytes first, then the records: a project in the target always has its bytes."""
    for record in export.files:
        copy_blobs(record, source_blobs, target_blobs, summary)
    target.import_project(export)
    summary.files += len(export.files)


def migrate(source: ReadOnlySource, source_blobs: BlobStore, target: Store,
            target_blobs: BlobStore, *, source_label: str, target_label: str,
            force: bool = False, out: TextIO = sys.stderr) -> Summary:
    """Copy everything (see the module docstring); raises ``MigrationRefused``."""
    progress = Progress(out)
    summary = Summary()
    raw = target.migration_marker()
    if raw is None:
        contents = target_contents(target)
        if contents is not None and not force:
            raise MigrationRefused(f"the target {target_label} is not empty ({contents}); "
                                   f"use --force to copy into it anyway (records of the same "
                                   f"names are replaced)")
        marker = {"source": source_label, "step": STEPS[0], "after": None}
        target.set_migration_marker(json.dumps(marker))
    else:
        marker = json.loads(raw)
        if marker.get("source") != source_label and not force:
            raise MigrationRefused(f"the target {target_label} holds an unfinished migration "
                                   f"from {marker.get('source')}; rerun that one, or use --force")
        marker["source"] = source_label
        print(f"resuming the migration into {target_label} at step {marker['step']}"
              + (f" after {marker['after']!r}" if marker.get("after") is not None else ""),
              file=out, flush=True)

    def done_through(step: str, after=None) -> None:
        marker.update(step=step, after=after)
        target.set_migration_marker(json.dumps(marker))

    start = STEPS.index(marker["step"])
    if start <= STEPS.index("classifiers"):
        ids = source.classifier_ids()
        target.import_classifiers(ids)
        summary.classifiers = len(ids)
        progress.step("classifiers", len(ids), len(ids) or None)
        done_through("users")
    if start <= STEPS.index("users"):
        users = list(source.export_users())
        for begin in range(0, len(users), USER_BATCH):
            target.import_users(users[begin:begin + USER_BATCH])
            progress.step("users", min(begin + USER_BATCH, len(users)), len(users))
        summary.users = len(users)
        done_through("projects")
    if start <= STEPS.index("projects"):
        after = marker.get("after") if marker["step"] == "projects" else None
        names = [p.name for p in source.list_projects()]
        total = len(names)
        done = sum(1 for n in names if after is not None and project_order(n) <= project_order(after))
        for export in source.export_projects():
            name = export.project.name
            if after is not None and project_order(name) <= project_order(after):
                continue
            copy_project(export, source, source_blobs, target, target_blobs, summary)
            summary.projects += 1
            done += 1
            done_through("projects", name)
            progress.step("projects", done, total)
        done_through("journal", 0)
    if start <= STEPS.index("journal"):
        after = int(marker.get("after") or 0) if marker["step"] == "journal" else 0
        total = source.last_serial()
        for rows in source.export_journal(after, JOURNAL_BATCH):
            target.import_journal(rows)
            summary.journal += len(rows)
            done_through("journal", rows[-1].serial)
            progress.step("journal", rows[-1].serial, total)
        done_through("mirrors")
    existing = {m.ip: m for m in target.list_mirrors()}
    for mirror in source.list_mirrors():
        if existing.get(mirror.ip) != mirror:
            if mirror.ip in existing:
                target.remove_mirror(mirror.ip)
            target.add_mirror(mirror.ip, mirror.user_name)
        summary.mirrors += 1
    target.set_migration_marker(None)
    return summary


def cmd_migrate(args, load_config) -> int:
    """The CLI command: exit 0 when done, 2 when refused or a store cannot be opened."""
    source_config, target_config = load_config(args.source), load_config(args.target)
    if source_config.backend == target_config.backend == "gae" \
            and source_config.datastore_file and target_config.datastore_file:
        print("pypi migrate: the App Engine SDK opens one datastore file per process, so "
              "gae to gae is not supported; migrate through an SQLite file", file=sys.stderr)
        return 2
    source_label, target_label = describe(source_config), describe(target_config)
    if source_label == target_label:
        print(f"pypi migrate: source and target are the same store ({source_label})",
              file=sys.stderr)
        return 2
    source, source_blobs = open_source(source_config)
    try:
        target, target_blobs = open_target(target_config)
        try:
            print(f"migrating {source_label} -> {target_label}", file=sys.stderr, flush=True)
            summary = migrate(source, source_blobs, target, target_blobs,
                              source_label=source_label, target_label=target_label,
                              force=args.force)
        except MigrationRefused as err:
            print(f"pypi migrate: {err}", file=sys.stderr)
            return 2
        finally:
            target.close()
    finally:
        source.close()
    for problem in summary.problems:
        print(f"pypi migrate: warning: {problem}", file=sys.stderr)
    print(f"migrated {summary.classifiers} classifiers, {summary.users} users, "
          f"{summary.projects} projects, {summary.files} files ({summary.blobs} blobs), "
          f"{summary.journal} journal rows, {summary.mirrors} mirrors")
    return 0
