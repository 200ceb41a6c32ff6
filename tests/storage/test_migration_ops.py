"""Export and import of a whole index (what ``pypi migrate`` is built on), on every backend.

The round trip exports everything into memory, closes the store, opens a
fresh one of the same backend, imports, and compares canonical dumps.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from storage_backends.errors import FileExists
from storage_backends.records import (
    ADMIN, MAINTAINER, OWNER, Actor, FileRecord, JournalEntry, Project, ProjectExport, Release,
    ReleaseMetadata, Role, User, UserExport,
)

from .backends import open_test_store
from .dump import canonical_dump
from .samples import CLASSIFIERS, FULL_METADATA, new_file

T0 = datetime(2024, 5, 1, 12, 0, 0)


def fill(store) -> None:
    """Users (an Admin, an unconfirmed one), projects with hidden releases, files with
    side files, role changes and removals, so the journal has gaps in projects."""
    store.add_classifiers(CLASSIFIERS)
    store.create_user("alice", "alice@example.org", "$argon2id$hash-a")
    store.create_user("bob", "bob@example.org", "hash-b")
    store.register_user("carol", "carol@example.org", "hash-c", "k" * 32, T0, gpg_keyid="ABCD1234")
    store.record_login("alice", T0)
    alice, bob = Actor("alice", "192.0.2.1"), Actor("bob", "2001:db8::2")
    store.add_role(alice, ADMIN, "alice", None)
    store.store_release(alice, "Demo.Pkg", "1.0", FULL_METADATA)
    store.store_release(alice, "Demo.Pkg", "1.1", ReleaseMetadata(summary="next"))
    store.store_release(alice, "Demo.Pkg", "2.0a1", ReleaseMetadata(
        summary="pre", project_urls=("Homepage, https://example.org",)), hidden=True)
    store.set_autohide("Demo.Pkg", False)
    store.add_file(alice, new_file("Demo.Pkg", "1.0", "Demo.Pkg-1.0.tar.gz", has_signature=True))
    store.add_file(alice, new_file("Demo.Pkg", "1.1", "Demo.Pkg-1.1-py3-none-any.whl",
                                   python_version="py3", packagetype="bdist_wheel",
                                   metadata_sha256="ab" * 32))
    store.add_role(alice, MAINTAINER, "bob", "Demo.Pkg")
    store.store_release(bob, "gone", "0.1", ReleaseMetadata())
    store.remove_project(bob, "gone")
    store.store_release(bob, "other", "1.0", ReleaseMetadata(classifiers=CLASSIFIERS[:2]))
    store.store_release(bob, "other", "0.9", ReleaseMetadata())
    store.remove_release(bob, "other", "0.9")
    store.set_has_docs(bob, "other", True)
    store.add_mirror("mirror.example.org", "bob")


def export_all(store):
    return (store.classifier_ids(), list(store.export_users()), list(store.export_projects()),
            [e for rows in store.export_journal(batch=7) for e in rows], store.list_mirrors())


def import_all(store, exported) -> None:
    classifiers, users, projects, journal, mirrors = exported
    store.import_classifiers(classifiers)
    store.import_users(users)
    for project in projects:
        store.import_project(project)
    for start in range(0, len(journal), 5):
        store.import_journal(journal[start:start + 5])
    for mirror in mirrors:
        store.add_mirror(mirror.ip, mirror.user_name)


@pytest.fixture
def reopen(request, tmp_path):
    """Close a store and open a fresh, empty one of the same backend."""
    backend = request.node.callspec.params["store"]
    opened = []

    def _reopen(store):
        store.close()
        (tmp_path / "copy").mkdir()
        opened.append(open_test_store(backend, tmp_path / "copy"))
        return opened[-1]
    yield _reopen
    for store in opened:
        store.close()


def test_export_import_round_trip_and_again(store, reopen):
    fill(store)
    before = canonical_dump(store)
    exported = export_all(store)
    copy = reopen(store)
    import_all(copy, exported)
    assert canonical_dump(copy) == before
    assert copy.last_serial() == before["last_serial"]
    assert copy.get_release("Demo.Pkg", "2.0a1").hidden
    assert copy.has_role("alice", "other", OWNER, ADMIN)   # the site-wide Admin role was copied
    assert copy.registration_key("carol").key == "k" * 32
    classifiers, users, projects, journal, _ = exported
    copy.import_classifiers(classifiers)                   # an interrupted run, redone
    copy.import_users(users)
    for project in projects:
        copy.import_project(project)
    copy.import_journal(journal)
    assert canonical_dump(copy) == before
    assert copy.confirm_registration("k" * 32, T0) == "carol"


def test_import_writes_no_journal_and_counter_follows_imported_serials(store):
    store.import_users([UserExport(User("alice", "a@example.org", "h"), None, (ADMIN,))])
    project = Project("demo", "demo", autohide=False, created=T0, last_serial=41)
    release = Release("demo", "1.0", ReleaseMetadata(summary="x"), hidden=True, ordering=3,
                      created=T0)
    record = new_file("demo", "1.0", "demo-1.0.tar.gz")
    file = FileRecord(**{f.name: getattr(record, f.name) for f in dataclasses.fields(record)},
                      upload_time=T0, downloads=7)
    store.import_project(ProjectExport(project, (release,), (file,),
                                       (Role(OWNER, "alice", "demo"),)))
    assert store.last_serial() == 0 and store.changelog_since_serial(0) == []
    assert store.get_project("demo") == project
    assert store.get_release("demo", "1.0") == release
    assert store.list_files("demo") == [file]
    assert store.has_role("alice", None, ADMIN)
    entries = [JournalEntry(s, "demo", None, "create", T0, "alice", "192.0.2.1") for s in (5, 41)]
    store.import_journal(entries)
    assert store.last_serial() == 41
    assert store.changelog_since_serial(0) == entries
    store.import_journal(entries[:1])
    assert store.last_serial() == 41                       # never lowered
    serial = store.store_release(Actor("alice"), "demo", "1.1", ReleaseMetadata())
    assert store.last_serial() == 42
    assert store.project_journal("demo")[-1].serial == 42 and serial.release_created


def test_import_classifiers_keeps_ids_and_those_in_use(store, alice):
    store.add_classifiers(["Topic :: Internet", "Topic :: Other"])
    store.store_release(alice, "demo", "1.0", ReleaseMetadata(classifiers=("Topic :: Other",)))
    used_id = store.classifier_ids()["Topic :: Other"]
    store.import_classifiers({"Topic :: Internet :: WWW/HTTP": used_id, "Topic :: Internet": 40})
    ids = store.classifier_ids()
    assert ids["Topic :: Other"] == used_id                # in use: kept
    assert ids["Topic :: Internet"] == 40
    assert ids["Topic :: Internet :: WWW/HTTP"] not in (used_id, 40)
    assert set(store.list_classifiers()) == set(ids)
    assert store.browse(["Topic :: Internet"]) == []


def test_import_project_refuses_another_projects_file(store, alice, demo):
    store.add_file(alice, new_file("demo", "1.0", "demo-1.0.tar.gz"))
    record = store.list_files("demo")[0]
    other = ProjectExport(Project("other", "other", created=T0),
                          (Release("other", "1.0", ReleaseMetadata(), created=T0),),
                          (dataclasses.replace(record, name="other"),))
    with pytest.raises(FileExists):
        store.import_project(other)
    assert store.get_project("other") is None


def test_import_project_replaces_any_spelling(store, alice, demo):
    export = ProjectExport(Project("Demo", "demo", created=T0),
                           (Release("Demo", "2.0", ReleaseMetadata(), created=T0),))
    store.import_project(export)
    assert store.get_project("demo") is None
    assert [r.version for r in store.list_releases("Demo")] == ["2.0"]
    assert store.roles_for_project("Demo") == []


def test_migration_marker(store):
    assert store.migration_marker() is None
    store.set_migration_marker('{"step": "projects", "after": "demo"}')
    assert store.migration_marker() == '{"step": "projects", "after": "demo"}'
    store.set_migration_marker(None)
    assert store.migration_marker() is None
    assert store.last_serial() == 0
