"""Release management: autohide, hiding releases, hosted-documentation journal."""
from __future__ import annotations

import pytest

from storage_backends.errors import NoSuchProject, NoSuchRelease
from storage_backends.records import ReleaseMetadata


def test_set_autohide(store, alice, demo):
    store.set_autohide("demo", False)
    assert store.get_project("demo").autohide is False
    store.store_release(alice, "demo", "2.0", ReleaseMetadata())
    assert not store.get_release("demo", "1.0").hidden
    store.set_autohide("demo", True)
    assert store.get_project("demo").autohide is True
    with pytest.raises(NoSuchProject):
        store.set_autohide("ghost", True)


def test_set_release_hidden_journals_changes_only(store, alice, demo):
    before = store.last_serial()
    assert store.set_release_hidden(alice, "demo", "1.0", True) is True
    assert store.get_release("demo", "1.0").hidden
    assert store.set_release_hidden(alice, "demo", "1.0", True) is False
    assert store.set_release_hidden(alice, "demo", "1.0", False) is True
    entries = store.changelog_since_serial(before)
    assert [(e.version, e.action, e.submitted_by) for e in entries] == [
        ("1.0", "update _pypi_hidden", "alice")] * 2
    with pytest.raises(NoSuchRelease):
        store.set_release_hidden(alice, "demo", "9.9", True)
    assert store.last_serial() == before + 2


def test_set_has_docs_journals(store, alice, demo):
    before = store.last_serial()
    store.set_has_docs(alice, "demo", True)
    assert store.get_project("demo").has_docs
    store.set_has_docs(alice, "demo", False)
    assert not store.get_project("demo").has_docs
    assert [(e.version, e.action) for e in store.changelog_since_serial(before)] == [
        (None, "docupdate"), (None, "docdestroy")]
    with pytest.raises(NoSuchProject):
        store.set_has_docs(alice, "ghost", True)
