"""The web UI's listings: latest releases, newest projects, classifier ids and tallies."""
from __future__ import annotations

import pytest

from storage_backends.errors import UnknownClassifier
from storage_backends.records import ReleaseMetadata

from .samples import CLASSIFIERS

INTERNET, WWW = "Topic :: Internet", "Topic :: Internet :: WWW/HTTP"
PY3, MIT = "Programming Language :: Python :: 3", "License :: OSI Approved :: MIT License"


def test_latest_releases_newest_first_visible_only(store, alice):
    store.store_release(alice, "one", "1.0", ReleaseMetadata(summary="first"))
    store.store_release(alice, "two", "1.0", ReleaseMetadata(summary="second"))
    store.store_release(alice, "one", "2.0", ReleaseMetadata(summary="third"))   # autohide hides 1.0
    store.store_release(alice, "two", "1.0", ReleaseMetadata(summary="changed"))  # update, not new
    latest = store.latest_releases(40)
    assert [(r.name, r.version) for r, _ in latest] == [("one", "2.0"), ("two", "1.0")]
    assert latest[1][0].metadata.summary == "changed"
    assert all(when is not None for _, when in latest)
    assert [(r.name, r.version) for r, _ in store.latest_releases(1)] == [("one", "2.0")]


def test_latest_releases_forget_removed_releases(store, alice):
    store.store_release(alice, "one", "1.0", ReleaseMetadata())
    store.store_release(alice, "two", "1.0", ReleaseMetadata())
    store.remove_release(alice, "two", "1.0")
    assert [(r.name, r.version) for r, _ in store.latest_releases()] == [("one", "1.0")]


def test_newest_projects(store, alice):
    assert store.newest_projects() == []
    for name in ("aa", "bb", "cc"):
        store.store_release(alice, name, "1.0", ReleaseMetadata())
    newest = store.newest_projects(2)
    assert len(newest) == 2
    assert {p.name for p in store.newest_projects()} == {"aa", "bb", "cc"}
    created = [p.created for p in store.newest_projects()]
    assert created == sorted(created, reverse=True)


def test_classifier_ids_are_distinct_and_cover_every_classifier(store):
    store.add_classifiers(CLASSIFIERS)
    ids = store.classifier_ids()
    assert sorted(ids) == sorted(CLASSIFIERS)
    assert len(set(ids.values())) == len(ids)
    assert all(isinstance(number, int) for number in ids.values())


def test_classifier_tally_counts_releases_per_classifier_and_ancestor(store, alice):
    store.add_classifiers(CLASSIFIERS)
    store.store_release(alice, "web", "1.0", ReleaseMetadata(classifiers=(WWW, INTERNET, PY3)))
    store.store_release(alice, "net", "1.0", ReleaseMetadata(classifiers=(INTERNET, MIT)))
    store.store_release(alice, "old", "1.0", ReleaseMetadata(classifiers=(INTERNET,)))
    store.store_release(alice, "old", "2.0", ReleaseMetadata(classifiers=(PY3,)))   # hides 1.0
    tally = store.classifier_tally([])
    assert tally[INTERNET] == 2          # web counted once although it carries both
    assert tally[WWW] == 1 and tally[PY3] == 2 and tally[MIT] == 1
    assert "Topic" not in tally          # not a classifier of its own
    assert store.classifier_tally([INTERNET]) == {INTERNET: 2, WWW: 1, PY3: 1, MIT: 1}
    assert store.classifier_tally([WWW, PY3]) == {INTERNET: 1, WWW: 1, PY3: 1}
    assert store.classifier_tally([MIT, PY3]) == {}


def test_classifier_tally_rejects_unknown_classifiers(store):
    with pytest.raises(UnknownClassifier):
        store.classifier_tally(["No :: Such"])
