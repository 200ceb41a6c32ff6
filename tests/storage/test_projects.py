"""Projects: create, spelling conflicts, lookup, listing, removal."""
from __future__ import annotations

import pytest

from storage_backends.errors import NoSuchProject, NoSuchUser, ProjectExists
from storage_backends.records import OWNER, Actor, ReleaseMetadata, Role

from .samples import CLASSIFIERS, new_file


def test_create_project_journals_create_and_owner(store, alice):
    project = store.create_project(alice, "Demo_Project")
    assert project.name == "Demo_Project"
    assert project.normalized_name == "demo-project"
    assert project.autohide and project.comments
    assert project.created is not None
    entries = store.project_journal("Demo_Project")
    assert [(e.action, e.version) for e in entries] == [("create", None),
                                                         ("add Owner alice", None)]
    assert all(e.submitted_by == "alice" and e.submitted_from == "192.0.2.1" for e in entries)
    assert project.last_serial == entries[-1].serial == store.last_serial()
    assert store.roles_for_project("Demo_Project") == [Role(OWNER, "alice", "Demo_Project")]


def test_create_project_without_user_has_no_owner(store):
    store.create_project(Actor(None, "198.51.100.7"), "orphan")
    assert [e.action for e in store.project_journal("orphan")] == ["create"]
    assert store.roles_for_project("orphan") == []


def test_create_project_for_unknown_user_changes_nothing(store):
    with pytest.raises(NoSuchUser):
        store.create_project(Actor("ghost"), "demo")
    assert store.get_project("demo") is None
    assert store.last_serial() == 0


@pytest.mark.parametrize("spelling", ["Zope.Interface", "zope.interface", "ZOPE-INTERFACE",
                                      "zope_interface", "Zope-._Interface"])
def test_conflicting_spellings_change_nothing(store, alice, spelling):
    store.create_project(alice, "Zope.Interface")
    before = store.last_serial()
    with pytest.raises(ProjectExists) as raised:
        store.create_project(alice, spelling)
    assert raised.value.existing == "Zope.Interface"
    assert store.last_serial() == before
    assert [p.name for p in store.list_projects()] == ["Zope.Interface"]


def test_case_sensitive_names(store, alice):
    store.create_project(alice, "Foo")
    with pytest.raises(ProjectExists) as raised:
        store.create_project(alice, "foo")
    assert raised.value.existing == "Foo"
    assert store.get_project("foo") is None
    assert store.get_project("Foo").name == "Foo"
    assert store.find_project("foo").name == "Foo"
    assert store.find_project("FOO").name == "Foo"
    assert store.get_release("foo", "1.0") is None


def test_find_project_normalises(store, alice):
    store.create_project(alice, "Zope.Interface")
    for spelling in ("zope.interface", "zope-interface", "ZOPE_INTERFACE", "zope__interface"):
        assert store.find_project(spelling).name == "Zope.Interface"
    assert store.find_project("zopeinterface") is None
    assert store.get_project("zope.interface") is None


def test_list_projects(store, alice):
    assert store.list_projects() == []
    for name in ("beta", "Alpha", "gamma"):
        store.create_project(alice, name)
    projects = store.list_projects()
    assert [p.name for p in projects] == ["Alpha", "beta", "gamma"]
    assert all(p.last_serial > 0 for p in projects)


def test_non_ascii_round_trip(store):
    user = "jürgen"
    store.create_user(user, "jürgen@exämple.org", "hash")
    actor = Actor(user, "2001:db8::1")
    meta = ReleaseMetadata(summary="Grüße, 世界 🐍", author="Jürgen Müller",
                           requires_dist=("naïve>=1",))
    store.store_release(actor, "grüße", "1.0ü", meta)
    release = store.get_release("grüße", "1.0ü")
    assert release.metadata.summary == "Grüße, 世界 🐍"
    assert release.metadata.author == "Jürgen Müller"
    assert release.metadata.requires_dist == ("naïve>=1",)
    assert store.get_user(user).email == "jürgen@exämple.org"
    assert store.get_user_by_email("JÜRGEN@exämple.org") is not None
    entry = store.project_journal("grüße")[-1]
    assert (entry.version, entry.submitted_by, entry.submitted_from) == ("1.0ü", user,
                                                                         "2001:db8::1")


def test_remove_project_with_everything(store, alice, bob):
    store.add_classifiers(CLASSIFIERS)
    meta = ReleaseMetadata(summary="x", classifiers=CLASSIFIERS[:2], requires_dist=("a",))
    store.store_release(alice, "demo", "1.0", meta)
    store.store_release(alice, "demo", "2.0", meta)
    store.add_role(alice, "Maintainer", "bob", "demo")
    store.add_file(alice, new_file("demo", "1.0", "demo-1.0.tar.gz"))
    store.add_file(alice, new_file("demo", "2.0", "demo-2.0.tar.gz"))
    store.store_release(alice, "other", "1.0", meta)
    store.add_file(alice, new_file("other", "1.0", "other-1.0.tar.gz"))

    removed = store.remove_project(bob, "demo")

    assert sorted(f.filename for f in removed) == ["demo-1.0.tar.gz", "demo-2.0.tar.gz"]
    assert store.get_project("demo") is None
    assert store.list_releases("demo") == []
    assert store.list_files("demo") == []
    assert store.get_file("demo-1.0.tar.gz") is None
    assert store.roles_for_project("demo") == []
    assert store.roles_for_user("bob") == []
    last = store.changelog_since_serial(0)[-1]
    assert (last.name, last.version, last.action, last.submitted_by) == (
        "demo", None, "remove", "bob")
    assert last.serial == store.last_serial()
    # the rest of the index is untouched, and the name is free again
    assert [f.filename for f in store.list_files("other")] == ["other-1.0.tar.gz"]
    assert store.get_release("other", "1.0").metadata.classifiers == CLASSIFIERS[:2]
    store.create_project(alice, "Demo")


def test_remove_missing_project(store, alice):
    with pytest.raises(NoSuchProject):
        store.remove_project(alice, "nothing")
    assert store.last_serial() == 0
