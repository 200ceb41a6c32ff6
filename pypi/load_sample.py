"""``pypi load-sample --projects N [--seed S] [--force]``: fill an index with the sample.

The data comes from ``pypi.sample`` (pure, deterministic for a seed); this
module only writes it, in batches of ``BATCH`` projects, each batch:

1. the bytes of its files (and wheels' ``.metadata``) go to the blob store,
   at their final keys;
2. then its projects (releases, file records, roles) and their journal rows,
   numbered after the index's last serial, through the store's import
   operations.

Bytes before records, as an upload does: an interrupted load (even a
SIGKILL) leaves whole batches, where every file record has its bytes, and at
worst orphan bytes from the batch in flight. Progress is kept in the store's
migration marker; running the same command again continues after the last
batch done (redoing a batch is harmless: imports replace what they write,
and its journal rows get the same serials again).

Every sample account has the password ``SAMPLE_PASSWORD``: it is hashed once
per run (argon2, as ``adduser`` does) and the hash is shared, since hashing
hundreds of thousands of passwords would take hours.
"""
from __future__ import annotations

import dataclasses
import json
import sys
import time
from typing import TextIO

from storage_backends.interface import BlobStore, Store
from storage_backends.records import JournalEntry, UserExport

from .config import Config
from .migrate import Progress, describe, open_target
from .passwords import hash_password
from .sample import SampleIndex, SampleProject
from .sample_text import every_classifier

BATCH = 250
USER_BATCH = 1000
SAMPLE_PASSWORD = "sample-password"
MARKER_KIND = "load-sample"


class LoadRefused(Exception):
    """The index cannot take the sample as asked (not empty, another load in progress)."""


@dataclasses.dataclass
class LoadSummary:
    users: int = 0
    projects: int = 0
    releases: int = 0
    files: int = 0
    journal: int = 0
    seconds: float = 0.0


def index_contents(store: Store) -> str | None:
    """What makes an index non-empty for a load, or None (accounts alone do not count)."""
    projects, serial = len(store.list_projects()), store.last_serial()
    if not (projects or serial):
        return None
    return f"{projects} projects, serial {serial}"


def _start(store: Store, seed: int, projects: int, force: bool, out: TextIO) -> dict:
    """The marker to work from: a fresh one, or the one of the same load to resume."""
    raw = store.migration_marker()
    if raw is not None:
        marker = json.loads(raw)
        same = marker.get("kind") == MARKER_KIND and marker.get("seed") == seed \
            and marker.get("projects") == projects
        if same:
            print(f"resuming the sample load after {marker['done']} projects", file=out, flush=True)
            return marker
        if not force:
            raise LoadRefused(f"the index holds an unfinished {marker.get('source', 'migration')}"
                              f"; rerun that command, or use --force")
    contents = index_contents(store)
    if contents is not None and not force:
        raise LoadRefused(f"the index is not empty ({contents}); use --force to load the "
                          f"sample into it anyway (same-named projects are replaced)")
    marker = {"kind": MARKER_KIND, "source": f"load-sample --seed {seed} --projects {projects}",
              "seed": seed, "projects": projects, "done": 0, "users": False,
              "next_serial": store.last_serial() + 1}
    store.set_migration_marker(json.dumps(marker))
    return marker


def load_sample(store: Store, blobs: BlobStore, *, projects: int, seed: int = 0,
                force: bool = False, out: TextIO = sys.stderr) -> LoadSummary:
    """Load the first ``projects`` projects of the sample of ``seed``; raises ``LoadRefused``."""
    began = time.monotonic()
    summary = LoadSummary()
    marker = _start(store, seed, projects, force, out)
    index = SampleIndex(seed, projects)
    progress = Progress(out)
    _ensure_classifiers(store)
    if not marker["users"]:
        summary.users = _load_users(store, index, progress)
        marker["users"] = True
        store.set_migration_marker(json.dumps(marker))
    done = marker["done"]
    progress.start("projects")
    while done < projects:
        batch = list(index.projects(done, done + BATCH))
        marker["next_serial"] = _load_batch(store, blobs, batch, marker["next_serial"], summary)
        done += len(batch)
        marker["done"] = done
        store.set_migration_marker(json.dumps(marker))
        progress.step("projects", done, projects)
    store.set_migration_marker(None)
    summary.seconds = time.monotonic() - began
    return summary


def _ensure_classifiers(store: Store) -> None:
    """The whole trove list on a fresh index (as ``initdb``), and whatever the sample uses."""
    known = set(store.list_classifiers())
    if not known:
        from trove_classifiers import sorted_classifiers
        known = set(sorted_classifiers)
        store.add_classifiers(sorted_classifiers)
    if every_classifier() - known:
        store.add_classifiers(sorted(every_classifier() - known))


def _load_users(store: Store, index: SampleIndex, progress: Progress) -> int:
    """Sample accounts, one shared password hash; existing accounts are kept as they are."""
    existing = {u.user.name for u in store.export_users()}
    password = hash_password(SAMPLE_PASSWORD)
    users = [UserExport(dataclasses.replace(u.user, password=password), u.registration)
             for u in index.users() if u.user.name not in existing]
    for start in range(0, len(users), USER_BATCH):
        store.import_users(users[start:start + USER_BATCH])
        progress.step("users", min(start + USER_BATCH, len(users)), len(users))
    return len(users)


def _load_batch(store: Store, blobs: BlobStore, batch: list[SampleProject], serial: int,
                summary: LoadSummary) -> int:
    """Bytes first, then records and journal; returns the next free serial."""
    blobs.write_many([item for sample in batch for item in sample.blobs])
    exports, entries = [], []
    for sample in batch:
        for event in sample.journal:
            entries.append(JournalEntry(serial, event.name, event.version, event.action,
                                        event.when, event.user, event.address))
            serial += 1
        project = dataclasses.replace(sample.export.project, last_serial=serial - 1)
        exports.append(dataclasses.replace(sample.export, project=project))
        summary.projects += 1
        summary.releases += len(sample.export.releases)
        summary.files += len(sample.export.files)
    store.import_projects(exports, entries)
    summary.journal += len(entries)
    return serial


def cmd_load_sample(config: Config, args) -> int:
    """The CLI command: exit 0 when done, 2 when refused."""
    if args.projects < 0:
        print("pypi load-sample: --projects must be 0 or more", file=sys.stderr)
        return 2
    store, blobs = open_target(config)
    try:
        print(f"loading {args.projects} sample projects (seed {args.seed}) into "
              f"{describe(config)}", file=sys.stderr, flush=True)
        summary = load_sample(store, blobs, projects=args.projects, seed=args.seed,
                              force=args.force)
    except LoadRefused as err:
        print(f"pypi load-sample: {err}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(f"loaded {summary.projects} projects, {summary.releases} releases, {summary.files} "
          f"files, {summary.users} users, {summary.journal} journal rows in "
          f"{summary.seconds:.1f}s")
    return 0
