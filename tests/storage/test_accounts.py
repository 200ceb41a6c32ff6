"""Users and roles."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from storage_backends.errors import (
    NoSuchProject, NoSuchRole, NoSuchUser, RoleExists, UserExists,
)
from storage_backends.records import ADMIN, MAINTAINER, OWNER, Actor, Role


def test_create_and_get_user(store):
    user = store.create_user("Alice", "Alice@Example.org", "$argon2id$hash")
    assert (user.name, user.email, user.password, user.last_login) == (
        "Alice", "Alice@Example.org", "$argon2id$hash", None)
    assert store.get_user("Alice") == user
    assert store.get_user("alice") is None                     # names are exact
    assert "hash" not in repr(user)


def test_duplicate_user(store):
    store.create_user("alice", "a@example.org", "h")
    with pytest.raises(UserExists):
        store.create_user("alice", "other@example.org", "h2")
    assert store.get_user("alice").email == "a@example.org"
    store.create_user("Alice", "b@example.org", "h")            # another name


def test_user_by_email_is_case_insensitive(store):
    store.create_user("alice", "Alice@Example.org", "h")
    assert store.get_user_by_email("alice@example.org").name == "alice"
    assert store.get_user_by_email("ALICE@EXAMPLE.ORG").name == "alice"
    assert store.get_user_by_email("bob@example.org") is None


def test_set_password_hash(store):
    store.create_user("alice", "a@example.org", "old")
    store.set_password_hash("alice", "new")
    assert store.get_user("alice").password == "new"
    with pytest.raises(NoSuchUser):
        store.set_password_hash("ghost", "x")


def test_record_login(store):
    store.create_user("alice", "a@example.org", "h")
    when = datetime(2010, 6, 1, 12, 30, 15)
    store.record_login("alice", when)
    assert store.get_user("alice").last_login == when
    aware = datetime(2011, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    store.record_login("alice", aware)
    assert store.get_user("alice").last_login == datetime(2011, 1, 2, 1, 4, 5)


def test_add_and_remove_roles_journal(store, alice, bob, demo):
    before = store.last_serial()
    store.add_role(alice, MAINTAINER, "bob", "demo")
    assert store.roles_for_project("demo") == [Role(MAINTAINER, "bob", "demo"),
                                               Role(OWNER, "alice", "demo")]
    store.add_role(alice, OWNER, "bob", "demo")
    store.remove_role(alice, MAINTAINER, "bob", "demo")
    entries = store.changelog_since_serial(before)
    assert [(e.name, e.version, e.action, e.submitted_by) for e in entries] == [
        ("demo", None, "add Maintainer bob", "alice"),
        ("demo", None, "add Owner bob", "alice"),
        ("demo", None, "remove Maintainer bob", "alice"),
    ]
    assert store.get_project("demo").last_serial == entries[-1].serial
    assert store.roles_for_project("demo") == [Role(OWNER, "alice", "demo"),
                                               Role(OWNER, "bob", "demo")]


def test_role_errors_change_nothing(store, alice, demo):
    before = store.last_serial()
    with pytest.raises(NoSuchUser):
        store.add_role(alice, MAINTAINER, "ghost", "demo")
    with pytest.raises(NoSuchProject):
        store.add_role(alice, MAINTAINER, "alice", "nothing")
    with pytest.raises(RoleExists):
        store.add_role(alice, OWNER, "alice", "demo")
    with pytest.raises(NoSuchRole):
        store.remove_role(alice, MAINTAINER, "alice", "demo")
    with pytest.raises(NoSuchRole):
        store.remove_role(alice, ADMIN, "alice", None)
    assert store.last_serial() == before
    assert store.roles_for_project("demo") == [Role(OWNER, "alice", "demo")]


def test_has_role(store, alice, bob, demo):
    assert store.has_role("alice", "demo", OWNER)
    assert store.has_role("alice", "demo", OWNER, MAINTAINER)
    assert not store.has_role("alice", "demo", MAINTAINER)
    assert not store.has_role("bob", "demo", OWNER, MAINTAINER)
    assert not store.has_role("alice", "other", OWNER)
    assert not store.has_role("alice", None, OWNER)             # project roles are not site-wide
    assert not store.has_role("ghost", "demo", OWNER)


def test_site_wide_admin(store, alice, bob, demo):
    root = Actor("bob")
    before = store.last_serial()
    store.add_role(root, ADMIN, "bob", None)
    [entry] = store.changelog_since_serial(before)
    assert (entry.name, entry.version, entry.action) == ("", None, "add Admin bob")
    assert store.has_role("bob", "demo", ADMIN)
    assert store.has_role("bob", "demo", OWNER, MAINTAINER, ADMIN)
    assert store.has_role("bob", "any-project", ADMIN)
    assert store.has_role("bob", None, ADMIN)
    assert not store.has_role("bob", "demo", OWNER)
    assert store.roles_for_project("demo") == [Role(OWNER, "alice", "demo")]
    with pytest.raises(RoleExists):
        store.add_role(root, ADMIN, "bob", None)
    store.remove_role(root, ADMIN, "bob", None)
    assert not store.has_role("bob", "demo", ADMIN)
    assert store.changelog_since_serial(0)[-1].action == "remove Admin bob"


def test_roles_for_user(store, alice, bob):
    store.create_project(alice, "one")
    store.create_project(alice, "two")
    store.add_role(alice, MAINTAINER, "bob", "two")
    store.add_role(alice, ADMIN, "bob", None)
    store.add_role(alice, OWNER, "bob", "one")
    assert store.roles_for_user("bob") == [Role(ADMIN, "bob", None), Role(OWNER, "bob", "one"),
                                           Role(MAINTAINER, "bob", "two")]
    assert store.roles_for_user("alice") == [Role(OWNER, "alice", "one"),
                                             Role(OWNER, "alice", "two")]
    assert store.roles_for_user("ghost") == []
