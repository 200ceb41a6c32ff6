"""The conformance suite's fixtures: every test runs once per backend.

Tests use only the ``Store`` interface; ``backends.py`` gives each one a
fresh, empty store.
"""
from __future__ import annotations

import os

import pytest

from storage_backends.errors import ServiceUnavailable
from storage_backends.records import Actor, ReleaseMetadata

from .backends import BACKENDS, drop_test_databases, open_test_store


@pytest.fixture(scope="session")
def _server_databases():
    """Drop the per-worker server databases once the session is over."""
    yield
    drop_test_databases()


def open_or_skip(backend: str, tmp_path):
    """``open_test_store``, skipping the test when the backend's server does not answer
    (failing it where ``PYPI_TEST_REQUIRE_SERVICES=1`` says the services must be there)."""
    try:
        return open_test_store(backend, tmp_path)
    except ServiceUnavailable as err:
        if os.environ.get("PYPI_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{backend} is required here: {err}")
        pytest.skip(f"{backend} not reachable: {err}")


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path, _server_databases):
    opened = open_or_skip(request.param, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def alice(store) -> Actor:
    store.create_user("alice", "alice@example.org", "hash-a")
    return Actor("alice", "192.0.2.1")


@pytest.fixture
def bob(store) -> Actor:
    store.create_user("bob", "bob@example.org", "hash-b")
    return Actor("bob", "192.0.2.2")


@pytest.fixture
def demo(store, alice):
    """Project ``demo`` with release 1.0, owned by alice."""
    return store.store_release(alice, "demo", "1.0", ReleaseMetadata(summary="Demo")).release
