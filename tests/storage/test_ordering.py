"""The version order and name normalisation shared by all backends (pure functions)."""
from __future__ import annotations

import random

import pytest

from storage_backends.ordering import compute_orderings, normalize_name, sort_versions


@pytest.mark.parametrize("oldest_to_newest", [
    ["1.0.dev1", "1.0a1", "1.0a2", "1.0b1", "1.0rc1", "1.0", "1.0.post1", "1.1", "1.10", "2!0.1"],
    ["0.9", "1.0", "1.0.0", "1.0.0.0"],                # equal under PEP 440: by exact text
    ["foo", "r2009", "r2010", "2.0-final-x", "0.1"],     # legacy ones below every PEP 440 one
    ["alpha-3", "Beta", "1.a.x", "1.0.x", "1.0.x.1", "1.2.x", "1.10.x", "0"],
])
def test_sort_versions(oldest_to_newest):
    shuffled = list(oldest_to_newest)
    random.Random(4).shuffle(shuffled)
    assert sort_versions(shuffled) == oldest_to_newest


def test_legacy_numbers_compare_numerically_and_after_words():
    assert sort_versions(["r10", "r9"]) == ["r9", "r10"]
    assert sort_versions(["1.0.x", "1.a.x"]) == ["1.a.x", "1.0.x"]


def test_compute_orderings():
    assert compute_orderings(["2.0", "1.0", "foo", "1.0"]) == {"foo": 0, "1.0": 1, "2.0": 2}
    assert compute_orderings([]) == {}


@pytest.mark.parametrize("name, normal", [
    ("Foo", "foo"), ("Foo_Bar", "foo-bar"), ("foo.bar", "foo-bar"), ("FOO--._bar", "foo-bar"),
    ("zope.interface", "zope-interface"),
])
def test_normalize_name(name, normal):
    assert normalize_name(name) == normal
