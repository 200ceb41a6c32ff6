"""``pypi migrate`` with the real CLI: SQLite -> gae -> PostgreSQL -> SQLite, and bad input.

The source index is filled through the store API and the blob store (users
with an Admin and an unconfirmed account, projects with many releases,
hidden releases, classifiers, project_urls, files with bytes, signatures and
.metadata side files, role changes, a deleted account, removals that leave
gaps in the projects' journals, mirrors). Each hop must reproduce the
canonical dump, blob digests included.
"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest

from pypi.backends import open_backends
from pypi.config import Config
from storage_backends.errors import ServiceUnavailable
from storage_backends.records import ADMIN, MAINTAINER, Actor, ReleaseMetadata
from tests.storage.backends import ServerDatabases, worker_id
from tests.storage.dump import canonical_dump
from tests.storage.samples import CLASSIFIERS, FULL_METADATA, new_file

from .server import client_env

pytestmark = pytest.mark.clients
ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2024, 5, 1, 12, 0, 0)


def sqlite_config(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.ini"
    path.write_text(f"[database]\nurl = sqlite:///{directory / 'pypi.db'}\n"
                    f"files_dir = {directory / 'packages'}\n")
    return path


def gae_config(directory: Path, datastore: Path | None = None) -> Path:
    pytest.importorskip("storage_backends.gae.sdk", reason="the gae extra is not installed")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.ini"
    path.write_text(f"[database]\nbackend = gae\n"
                    f"datastore_file = {datastore or directory / 'datastore.pickle'}\n")
    return path


def dump_of(config_path: Path) -> dict:
    store, blobs = open_backends(Config.from_ini(config_path))
    try:
        return canonical_dump(store, blobs)
    finally:
        store.close()


def run_migrate(tmp_path: Path, source: Path, target: Path, *extra: str):
    return subprocess.run([sys.executable, "-m", "pypi", "migrate", "--from", str(source),
                           "--to", str(target), *extra], cwd=ROOT, env=client_env(tmp_path),
                          capture_output=True, text=True, timeout=600)


def publish(blobs, data: bytes, key: str) -> None:
    blobs.publish(blobs.put_stream(io.BytesIO(data)), key)


def add_file(store, blobs, actor, name, version, filename, signed=False, with_metadata=False,
             **extra):
    data = f"{filename} contents ".encode() * 50
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
    new = new_file(name, version, filename, data, has_signature=signed,
                   metadata_sha256=hashlib.sha256(metadata).hexdigest() if with_metadata
                   else None, **extra)
    publish(blobs, data, new.path)
    if signed:
        publish(blobs, b"-----BEGIN PGP SIGNATURE-----\n" + filename.encode(), new.path + ".asc")
    if with_metadata:
        publish(blobs, metadata, new.path + ".metadata")
    store.add_file(actor, new)


def fill_index(config_path: Path) -> None:
    store, blobs = open_backends(Config.from_ini(config_path), create=True)
    try:
        store.add_classifiers(CLASSIFIERS)
        for name in ("alice", "bob", "dave"):
            store.create_user(name, f"{name}@example.org", f"$argon2id$v=19$hash-of-{name}")
        store.register_user("carol", "carol@example.org", "hash-c", "k" * 32, T0,
                            gpg_keyid="ABCD1234")
        store.record_login("alice", T0)
        alice, bob, dave = (Actor(n, f"192.0.2.{i}") for i, n in enumerate(
            ("alice", "bob", "dave"), 1))
        store.add_role(Actor(None, "cli"), ADMIN, "alice", None)
        for p in range(6):
            name = f"Proj.{p}" if p % 2 else f"proj-{p}"
            owner = alice if p < 3 else bob
            for r in range(5):
                metadata = FULL_METADATA if r == 0 else ReleaseMetadata(
                    summary=f"{name} {r}", classifiers=CLASSIFIERS[:r],
                    project_urls=(f"Homepage, https://example.org/{p}",
                                  f"Source, https://example.org/{p}/src"),
                    requires_dist=(f"dep{r}>=1",), requires_python=">=3.8")
                store.store_release(owner, name, f"{r}.0", metadata, hidden=(r == 2))
                add_file(store, blobs, owner, name, f"{r}.0", f"{name}-{r}.0.tar.gz",
                         signed=(r % 2 == 0))
                if r >= 3:
                    add_file(store, blobs, owner, name, f"{r}.0",
                             f"{name}-{r}.0-py3-none-any.whl", with_metadata=True,
                             python_version="py3", packagetype="bdist_wheel")
            if p == 1:
                store.set_autohide(name, False)
                store.remove_release(owner, name, "1.0")
                store.remove_file(owner, f"{name}-3.0.tar.gz")
            if p == 2:
                store.add_role(alice, MAINTAINER, "dave", name)
                store.add_role(alice, MAINTAINER, "bob", name)
                store.remove_role(alice, MAINTAINER, "bob", name)
                store.set_has_docs(alice, name, True)
        store.store_release(dave, "doomed", "1.0", ReleaseMetadata(summary="soon gone"))
        store.remove_project(dave, "doomed")
        store.delete_user(alice, "dave")                  # re-attributes his journal rows
        store.add_mirror("mirror.example.org", "bob")
        store.add_mirror("192.0.2.99", None)
    finally:
        store.close()


@pytest.fixture
def source(tmp_path) -> Path:
    config = sqlite_config(tmp_path / "a")
    fill_index(config)
    return config


@pytest.fixture
def postgresql_config(tmp_path):
    databases = ServerDatabases(f"migrate_{worker_id()}")
    try:
        store = databases.open_store("postgresql")      # a scratch database with its schema
    except ServiceUnavailable as err:
        if os.environ.get("PYPI_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail(f"postgresql is required here: {err}")
        pytest.skip(f"postgresql not reachable: {err}")
    url = store.engine.url.render_as_string(hide_password=False)
    store.close()
    directory = tmp_path / "pg"
    directory.mkdir()
    path = directory / "config.ini"
    path.write_text(f"[database]\nurl = {url}\nfiles_dir = {directory / 'packages'}\n")
    yield path
    databases.drop_all()


def test_round_trip_sqlite_gae_postgresql_sqlite(tmp_path, source, postgresql_config):
    expected = dump_of(source)
    assert len(expected["projects"]) == 6 and len(expected["journal"]) > 90
    assert all(digest for p in expected["projects"] for f in p["files"]
               for digest in f["blobs"].values())
    hops = [source, gae_config(tmp_path / "g"), postgresql_config, sqlite_config(tmp_path / "b")]
    for before, after in zip(hops, hops[1:]):
        result = run_migrate(tmp_path, before, after)
        assert result.returncode == 0, result.stderr
        assert "projects" in result.stderr and "Traceback" not in result.stderr
        assert "migrated 5" in result.stdout or "migrated" in result.stdout
        assert dump_of(after) == expected, f"{before.parent.name} -> {after.parent.name}"
    assert dump_of(source) == expected


INTERRUPTING = textwrap.dedent("""
    import sys
    import pypi.migrate as migrate
    real, calls = migrate.copy_project, []

    def failing(*args, **kwargs):
        if len(calls) == int(sys.argv[1]):
            raise RuntimeError("injected failure")
        calls.append(1)
        return real(*args, **kwargs)

    migrate.copy_project = failing
    from pypi.cli import main
    sys.exit(main(sys.argv[2:]))
