"""``pypi fsck`` with the real CLI on SQLite and on the gae stub: what it reports, what
``--repair`` does, and its exit status.

The index is damaged the ways an interrupted write, a lost disk file or a
stray copy can: a record whose bytes are gone, bytes that differ from their
record, an orphan, a stale temporary upload, an upload that died after its
commit, and a young temporary upload that may still be in flight.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pypi.backends import open_blobs, open_store
from pypi.config import Config
from storage_backends.records import Actor, ReleaseMetadata
from tests.storage.samples import new_file

from .server import client_env
from .test_migrate import gae_config, sqlite_config

pytestmark = pytest.mark.clients
ROOT = Path(__file__).resolve().parents[2]
ALICE = Actor("alice", "192.0.2.1")


def fsck(tmp_path: Path, config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pypi", "fsck", "--config", str(config), *args],
                          cwd=ROOT, env=client_env(tmp_path), capture_output=True, text=True,
                          timeout=300)


def open_backends(config_path: Path, create: bool = False):
    """Store and blobs of a config; ``create`` makes the schema (or datastore file) too."""
    config = Config.from_ini(config_path)
    store = open_store(config, create=create)
    return store, open_blobs(config, store)


def publish(blobs, data: bytes, key: str) -> None:
    blobs.publish(blobs.put_stream(io.BytesIO(data)), key)


def damage(config: Path) -> None:
    store, blobs = open_backends(config, create=True)
    try:
        store.create_user("alice", "alice@example.org", "hash")
        store.store_release(ALICE, "demo", "1.0", ReleaseMetadata(summary="demo"))
        files = {}
        for label in ("sound", "lost", "corrupt", "waiting"):
            data = f"{label} bytes".encode() * 100
            new = new_file("demo", "1.0", f"demo-1.0-{label}.tar.gz", data)
            files[label] = new
            if label == "waiting":                          # died after its commit
                blobs.put_stream(io.BytesIO(data), target=new.path)
            elif label != "lost":
                publish(blobs, data if label == "sound" else data[:-1] + b"!", new.path)
            store.add_file(ALICE, new)
        publish(blobs, b"nobody's", "source/o/orphan/orphan-1.0.tar.gz")
        blobs.put_stream(io.BytesIO(b"young"))              # may be in flight: left alone
    finally:
        store.close()


@pytest.fixture(params=["sqlite", "gae"])
def config(request, tmp_path) -> Path:
    if request.param == "sqlite":
        return sqlite_config(tmp_path / "index")
    return gae_config(tmp_path / "index")


def test_clean_index_exits_0(tmp_path, config):
    open_backends(config, create=True)[0].close()
    result = fsck(tmp_path, config)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith(": clean")


def test_report_then_repair(tmp_path, config):
    damage(config)
    stale = _add_stale_temporary(config)
    result = fsck(tmp_path, config)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert _kinds(lines) == {
        "record without bytes": 1, "bytes differ from the record": 1, "orphan bytes": 1,
        "stale temporary bytes": 1, "unpublished upload": 1}
    assert any("demo-1.0-lost.tar.gz" in line for line in lines)
    assert any("md5 and sha256 differ" in line and "corrupt" in line for line in lines)
    assert sum(line.startswith("left alone:") for line in lines) == 1
    before = _contents(config)
    assert stale in before["temps"] and len(before["temps"]) == 3   # stale, waiting, young
    assert "demo-1.0-lost.tar.gz" in before["files"]               # the report changed nothing

    repaired = fsck(tmp_path, config, "--repair")
    assert repaired.returncode == 1, repaired.stdout          # the corrupt file is left to a person
    assert [line for line in repaired.stdout.splitlines() if "->" not in line and
            not line.startswith(("checked", "left alone"))] == [
        line for line in lines if line.startswith("bytes differ")]
    after = _contents(config)
    assert after["files"] == {"demo-1.0-sound.tar.gz", "demo-1.0-corrupt.tar.gz",
                              "demo-1.0-waiting.tar.gz"}
    assert "remove file demo-1.0-lost.tar.gz" in after["journal"]
    assert len(after["temps"]) == 1 and stale not in after["temps"]   # the young one stays

    _remove_corrupt(config)
    final = fsck(tmp_path, config, "--grace", "0", "--repair")
    assert final.returncode == 0, final.stdout
    again = fsck(tmp_path, config, "--grace", "0")
    assert again.returncode == 0 and again.stdout.rstrip().endswith(": clean"), again.stdout


def _kinds(lines: list[str]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for line in lines:
        if not line.startswith(("checked", "left alone", "repaired:")):
            kind = line.split(":", 1)[0]
            kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def _add_stale_temporary(config: Path) -> str:
    """A temporary upload two hours old: local files get an old mtime, gae an old stamp."""
    store, blobs = open_backends(config)
    try:
        blob = blobs.put_stream(io.BytesIO(b"left by a crash"), target="source/x/x/x-1.tar.gz")
        two_hours_ago = time.time() - 7200
        if hasattr(blobs, "root"):
            os.utime(blobs.root / blob.temp_key, (two_hours_ago, two_hours_ago))
        else:
            from datetime import datetime

            from storage_backends.gae.blobs import BlobContent
            from storage_backends.gae.sdk import ndb
            with store.access():
                content = ndb.Key(BlobContent, blob.temp_key.split("/")[1]).get()
                content.created = datetime.utcfromtimestamp(two_hours_ago)
                content.put()
        return blob.temp_key
    finally:
        store.close()


def _contents(config: Path) -> dict:
    store, blobs = open_backends(config)
    try:
        return {"files": {r.filename for r in store.iter_files()},
                "journal": [e.action for e in store.project_journal("demo")],
                "temps": {t.temp_key for t in blobs.list_temporary()}}
    finally:
        store.close()


def _remove_corrupt(config: Path) -> None:
    store, blobs = open_backends(config)
    try:
        record = store.remove_file(ALICE, "demo-1.0-corrupt.tar.gz")
        blobs.delete(record.path)
    finally:
        store.close()
