"""What ``pypi fsck`` and the crash recovery need from every store: listing file records,
integrity checks, and rolling an upload forward that a crash stopped after its commit.

Dangling rows cannot be made through the interface (each write is one
transaction), so ``make_dangling`` writes them past it, per backend.
"""
from __future__ import annotations

import io

import pytest

from storage_backends.local_blobs import LocalBlobStore
from storage_backends.records import Actor, ReleaseMetadata
from storage_backends.recovery import publish_pending
from storage_backends.sql import SqlStore

from .samples import new_file

FSCK = Actor(None, "fsck")


@pytest.fixture
def blobs(store, tmp_path):
    """The blob store that goes with ``store``, as ``pypi.backends.open_blobs`` pairs them."""
    if isinstance(store, SqlStore):
        return LocalBlobStore(tmp_path / "files")
    from storage_backends.gae.blobs import GaeBlobStore
    return GaeBlobStore(store.access)


def test_iter_files_lists_every_record(store, alice, demo):
    store.store_release(alice, "other", "2.0", ReleaseMetadata())
    names = [f"demo-1.0-{i}.tar.gz" for i in range(3)] + ["other-2.0.tar.gz"]
    for filename in names:
        project, version = ("other", "2.0") if filename.startswith("other") else ("demo", "1.0")
        store.add_file(alice, new_file(project, version, filename))
    store.remove_file(alice, names[1])
    assert sorted(r.filename for r in store.iter_files()) == sorted(set(names) - {names[1]})


def test_a_store_written_through_the_interface_has_no_integrity_problems(store, alice, bob, demo):
    store.add_file(alice, new_file("demo", "1.0", "demo-1.0.tar.gz"))
    store.add_role(alice, "Maintainer", "bob", "demo")
    store.store_release(bob, "gone", "1.0", ReleaseMetadata(classifiers=()))
    store.remove_project(bob, "gone")
    assert store.integrity_problems() == []
    serial = store.last_serial()
    assert store.repair_integrity(FSCK) == []
    assert store.last_serial() == serial                  # nothing to repair, nothing journalled


def test_dangling_rows_are_reported_and_repaired_with_journal_rows(store, alice, demo):
    store.add_file(alice, new_file("demo", "1.0", "demo-1.0.tar.gz"))
    make_dangling(store)
    kinds = sorted(p.kind for p in store.integrity_problems())
    assert "release without project" in kinds and "file without release" in kinds
    assert "role on a missing project" in kinds
    serial = store.last_serial()
    done = store.repair_integrity(FSCK)
    assert len(done) >= 3
    assert store.integrity_problems() == []
    actions = [e.action for e in store.changelog_since_serial(serial)]
    assert "remove file ghost-1.0.tar.gz" in actions and "remove" in actions
    assert store.get_file("demo-1.0.tar.gz") is not None   # the sound rows stay


def test_a_lagging_serial_counter_is_reported_and_raised(store, alice, demo):
    highest = store.last_serial()
    lower_serial_counter(store, highest - 2)
    assert [p.kind for p in store.integrity_problems()] == ["serial counter behind the journal"]
    store.repair_integrity(FSCK)
    assert store.last_serial() == highest and store.integrity_problems() == []


# -- rolling forward an upload stopped between its commit and its publish --------------------
def _upload_stopped_after_commit(store, blobs, alice, filename, data, signature=None):
    new = new_file("demo", "1.0", filename, data, has_signature=signature is not None)
    blob = blobs.put_stream(io.BytesIO(data), target=new.path)
    if signature is not None:
        blobs.put_stream(io.BytesIO(signature), target=new.path + ".asc")
    store.add_file(alice, new)
    return new, blob                                 # the process dies here: nothing published


def test_recovery_publishes_what_a_committed_record_waits_for(store, blobs, alice, demo):
    new, _ = _upload_stopped_after_commit(store, blobs, alice, "demo-1.0.tar.gz", b"sdist bytes",
                                          signature=b"-----BEGIN PGP SIGNATURE-----")
    assert not blobs.exists(new.path)
    assert sorted(publish_pending(store, blobs)) == [new.path, new.path + ".asc"]
    assert b"".join(blobs.open_range(new.path)) == b"sdist bytes"
    assert blobs.exists(new.path + ".asc")
    assert list(blobs.list_temporary()) == []
    assert publish_pending(store, blobs) == []       # idempotent