""")


def test_interrupted_migration_resumes_and_never_writes_the_source(tmp_path, source):
    expected = dump_of(source)
    target = gae_config(tmp_path / "g")
    interrupted = subprocess.run(
        [sys.executable, "-c", INTERRUPTING, "3", "migrate", "--from", str(source),
         "--to", str(target)], cwd=ROOT, env=client_env(tmp_path), capture_output=True,
        text=True, timeout=600)
    assert interrupted.returncode != 0 and "injected failure" in interrupted.stderr
    assert dump_of(source) == expected
    partial = dump_of(target)
    assert len(partial["projects"]) == 3 and partial["journal"] == []
    resumed = run_migrate(tmp_path, source, target)
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming the migration" in resumed.stderr and "after 'proj-4'" in resumed.stderr
    assert "3 projects" in resumed.stdout
    assert dump_of(target) == expected
    assert dump_of(source) == expected


def test_non_empty_target_is_refused_unless_forced(tmp_path, source):
    target = sqlite_config(tmp_path / "b")
    assert run_migrate(tmp_path, source, target).returncode == 0
    again = run_migrate(tmp_path, source, target)
    assert again.returncode == 2
    assert "is not empty (3 users, 6 projects" in again.stderr and "--force" in again.stderr
    assert "Traceback" not in again.stderr
    forced = run_migrate(tmp_path, source, target, "--force")
    assert forced.returncode == 0, forced.stderr
    assert dump_of(target) == dump_of(source)


def test_missing_or_corrupt_source_is_a_clear_error(tmp_path, source):
    target = sqlite_config(tmp_path / "b")
    missing = gae_config(tmp_path / "missing")
    result = run_migrate(tmp_path, missing, target)
    assert result.returncode == 2 and "does not exist" in result.stderr
    corrupt_file = tmp_path / "corrupt" / "datastore.pickle"
    corrupt_file.parent.mkdir()
    corrupt_file.write_bytes(pickle.dumps({"not": "a datastore"})[:-3])
    result = run_migrate(tmp_path, gae_config(tmp_path / "corrupt", corrupt_file), target)
    assert result.returncode == 2 and "corrupt or not a datastore file" in result.stderr
    no_sqlite = tmp_path / "nothing" / "config.ini"
    no_sqlite.parent.mkdir()
    no_sqlite.write_text(f"[database]\nurl = sqlite:///{tmp_path / 'nothing' / 'pypi.db'}\n")
    result = run_migrate(tmp_path, no_sqlite, target)
    assert result.returncode == 2 and "does not exist" in result.stderr
    assert not (tmp_path / "nothing" / "pypi.db").exists()
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "b" / "pypi.db").exists()       # the target is not even opened
