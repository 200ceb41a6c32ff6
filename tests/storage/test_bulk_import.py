"""``Store.import_projects`` (bulk loads such as ``pypi load-sample``), on every backend.

It must leave exactly what ``import_project`` for each project plus
``import_journal`` leave, replace projects of the same name, and refuse
another project's file name before writing anything.
"""
from __future__ import annotations

import dataclasses

import pytest

from storage_backends.errors import DigestExists, FileExists
from storage_backends.records import JournalEntry, Project, ProjectExport, Release, ReleaseMetadata

from .dump import canonical_dump
from .test_migration_ops import T0, export_all, fill, reopen  # noqa: F401 (a fixture)


@pytest.fixture
def exported(store, reopen):
    """Everything ``fill`` makes, exported; then a fresh, empty store of the same backend."""
    fill(store)
    data, dump = export_all(store), canonical_dump(store)
    return reopen(store), data, dump


def _prepare(store, exported_data):
    classifiers, users, _, _, mirrors = exported_data
    store.import_classifiers(classifiers)
    store.import_users(users)
    for mirror in mirrors:
        store.add_mirror(mirror.ip, mirror.user_name)


def test_import_projects_equals_one_by_one_imports(exported):
    store, data, dump = exported
    _prepare(store, data)
    _, _, projects, journal, _ = data
    store.import_projects(projects[:1], journal[:3])
    store.import_projects(projects[1:], journal[3:])
    assert canonical_dump(store) == dump
    assert store.last_serial() == dump["last_serial"]
    store.import_projects(projects, journal)                     # a batch redone is harmless
    assert canonical_dump(store) == dump
    for export in projects:                                      # found by any spelling
        assert store.find_project(export.project.name.upper()).name == export.project.name


def test_import_projects_replaces_any_spelling(store, alice, demo):
    export = ProjectExport(Project("DEMO", "demo", created=T0),
                           (Release("DEMO", "2.0", ReleaseMetadata(), created=T0),))
    store.import_projects([export])
    assert store.get_project("demo") is None
    assert [r.version for r in store.list_releases("DEMO")] == ["2.0"]
    assert store.find_project("Demo").name == "DEMO"


def test_import_projects_refuses_another_projects_file_and_writes_nothing(exported):
    store, data, _ = exported
    _prepare(store, data)
    _, _, projects, journal, _ = data
    store.import_projects(projects, journal)
    before, serial = canonical_dump(store), store.last_serial()
    holder = next(p for p in projects if p.files)
    record = holder.files[0]
    thief = dataclasses.replace(holder.project, name="thief", normalized_name="thief")
    for clash, error in ((dataclasses.replace(record, name="thief"), FileExists),
                         (dataclasses.replace(record, name="thief", filename="thief-1.0.tar.gz",
                                              path="source/t/thief/thief-1.0.tar.gz"),
                          DigestExists)):
        release = dataclasses.replace(holder.releases[0], name="thief",
                                      version=clash.version)
        newcomer = ProjectExport(thief, (release,), (clash,))
        innocent = ProjectExport(dataclasses.replace(thief, name="innocent",
                                                     normalized_name="innocent"))
        with pytest.raises(error):
            store.import_projects([innocent, newcomer], [JournalEntry(
                serial + 1, "thief", None, "create", release.created, None, None)])
        assert canonical_dump(store) == before
        assert store.last_serial() == serial


def test_import_projects_with_nothing_changes_nothing(store):
    store.import_projects([], [])
    assert store.list_projects() == [] and store.last_serial() == 0