def test_recovery_leaves_bytes_no_record_wants(store, blobs, alice, demo):
    new, _ = _upload_stopped_after_commit(store, blobs, alice, "demo-1.0.tar.gz", b"right bytes")
    blobs.put_stream(io.BytesIO(b"a losing upload's bytes"), target=new.path)
    blobs.put_stream(io.BytesIO(b"before its commit"), target="source/d/demo/demo-2.0.tar.gz")
    blobs.put_stream(io.BytesIO(b"no target"))
    assert publish_pending(store, blobs) == [new.path]
    assert b"".join(blobs.open_range(new.path)) == b"right bytes"
    assert len(list(blobs.list_temporary())) == 3    # for fsck to judge


def test_recovery_replaces_stale_bytes_at_the_path(store, blobs, alice, demo):
    """A removal that died before deleting the bytes, then a new upload of the same name."""
    blobs.publish(blobs.put_stream(io.BytesIO(b"old orphan")),
                  new_file("demo", "1.0", "demo-1.0.tar.gz", b"new bytes").path)
    new, _ = _upload_stopped_after_commit(store, blobs, alice, "demo-1.0.tar.gz", b"new bytes")
    assert publish_pending(store, blobs) == [new.path]
    assert b"".join(blobs.open_range(new.path)) == b"new bytes"


# -- writing past the interface, per backend -----------------------------------------------
def make_dangling(store) -> None:
    """A release without its project, a file without its release, a role on no project."""
    if isinstance(store, SqlStore):
        _sql_dangling(store)
    else:
        _ndb_dangling(store)


def _sql_dangling(store) -> None:
    from datetime import datetime

    from storage_backends.sql.tables import release_files, releases, roles
    ghost = new_file("ghost", "1.0", "ghost-1.0.tar.gz")
    with _without_foreign_keys(store) as conn:
        conn.execute(releases.insert().values(name="nowhere", version="1.0"))
        conn.execute(release_files.insert().values(
            name="ghost", version="1.0", filename=ghost.filename, md5_digest=ghost.md5_digest,
            sha256_digest=ghost.sha256_digest, size=ghost.size, path=ghost.path,
            python_version="source", packagetype="sdist", upload_time=datetime(2024, 1, 1)))
        conn.execute(roles.insert().values(role_name="Owner", user_name="alice",
                                           package_name="nowhere-else"))


class _without_foreign_keys:
    """A connection whose writes skip the foreign-key checks (each dialect its own way)."""

    def __init__(self, store):
        self.engine = store.engine

    def __enter__(self):
        self.conn = self.engine.connect()
        dialect = self.engine.dialect.name
        if dialect == "sqlite":
            self.conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        elif dialect == "postgresql":
            self.conn.exec_driver_sql("SET session_replication_role = replica")
        else:
            self.conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
        return self.conn

    def __exit__(self, *exc):
        self.conn.commit()
        if self.engine.dialect.name == "sqlite":
            self.conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
        elif self.engine.dialect.name == "postgresql":
            self.conn.exec_driver_sql("SET session_replication_role = DEFAULT")
            self.conn.commit()
        else:
            self.conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")
            self.conn.commit()
        self.conn.close()


def _ndb_dangling(store) -> None:
    from datetime import datetime

    from storage_backends.gae import models as m
    from storage_backends.gae.files import file_digest_key, file_name_key
    from storage_backends.gae.sdk import ndb
    ghost = new_file("ghost", "1.0", "ghost-1.0.tar.gz")
    with store.access():
        ndb.put_multi([
            m.Release(key=ndb.Key(m.Project, "nowhere", m.Release, "1.0")),
            m.ProjectFile(key=ndb.Key(m.Project, "ghost", m.ProjectFile, ghost.filename),
                          name="ghost", version="1.0", path=ghost.path, size=ghost.size,
                          md5_digest=ghost.md5_digest, sha256_digest=ghost.sha256_digest,
                          upload_time=datetime(2024, 1, 1)),
            m.FileName(key=file_name_key(ghost.filename), project="ghost"),
            m.FileDigest(key=file_digest_key(ghost.md5_digest), filename=ghost.filename),
            m.ProjectRole(key=ndb.Key(m.Project, "nowhere-else", m.ProjectRole, "Owner:alice"),
                          role_name="Owner", user_name="alice", package_name="nowhere-else"),
        ])


def lower_serial_counter(store, value: int) -> None:
    if isinstance(store, SqlStore):
        from storage_backends.sql.tables import SERIAL_ROW_ID, pypi_serial
        with store.engine.begin() as conn:
            conn.execute(pypi_serial.update().where(pypi_serial.c.id == SERIAL_ROW_ID)
                         .values(value=value))
        return
    from storage_backends.gae import models as m
    with store.access():
        m.Serial(key=m.serial_key(), value=value).put()
