"""Search, browse, release feeds and download counts (``storage_backends.search`` rules)."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from storage_backends import search as reference
from storage_backends.errors import UnknownClassifier
from storage_backends.records import ReleaseBrief, ReleaseMetadata

from .samples import CLASSIFIERS, new_file


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def _release(store, actor, name, version, *, hidden=False, **metadata):
    """Store a release and set its hidden flag (autohide hides the older ones)."""
    release = store.store_release(actor, name, version, ReleaseMetadata(**metadata)).release
    if release.hidden != hidden:
        release = store.store_release(actor, name, version, ReleaseMetadata(**metadata),
                                      hidden=hidden).release
    return release


@pytest.fixture
def catalogue(store, alice):
    """Three projects; ``Spam`` has two visible releases and a hidden one."""
    store.add_classifiers(CLASSIFIERS)
    _release(store, alice, "Spam", "0.9", hidden=True, summary="spam spam spam")
    _release(store, alice, "Spam", "1.0", summary="Tasty tinned meat",
             classifiers=("Topic :: Internet :: WWW/HTTP",))
    _release(store, alice, "Spam", "2.0", summary="Tasty tinned meat, again", author="Graham",
             classifiers=("Topic :: Internet", "Programming Language :: Python :: 3"))
    _release(store, alice, "Spam", "1.0", summary="Tasty tinned meat",
             classifiers=("Topic :: Internet :: WWW/HTTP",))          # unhide after autohide
    _release(store, alice, "spam_a_lot", "1.0", summary="A musical", author="Eric Idle",
             classifiers=("Topic :: Internet :: WWW/HTTP",))
    _release(store, alice, "eggs", "1.0", summary="Goes with spam; 100% fresh_eggs",
             keywords="breakfast", classifiers=("Programming Language :: Python :: 3",))
    return store


def _names(hits):
    return [(h.name, h.version) for h in hits]


def test_search_rules(catalogue):
    """Case-insensitive substrings, OR within a field, the operator between fields,
    literal wildcards, unknown keys ignored, visible releases only; as the reference."""
    hits = catalogue.search_releases({"name": "SPAM"})
    assert _names(hits) == [("Spam", "1.0"), ("Spam", "2.0"), ("spam_a_lot", "1.0")]
    assert hits[1] == ReleaseBrief("Spam", "2.0", "Tasty tinned meat, again",
                                   catalogue.get_release("Spam", "2.0").ordering)
    assert _names(catalogue.search_releases({"name": ["eggs", "a_lot"]})) == [
        ("eggs", "1.0"), ("spam_a_lot", "1.0")]
    spec = {"name": "spam", "summary": "again"}
    assert _names(catalogue.search_releases(spec)) == [("Spam", "2.0")]
    assert _names(catalogue.search_releases(spec, "and")) == [("Spam", "2.0")]
    assert _names(catalogue.search_releases(spec, "whatever")) == [("Spam", "2.0")]
    assert _names(catalogue.search_releases({"name": "eggs", "author": "idle"}, "or")) == [
        ("eggs", "1.0"), ("spam_a_lot", "1.0")]
    assert _names(catalogue.search_releases({"keywords": "BREAK"})) == [("eggs", "1.0")]
    assert _names(catalogue.search_releases({"version": "2."})) == [("Spam", "2.0")]
    assert _names(catalogue.search_releases({"author": "graham"})) == [("Spam", "2.0")]
    everything = [("eggs", "1.0"), ("Spam", "1.0"), ("Spam", "2.0"), ("spam_a_lot", "1.0")]
    assert _names(catalogue.search_releases({})) == everything
    assert _names(catalogue.search_releases({"colour": "blue", "name": []})) == everything
    assert _names(catalogue.search_releases({"summary": "100%"})) == [("eggs", "1.0")]
    assert _names(catalogue.search_releases({"summary": "h_e"})) == [("eggs", "1.0")]
    assert catalogue.search_releases({"summary": "1%0"}) == []
    assert catalogue.search_releases({"name": "s_am"}) == []
    assert _names(catalogue.search_releases({"name": "SPAM-A.Lot"})) == [("spam_a_lot", "1.0")]
    for spec, operator in (({"name": "spam"}, "and"), ({"name": "x", "summary": "tinned"}, "or"),
                           ({}, "and"), ({"summary": ["MEAT", "musical"]}, "and"),
                           ({"name": "Spam_"}, "and")):
        assert (catalogue.search_releases(spec, operator)
                == reference.reference_search(catalogue, spec, operator))


def test_browse_matches_sub_classifiers_and_requires_all(catalogue):
    assert catalogue.browse(["Topic :: Internet"]) == [
        ("Spam", "1.0"), ("Spam", "2.0"), ("spam_a_lot", "1.0")]
    assert catalogue.browse(["Topic :: Internet :: WWW/HTTP"]) == [
        ("Spam", "1.0"), ("spam_a_lot", "1.0")]
    assert catalogue.browse(["Topic :: Internet", "Programming Language :: Python :: 3"]) == [
        ("Spam", "2.0")]
    assert catalogue.browse(["License :: OSI Approved :: MIT License"]) == []
    for classifiers in (["Topic :: Internet"], ["Programming Language :: Python :: 3"]):
        assert catalogue.browse(classifiers) == reference.reference_browse(catalogue, classifiers)
    with pytest.raises(UnknownClassifier):
        catalogue.browse(["Topic :: Internet", "Topic :: Nonsense"])


def test_updated_releases_newest_first_visible_only(store, alice):
    start = _utcnow() - timedelta(seconds=1)
    store.store_release(alice, "old", "1.0", ReleaseMetadata())
    store.store_release(alice, "demo", "1.0", ReleaseMetadata())
    store.store_release(alice, "demo", "2.0", ReleaseMetadata())       # hides 1.0 (autohide)
    store.store_release(alice, "other", "1.0", ReleaseMetadata())
    store.remove_release(alice, "old", "1.0")
    assert store.updated_releases(start) == [("other", "1.0"), ("demo", "2.0")]
    assert store.updated_releases(start) == reference.reference_updated_releases(store, start)
    assert store.updated_releases(_utcnow() + timedelta(seconds=2)) == []
    aware = start.replace(tzinfo=timezone.utc).astimezone(timezone(timedelta(hours=3)))
    assert store.updated_releases(aware) == [("other", "1.0"), ("demo", "2.0")]


def test_changed_projects_since(store, alice):
    store.create_project(alice, "first")
    cut = store.changelog_since_serial(0)[-1].submitted_date
    time.sleep(1.05 - datetime.now(timezone.utc).microsecond / 1e6)
    store.store_release(alice, "second", "1.0", ReleaseMetadata())
    store.store_release(alice, "first", "1.0", ReleaseMetadata())
    store.add_role(alice, "Admin", "alice", None)       # site-wide: journalled without a name
    assert store.changed_projects(cut) == ["first", "second"]
    assert store.changed_projects(cut - timedelta(days=1)) == ["first", "second"]
    assert store.changed_projects(cut) == reference.reference_changed_projects(store, cut)
    assert store.changed_projects(_utcnow() + timedelta(seconds=2)) == []


def test_download_counts_and_top_projects(store, alice):
    for name in ("one", "two", "three"):
        store.store_release(alice, name, "1.0", ReleaseMetadata())
        store.add_file(alice, new_file(name, "1.0", f"{name}-1.0.tar.gz"))
    store.add_file(alice, new_file("two", "1.0", "two-1.0-py3-none-any.whl",
                                   python_version="py3", packagetype="bdist_wheel"))
    store.store_release(alice, "empty", "1.0", ReleaseMetadata())
    serial = store.last_serial()
    try:
        counted = store.add_downloads({"one-1.0.tar.gz": 5, "two-1.0.tar.gz": 3,
                                       "two-1.0-py3-none-any.whl": 4, "gone.tar.gz": 9})
    except NotImplementedError as err:
        pytest.skip(str(err))
    assert counted == 3
    store.add_downloads({"one-1.0.tar.gz": 1})
    assert store.last_serial() == serial                  # counting is not journalled
    assert store.get_file("one-1.0.tar.gz").downloads == 6
    assert store.top_projects() == [("two", 7), ("one", 6), ("three", 0)]
    assert store.top_projects(2) == [("two", 7), ("one", 6)]
    assert store.top_projects() == reference.reference_top_projects(store, None)
    with pytest.raises(ValueError):
        store.add_downloads({"one-1.0.tar.gz": -1})
    assert store.get_file("one-1.0.tar.gz").downloads == 6
    assert [store.project_downloads(name) for name in ("one", "two", "three", "empty", "none")] \
        == [6, 7, 0, 0, 0]
    assert store.project_downloads("TWO") == 0          # the exact spelling only
