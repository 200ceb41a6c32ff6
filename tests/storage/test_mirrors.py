"""What PEP 381 mirrors rely on: every change journalled, and the mirrors table."""
from __future__ import annotations

import pytest

from storage_backends.errors import MirrorExists, NoSuchMirror, NoSuchUser
from storage_backends.records import MAINTAINER, Mirror, ReleaseMetadata

from .samples import new_file


def _one_new_row(store, before, change):
    """Run ``change``; assert it wrote exactly one journal row, and return it."""
    change()
    entries = store.changelog_since_serial(before)
    assert len(entries) == 1, entries
    assert entries[0].serial == before + 1 == store.last_serial()
    return entries[0]


def test_every_change_a_mirror_needs_is_journalled(store, alice, bob, demo):
    """Uploads, releases, hides, roles and removals each write one row and bump the project's serial."""
    steps = [
        (lambda: store.add_file(alice, new_file("demo", "1.0", "demo-1.0.tar.gz")),
         ("demo", "1.0", "add source file demo-1.0.tar.gz")),
        (lambda: store.store_release(alice, "demo", "2.0", ReleaseMetadata()),
         ("demo", "2.0", "new release")),
        (lambda: store.add_file(alice, new_file("demo", "2.0", "demo-2.0-py3-none-any.whl",
                                                python_version="py3", packagetype="bdist_wheel")),
         ("demo", "2.0", "add py3 file demo-2.0-py3-none-any.whl")),
        (lambda: store.store_release(alice, "demo", "1.0", ReleaseMetadata(summary="Demo"),
                                     hidden=False),
         ("demo", "1.0", "update _pypi_hidden")),          # autohide had hidden 1.0
        (lambda: store.add_role(alice, MAINTAINER, "bob", "demo"),
         ("demo", None, "add Maintainer bob")),
        (lambda: store.remove_role(alice, MAINTAINER, "bob", "demo"),
         ("demo", None, "remove Maintainer bob")),
        (lambda: store.remove_file(alice, "demo-2.0-py3-none-any.whl"),
         ("demo", "2.0", "remove file demo-2.0-py3-none-any.whl")),
        (lambda: store.remove_release(alice, "demo", "1.0"),
         ("demo", "1.0", "remove")),
    ]
    for change, expected in steps:
        entry = _one_new_row(store, store.last_serial(), change)
        assert (entry.name, entry.version, entry.action) == expected
        assert entry.submitted_by == "alice"
        assert store.get_project("demo").last_serial == entry.serial
    entry = _one_new_row(store, store.last_serial(), lambda: store.remove_project(alice, "demo"))
    assert (entry.name, entry.version, entry.action) == ("demo", None, "remove")


def test_mirrors_table(store, alice):
    assert store.list_mirrors() == []
    assert store.add_mirror("b.pypi.example.org", "alice") == Mirror("b.pypi.example.org", "alice")
    store.add_mirror("192.0.2.7", None)
    assert store.list_mirrors() == [Mirror("192.0.2.7", None), Mirror("b.pypi.example.org", "alice")]
    with pytest.raises(MirrorExists):
        store.add_mirror("192.0.2.7", "alice")
    with pytest.raises(NoSuchUser):
        store.add_mirror("c.pypi.example.org", "ghost")
    store.remove_mirror("192.0.2.7")
    with pytest.raises(NoSuchMirror):
        store.remove_mirror("192.0.2.7")
    assert store.list_mirrors() == [Mirror("b.pypi.example.org", "alice")]


def test_mirror_registration_is_not_journalled(store, alice):
    store.add_mirror("192.0.2.7", "alice")
    store.remove_mirror("192.0.2.7")
    assert store.last_serial() == 0
