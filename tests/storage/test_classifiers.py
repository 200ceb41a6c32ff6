"""Trove classifiers."""
from __future__ import annotations

from storage_backends.records import ReleaseMetadata

from .samples import CLASSIFIERS


def test_add_and_list_sorted(store):
    assert store.list_classifiers() == []
    assert store.add_classifiers(reversed(CLASSIFIERS)) == len(CLASSIFIERS)
    assert store.list_classifiers() == sorted(CLASSIFIERS)


def test_add_is_idempotent(store):
    store.add_classifiers(CLASSIFIERS[:2])
    assert store.add_classifiers(CLASSIFIERS) == len(CLASSIFIERS) - 2
    assert store.add_classifiers(CLASSIFIERS) == 0
    assert store.add_classifiers([]) == 0
    assert store.list_classifiers() == sorted(CLASSIFIERS)


def test_classifiers_are_not_journalled(store):
    store.add_classifiers(CLASSIFIERS)
    assert store.last_serial() == 0


def test_classifier_added_later_is_usable(store, alice):
    store.add_classifiers(CLASSIFIERS[:1])
    store.store_release(alice, "demo", "1.0", ReleaseMetadata(classifiers=CLASSIFIERS[:1]))
    store.add_classifiers(["Topic :: Internet :: WWW/HTTP", "Topic :: Internet"])
    meta = ReleaseMetadata(classifiers=("Topic :: Internet", "Topic :: Internet :: WWW/HTTP"))
    assert store.store_release(alice, "demo", "1.0", meta).changed_fields == ("classifiers",)
    assert store.get_release("demo", "1.0").metadata.classifiers == meta.classifiers


def test_case_sensitive_classifiers(store):
    store.add_classifiers(["Topic :: Internet"])
    assert store.add_classifiers(["topic :: internet"]) == 1
    assert store.list_classifiers() == ["Topic :: Internet", "topic :: internet"]
