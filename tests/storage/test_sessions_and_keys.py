"""Registration keys, sessions, password-reset keys, failed-login counters, account changes."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from storage_backends.errors import (
    EmailExists, InvalidKey, NoSuchUser, UserExists, UserOwnsProjects,
)
from storage_backends.records import ADMIN, DELETED_USER, MAINTAINER, OWNER, Actor, OneTimeKey

T0 = datetime(2024, 5, 1, 12, 0, 0)


def test_register_user_with_key_and_confirm(store):
    user = store.register_user("carol", "Carol@Example.org", "h", "k" * 32, T0, gpg_keyid="0123ABCD")
    assert (user.name, user.email, user.gpg_keyid) == ("carol", "Carol@Example.org", "0123ABCD")
    assert store.registration_key("carol") == OneTimeKey("carol", "k" * 32, T0)
    assert store.confirm_registration("wrong", T0) is None
    assert store.confirm_registration("k" * 32, T0 + timedelta(seconds=1)) is None   # expired
    assert store.registration_key("carol") is not None
    assert store.confirm_registration("k" * 32, T0 - timedelta(days=7)) == "carol"
    assert store.registration_key("carol") is None
    assert store.confirm_registration("k" * 32, T0 - timedelta(days=7)) is None      # used up


def test_register_user_refuses_taken_name_and_email(store):
    store.register_user("carol", "carol@example.org", "h", "a" * 32, T0)
    before = store.last_serial()
    with pytest.raises(UserExists):
        store.register_user("carol", "other@example.org", "h", "b" * 32, T0)
    with pytest.raises(EmailExists) as err:
        store.register_user("dave", "CAROL@example.ORG", "h", "c" * 32, T0)
    assert err.value.existing == "carol"
    assert store.get_user("dave") is None and store.registration_key("dave") is None
    assert store.last_serial() == before


def test_purge_unconfirmed_users_keeps_role_holders(store, alice):
    store.register_user("old", "old@example.org", "h", "o" * 32, T0 - timedelta(days=8))
    store.register_user("owner", "owner@example.org", "h", "p" * 32, T0 - timedelta(days=8))
    store.register_user("new", "new@example.org", "h", "n" * 32, T0)
    store.create_project(Actor("owner"), "kept")
    assert store.purge_unconfirmed_users(T0 - timedelta(days=7)) == ["old"]
    assert store.get_user("old") is None
    assert store.get_user("owner") is not None and store.get_user("new") is not None


def test_update_user(store, alice):
    user = store.update_user("alice", "new@example.org", "89ABCDEF")
    assert (user.email, user.gpg_keyid) == ("new@example.org", "89ABCDEF")
    assert store.update_user("alice", "new@example.org", None).gpg_keyid is None
    with pytest.raises(NoSuchUser):
        store.update_user("ghost", "g@example.org", None)


def test_sessions(store, alice):
    store.create_session("s1", "alice", T0)
    store.create_session("s2", "alice", T0)
    assert store.session_user("s1", T0 + timedelta(seconds=30)) == "alice"
    assert store.get_user("alice").last_login is None          # not refreshed within a minute
    assert store.session_user("s1", T0 + timedelta(minutes=2)) == "alice"
    assert store.get_user("alice").last_login == T0 + timedelta(minutes=2)
    assert store.session_user("nope", T0) is None
    assert store.expire_sessions(T0 + timedelta(minutes=1)) == 1   # s2 idle since T0
    assert store.session_user("s2", T0) is None
    store.delete_session("s1")
    store.delete_session("s1")
    assert store.session_user("s1", T0) is None
    with pytest.raises(NoSuchUser):
        store.create_session("s3", "ghost", T0)


def test_idle_session_is_no_session(store, alice):
    store.create_session("s1", "alice", T0)
    assert store.session_user("s1", T0 + timedelta(hours=23), T0 - timedelta(seconds=1)) == "alice"
    assert store.session_user("s1", T0 + timedelta(days=2), T0 + timedelta(days=1)) is None
    assert store.session_user("s1", T0 + timedelta(days=2)) == "alice"   # no limit given


def test_delete_user_sessions_keeps_one(store, alice):
    for key in ("a", "b", "c"):
        store.create_session(key, "alice", T0)
    store.delete_user_sessions("alice", keep="b")
    assert [store.session_user(k, T0) for k in "abc"] == [None, "alice", None]


def test_reset_keys(store, alice):
    store.create_reset_key("alice", "hash1", T0)
    store.create_reset_key("alice", "hash2", T0)
    store.create_session("sess", "alice", T0)
    assert store.reset_key_user("hash1", T0 - timedelta(hours=6)) == "alice"
    assert store.reset_key_user("hash1", T0 + timedelta(seconds=1)) is None   # expired
    with pytest.raises(InvalidKey):
        store.reset_password("hash1", T0 + timedelta(seconds=1), "new")
    assert store.get_user("alice").password == "hash-a"
    assert store.reset_password("hash1", T0, "new") == "alice"
    assert store.get_user("alice").password == "new"
    assert store.reset_key_user("hash2", T0) is None              # all the user's keys used up
    assert store.session_user("sess", T0) is None                 # and their sessions ended
    with pytest.raises(InvalidKey):
        store.reset_password("hash1", T0, "newer")
    with pytest.raises(NoSuchUser):
        store.create_reset_key("ghost", "h", T0)


def test_login_failures_count_within_a_window(store):
    window = timedelta(minutes=10)
    assert store.login_failures("ip:192.0.2.9", T0 - window) == 0
    assert store.count_login_failure("ip:192.0.2.9", T0, T0 - window) == 1
    assert store.count_login_failure("ip:192.0.2.9", T0 + timedelta(minutes=1), T0 - window) == 2
    assert store.login_failures("ip:192.0.2.9", T0 - window) == 2
    assert store.login_failures("user:alice", T0 - window) == 0
    later = T0 + timedelta(minutes=11)
    assert store.login_failures("ip:192.0.2.9", later - window) == 0
    assert store.count_login_failure("ip:192.0.2.9", later, later - window) == 1
    store.clear_login_failures("ip:192.0.2.9")
    assert store.login_failures("ip:192.0.2.9", T0 - window) == 0


def test_delete_user_reattributes_journal_and_removes_roles(store, alice, bob, demo):
    store.add_role(alice, MAINTAINER, "bob", "demo")
    store.store_release(Actor("bob", "192.0.2.2"), "demo", "1.1", demo.metadata)
    store.create_session("sess", "bob", T0)
    before = store.last_serial()
    store.delete_user(Actor("root"), "bob")
    assert store.get_user("bob") is None
    assert store.session_user("sess", T0) is None
    assert store.roles_for_project("demo") == [store.roles_for_project("demo")[0]]
    new = store.changelog_since_serial(before)
    assert [(e.name, e.action, e.submitted_by) for e in new] == [
        ("demo", "remove Maintainer bob", "root")]
    by = {e.action: e.submitted_by for e in store.project_journal("demo")}
    assert by["new release"] == DELETED_USER and by["add Maintainer bob"] == "alice"


def test_delete_sole_owner_is_refused(store, alice, bob, demo):
    store.add_role(alice, ADMIN, "bob", None)
    before = store.last_serial()
    with pytest.raises(UserOwnsProjects) as err:
        store.delete_user(Actor("root"), "alice")
    assert err.value.projects == ("demo",)
    assert store.get_user("alice") is not None and store.last_serial() == before
    store.add_role(alice, OWNER, "bob", "demo")
    store.delete_user(Actor("bob"), "alice")
    assert [r.user_name for r in store.roles_for_project("demo")] == ["bob"]
    with pytest.raises(NoSuchUser):
        store.delete_user(Actor("bob"), "alice")
