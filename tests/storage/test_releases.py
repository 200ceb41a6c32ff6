"""Releases: metadata round trip, updates, ordering, autohide, hidden flag, removal."""
from __future__ import annotations

import dataclasses

import pytest

from storage_backends.errors import NoSuchRelease, ProjectExists, UnknownClassifier
from storage_backends.records import LIST_FIELDS, SINGLE_FIELDS, ReleaseMetadata

from .samples import CLASSIFIERS, FULL_METADATA, new_file


@pytest.fixture
def classifiers(store):
    store.add_classifiers(CLASSIFIERS)


def test_full_metadata_round_trip(store, alice, classifiers):
    change = store.store_release(alice, "full", "1.0", FULL_METADATA)
    assert change.project_created and change.release_created
    assert change.changed_fields == ()
    assert change.release.metadata == FULL_METADATA
    release = store.get_release("full", "1.0")
    assert release == change.release
    assert release.metadata == FULL_METADATA
    assert (release.name, release.version, release.hidden, release.ordering) == (
        "full", "1.0", False, 0)
    assert release.created is not None
    assert [e.action for e in store.project_journal("full")] == [
        "create", "add Owner alice", "new release"]


def test_every_field_is_stored(store, alice, classifiers):
    """Each field on its own, so one backend dropping a field names that field."""
    for i, field in enumerate(SINGLE_FIELDS + LIST_FIELDS):
        meta = ReleaseMetadata(**{field: getattr(FULL_METADATA, field)})
        store.store_release(alice, "each", f"{i}.0", meta)
        assert store.get_release("each", f"{i}.0").metadata == meta, field


def test_lists_keep_submitted_order_and_classifiers_are_sorted(store, alice, classifiers):
    meta = ReleaseMetadata(requires_dist=("b", "c", "a"), project_urls=("Z, z", "A, a"),
                           classifiers=tuple(reversed(CLASSIFIERS)))
    store.store_release(alice, "demo", "1.0", meta)
    stored = store.get_release("demo", "1.0").metadata
    assert stored.requires_dist == ("b", "c", "a")
    assert stored.project_urls == ("Z, z", "A, a")
    assert stored.classifiers == tuple(sorted(CLASSIFIERS))


def test_update_reports_and_journals_changed_fields(store, alice, classifiers):
    store.store_release(alice, "full", "1.0", FULL_METADATA)
    before = store.last_serial()
    changed = dataclasses.replace(
        FULL_METADATA, summary="Changed", description=None,
        requires_dist=FULL_METADATA.requires_dist + ("new",),
        classifiers=CLASSIFIERS[:1], license_files=())
    change = store.store_release(alice, "full", "1.0", changed)
    assert not change.release_created and not change.project_created
    assert change.changed_fields == ("summary", "description", "classifiers", "requires_dist",
                                     "license_files")
    assert change.release.metadata == changed
    assert store.get_release("full", "1.0").metadata == changed
    [entry] = store.changelog_since_serial(before)
    assert (entry.name, entry.version, entry.action) == (
        "full", "1.0", "update summary, description, classifiers, requires_dist, license_files")
    assert store.get_project("full").last_serial == entry.serial


def test_no_change_writes_nothing(store, alice, classifiers):
    store.store_release(alice, "full", "1.0", FULL_METADATA)
    before = store.last_serial()
    reordered = dataclasses.replace(
        FULL_METADATA, requires_dist=tuple(reversed(FULL_METADATA.requires_dist)),
        classifiers=tuple(reversed(FULL_METADATA.classifiers)), metadata_version="2.1")
    change = store.store_release(alice, "full", "1.0", reordered)
    assert change.changed_fields == () and not change.release_created
    assert store.last_serial() == before
    assert store.get_release("full", "1.0").metadata == FULL_METADATA


def test_empty_string_and_none_are_the_same(store, alice):
    store.store_release(alice, "demo", "1.0", ReleaseMetadata(summary=None, keywords=""))
    before = store.last_serial()
    change = store.store_release(alice, "demo", "1.0", ReleaseMetadata(summary="", keywords=None))
    assert change.changed_fields == ()
    assert store.last_serial() == before


def test_unknown_classifier_changes_nothing(store, alice, classifiers):
    meta = ReleaseMetadata(classifiers=(CLASSIFIERS[0], "Topic :: Made Up"))
    with pytest.raises(UnknownClassifier) as raised:
        store.store_release(alice, "demo", "1.0", meta)
    assert raised.value.classifier == "Topic :: Made Up"
    assert store.get_project("demo") is None
    assert store.last_serial() == 0


def test_conflicting_spelling_is_not_created(store, alice):
    store.store_release(alice, "Demo", "1.0", ReleaseMetadata())
    before = store.last_serial()
    with pytest.raises(ProjectExists):
        store.store_release(alice, "demo", "1.0", ReleaseMetadata())
    assert store.last_serial() == before


def test_new_release_of_existing_project(store, alice, demo):
    change = store.store_release(alice, "demo", "2.0", ReleaseMetadata(summary="two"))
    assert change.release_created and not change.project_created
    assert [e.action for e in store.project_journal("demo")][-1] == "new release"


ORDER_CASES = [
    ["0.9", "1.0a1", "1.0b2", "1.0rc1", "1.0", "1.0.post1", "1.1.dev0", "1.1", "2.0", "10.0"],
    ["foo", "r2009", "r2010", "2.0-final-x", "0.1", "1.0"],
]


