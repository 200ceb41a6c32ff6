"""SQL only: the reads an upload makes on the thread's autocommit connection give the same
records as the pooled reads, also for rows a legacy process wrote without a PEP 503 name."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import update

from storage_backends.records import ReleaseMetadata
from storage_backends.sql.accounts import AccountsMixin
from storage_backends.sql.files import FilesMixin
from storage_backends.sql.projects import ProjectsMixin
from storage_backends.sql.registration import RegistrationMixin
from storage_backends.sql.tables import packages

from .samples import new_file


@pytest.fixture
def sql_store(store):
    if getattr(store, "_reads", None) is None:
        pytest.skip("reads on the thread's connection are the SQL backend's, on a file or server")
    return store


def test_request_reads_match_the_pooled_reads(sql_store, alice):
    store = sql_store
    store.register_user("carol", "carol@example.org", "hash-c", "k" * 32,
                        datetime(2024, 5, 6, 7, 8, 9))
    store.record_login("alice", datetime(2024, 1, 2, 3, 4, 5))
    store.add_file(alice, new_file("Demo.Pkg", "1.0", "Demo.Pkg-1.0.tar.gz"),
                   new_release=ReleaseMetadata())
    for user in ("alice", "carol", "nobody"):
        assert store.get_user(user) == AccountsMixin.get_user(store, user)
        assert store.registration_key(user) == RegistrationMixin.registration_key(store, user)
    for name in ("Demo.Pkg", "demo-pkg", "DEMO_pkg", "other"):
        assert store.find_project(name) == ProjectsMixin.find_project(store, name)
    assert store.find_project("demo_pkg").name == "Demo.Pkg"
    for filename in ("Demo.Pkg-1.0.tar.gz", "missing-1.0.tar.gz"):
        assert store.get_file(filename) == FilesMixin.get_file(store, filename)
    assert store.get_file("Demo.Pkg-1.0.tar.gz").upload_time is not None


def test_a_legacy_row_without_its_pep503_name_is_found(sql_store, alice):
    store = sql_store
    store.store_release(alice, "Old_Name", "1.0", ReleaseMetadata())
    with store.engine.begin() as conn:
        conn.execute(update(packages).where(packages.c.name == "Old_Name")
                     .values(pep503_name=None))
    assert store.find_project("old-name").name == "Old_Name"
    assert store.find_project("old-name") == ProjectsMixin.find_project(store, "old-name")