@pytest.mark.parametrize("oldest_to_newest", ORDER_CASES)
def test_orderings(store, alice, oldest_to_newest):
    store.create_project(alice, "demo")
    for version in reversed(oldest_to_newest):           # insert newest first
        store.store_release(alice, "demo", version, ReleaseMetadata())
    releases = store.list_releases("demo")
    assert [r.version for r in releases] == list(reversed(oldest_to_newest))
    assert [r.ordering for r in releases] == list(range(len(oldest_to_newest) - 1, -1, -1))


def test_orderings_after_removal_stay_dense(store, alice):
    for version in ("1.0", "2.0", "3.0"):
        store.store_release(alice, "demo", version, ReleaseMetadata())
    store.remove_release(alice, "demo", "2.0")
    assert [(r.version, r.ordering) for r in store.list_releases("demo")] == [
        ("3.0", 1), ("1.0", 0)]


def test_autohide_hides_every_other_release(store, alice):
    store.store_release(alice, "demo", "2.0", ReleaseMetadata())
    serial = store.last_serial()
    store.store_release(alice, "demo", "1.0", ReleaseMetadata())   # an older version
    assert [e.action for e in store.changelog_since_serial(serial)] == ["new release"]
    assert store.get_release("demo", "2.0").hidden
    assert not store.get_release("demo", "1.0").hidden
    assert [r.version for r in store.list_releases("demo", include_hidden=False)] == ["1.0"]
    assert [r.version for r in store.list_releases("demo")] == ["2.0", "1.0"]
    # an update is not a new release: nothing else is hidden
    store.store_release(alice, "demo", "2.0", ReleaseMetadata(summary="x"), hidden=False)
    assert not store.get_release("demo", "2.0").hidden
    assert not store.get_release("demo", "1.0").hidden


def test_hidden_flag(store, alice):
    change = store.store_release(alice, "demo", "1.0", ReleaseMetadata(), hidden=True)
    assert change.release.hidden
    assert store.list_releases("demo", include_hidden=False) == []
    before = store.last_serial()
    # None keeps the stored flag
    change = store.store_release(alice, "demo", "1.0", ReleaseMetadata(summary="s"))
    assert change.release.hidden and change.changed_fields == ("summary",)
    # True again: no change
    assert store.store_release(alice, "demo", "1.0", ReleaseMetadata(summary="s"),
                               hidden=True).changed_fields == ()
    change = store.store_release(alice, "demo", "1.0", ReleaseMetadata(summary="s"), hidden=False)
    assert change.changed_fields == ("hidden",) and not change.release.hidden
    assert [e.action for e in store.changelog_since_serial(before)] == [
        "update summary", "update _pypi_hidden"]
    assert [r.version for r in store.list_releases("demo", include_hidden=False)] == ["1.0"]


def test_new_release_hidden_false_by_default(store, alice, demo):
    assert not demo.hidden


def test_requires_python_update_reaches_files(store, alice):
    store.store_release(alice, "demo", "1.0", ReleaseMetadata(requires_python=">=3.6"))
    store.add_file(alice, new_file("demo", "1.0", "demo-1.0.tar.gz"))
    assert store.get_file("demo-1.0.tar.gz").requires_python == ">=3.6"
    store.store_release(alice, "demo", "1.0", ReleaseMetadata(requires_python=">=3.9"))
    assert store.get_file("demo-1.0.tar.gz").requires_python == ">=3.9"


def test_get_release_missing(store, demo):
    assert store.get_release("demo", "9.9") is None
    assert store.get_release("nothing", "1.0") is None
    assert store.list_releases("nothing") == []


def test_remove_release(store, alice, classifiers):
    store.store_release(alice, "demo", "1.0", FULL_METADATA)
    store.store_release(alice, "demo", "2.0", FULL_METADATA)
    store.add_file(alice, new_file("demo", "1.0", "demo-1.0.tar.gz"))
    store.add_file(alice, new_file("demo", "1.0", "demo-1.0-py3-none-any.whl",
                                   python_version="py3", packagetype="bdist_wheel"))
    store.add_file(alice, new_file("demo", "2.0", "demo-2.0.tar.gz"))
    removed = store.remove_release(alice, "demo", "1.0")
    assert sorted(f.filename for f in removed) == ["demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]
    assert store.get_release("demo", "1.0") is None
    assert store.get_file("demo-1.0.tar.gz") is None
    assert [f.filename for f in store.list_files("demo")] == ["demo-2.0.tar.gz"]
    assert store.get_release("demo", "2.0").metadata == FULL_METADATA
    last = store.changelog_since_serial(0)[-1]
    assert (last.name, last.version, last.action) == ("demo", "1.0", "remove")
    # the version can be registered again, with fresh lists
    store.store_release(alice, "demo", "1.0", ReleaseMetadata(summary="again"))
    assert store.get_release("demo", "1.0").metadata == ReleaseMetadata(summary="again")


def test_remove_missing_release(store, alice, demo):
    before = store.last_serial()
    with pytest.raises(NoSuchRelease):
        store.remove_release(alice, "demo", "9.9")
    assert store.last_serial() == before


def test_long_and_non_ascii_values_round_trip(store, alice):
    """Values up to the handlers' limits fit every backend's column types (MySQL TEXT is 64 KiB)."""
    long_text = "é€𝄞" * 21000     # 63,000 characters, about 190 KB in UTF-8
    metadata = ReleaseMetadata(license=long_text, keywords=long_text, home_page="http://x/" + "a" * 60000,
                               summary="ü" * 512, description="d" * (4 << 20),
                               requires_dist=("x" * 60000,))
    store.store_release(alice, "long", "1.0", metadata)
    assert store.get_release("long", "1.0").metadata == metadata
