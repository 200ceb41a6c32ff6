"""The cheap reads index pages are cached under: ``list_project_names``, ``project_serial``
and ``last_serial``, which must see every write at once, even one made through
another store (another server process) on the same database."""
from __future__ import annotations

from datetime import datetime

import pytest

from storage_backends.records import ProjectName, ReleaseMetadata, ReleaseOrder
from storage_backends.sql import SqlStore, open_sql_store

from .samples import new_file, release_in_another_process


def test_list_project_names_matches_list_projects(store, alice):
    for name in ("Zeta", "alpha", "Beta.Two", "beta_one"):
        store.store_release(alice, name, "1.0", ReleaseMetadata())
    store.add_file(alice, new_file("alpha", "1.0", "alpha-1.0.tar.gz"))
    expected = [ProjectName(p.name, p.normalized_name, p.last_serial) for p in store.list_projects()]
    assert store.list_project_names() == expected
    assert [p.name for p in expected] == ["alpha", "Beta.Two", "beta_one", "Zeta"]


@pytest.mark.parametrize("names, order", [
    (("zeta", "Mid", "ABC", "abd", "Abe"), ["ABC", "abd", "Abe", "Mid", "zeta"]),
    # SQLite's lower() leaves "É" as it is: Python's order must still win.
    (("Ébc", "éa", "zz", "Ea"), ["Ea", "zz", "éa", "Ébc"]),
])
def test_list_project_names_is_in_python_name_order(store, alice, names, order):
    for name in names:
        store.store_release(alice, name, "1.0", ReleaseMetadata())
    assert [p.name for p in store.list_project_names()] == order
    assert [p.name for p in store.list_projects()] == order
    for size in (1, 3, 100):
        pieces = list(store.project_name_pieces(size))
        assert [len(piece) for piece in pieces[:-1]] == [size] * (len(pieces) - 1)
        assert [p for piece in pieces for p in piece] == store.list_project_names()


def test_project_serial_follows_every_change_of_that_project_only(store, alice, bob):
    assert store.project_serial("demo") is None
    store.store_release(alice, "Demo_Pkg", "1.0", ReleaseMetadata())
    first = store.project_serial("demo-pkg")
    assert first == ("Demo_Pkg", store.get_project("Demo_Pkg").last_serial)
    assert store.project_serial("DEMO.pkg") == first
    store.store_release(alice, "other", "1.0", ReleaseMetadata())
    assert store.project_serial("demo-pkg") == first
    changes = [
        lambda: store.add_file(alice, new_file("Demo_Pkg", "1.0", "Demo_Pkg-1.0.tar.gz")),
        lambda: store.set_release_hidden(alice, "Demo_Pkg", "1.0", True),
        lambda: store.add_role(alice, "Maintainer", "bob", "Demo_Pkg"),
        lambda: store.remove_file(alice, "Demo_Pkg-1.0.tar.gz"),
    ]
    seen = {first}
    for change in changes:
        change()
        now = store.project_serial("demo-pkg")
        assert now not in seen and now[1] == store.last_serial()
        seen.add(now)
    store.remove_project(alice, "Demo_Pkg")
    assert store.project_serial("demo-pkg") is None


@pytest.fixture
def second_store(store) -> SqlStore:
    """Another store (engine, connections) on the same database: a second server process."""
    if not isinstance(store, SqlStore):
        pytest.skip("the datastore stub is one file that one process opens")
    other = open_sql_store(store.engine.url.render_as_string(hide_password=False))
    yield other
    other.close()


def test_reads_see_another_stores_writes_at_once(store, second_store, alice):
    assert second_store.last_serial() == store.last_serial()
    assert second_store.project_serial("demo") is None
    for version in ("1.0", "1.1", "2.0"):
        store.store_release(alice, "demo", version, ReleaseMetadata())
        assert second_store.last_serial() == store.last_serial()
        assert second_store.project_serial("demo") == ("demo", store.last_serial())
        assert second_store.list_project_names() == store.list_project_names()
    store.remove_project(alice, "demo")
    assert second_store.project_serial("demo") is None
    assert second_store.list_project_names() == []


def test_a_broken_read_connection_is_replaced(store, second_store, alice):
    second_store.last_serial()
    reads = getattr(second_store, "_reads", None)
    if reads is None:
        pytest.skip("this database is read through the pool only")
    reads._local.connection.close()     # as a server restart or a network cut would leave it
    store.store_release(alice, "demo", "1.0", ReleaseMetadata())
    assert second_store.last_serial() == store.last_serial()


def test_index_listing_matches_releases_and_files(store, alice):
    for version in ("1.0", "2.0b1", "1.5"):
        store.store_release(alice, "demo", version, ReleaseMetadata(requires_python=">=3"))
    store.add_file(alice, new_file("demo", "1.0", "demo-1.0.tar.gz"))
    store.add_file(alice, new_file("demo", "1.0", "demo-1.0-py3-none-any.whl"))
    store.add_file(alice, new_file("demo", "2.0b1", "demo-2.0b1.tar.gz"))
    store.set_release_hidden(alice, "demo", "1.0", True)
    releases, files = store.index_listing("demo")
    assert releases == [ReleaseOrder(r.version, r.ordering, r.hidden)
                        for r in store.list_releases("demo")]
    assert [r.version for r in releases] == ["2.0b1", "1.5", "1.0"]
    assert files == store.list_files("demo")
    assert all(isinstance(f.upload_time, datetime) for f in files)
    assert store.index_listing("nothing") == ([], [])


def test_journal_time_is_the_time_of_that_serial(store, alice):
    assert store.journal_time(1) is None
    store.create_project(alice, "demo")
    entries = store.changelog_since_serial(0)
    for entry in entries:
        assert store.journal_time(entry.serial) == entry.submitted_date
    assert store.journal_time(entries[-1].serial + 1) is None


# -- the change token: "nothing was committed since", without a query -----------------

def _watches_changes(store) -> bool:
    """Only a file SQLite database in WAL mode can tell without a query; the others say None."""
    token = store.change_token()
    on_sqlite = isinstance(store, SqlStore) and store.engine.url.get_backend_name() == "sqlite"
    assert (token is not None) == on_sqlite
    return token is not None


def test_change_token_holds_until_a_commit_from_any_store(store, alice):
    if not _watches_changes(store):
        return
    store.store_release(alice, "demo", "1.0", ReleaseMetadata())
    before = store.change_token()
    store.last_serial(), store.project_serial("demo"), store.list_project_names()
    assert store.change_token() == before    # reads commit nothing
    store.set_release_hidden(alice, "demo", "1.0", True)
    after_own = store.change_token()
    assert after_own != before
    other = open_sql_store(store.engine.url.render_as_string(hide_password=False))
    try:
        assert other.change_token() == after_own
        other.store_release(alice, "demo", "1.1", ReleaseMetadata())
        assert store.change_token() != after_own
        assert store.change_token() == other.change_token()
    finally:
        other.close()
    kept = store.change_token()     # the other store's close left this one's watch working
    store.store_release(alice, "demo", "1.2", ReleaseMetadata())
    assert store.change_token() != kept


def test_last_serial_is_read_again_only_after_a_commit(store, alice, monkeypatch):
    if not _watches_changes(store):
        return
    store.store_release(alice, "demo", "1.0", ReleaseMetadata())
    serial = store.last_serial()
    statements = []
    rows = store._reads.rows
    monkeypatch.setattr(store._reads, "rows", lambda *a, **k: statements.append(a) or rows(*a, **k))
    assert store.last_serial() == serial and statements == []
    release_in_another_process(store.engine.url.render_as_string(hide_password=False),
                               "demo", "2.0")
    assert store.last_serial() > serial and len(statements) == 1
    assert store.last_serial() == store.changelog_since_serial(0)[-1].serial


def test_change_token_sees_a_commit_by_another_process(store, alice):
    """A separate process (its own SQLite library state and locks) commits in between."""
    if not _watches_changes(store):
        return
    store.store_release(alice, "demo", "1.0", ReleaseMetadata())
    before = store.change_token()
    release_in_another_process(store.engine.url.render_as_string(hide_password=False),
                               "demo", "2.0")
    assert store.change_token() != before
    assert store.project_serial("demo")[1] == store.last_serial()
    assert [r.version for r in store.list_releases("demo")][0] == "2.0"


def test_index_page_is_serial_listing_and_time_read_together(store, alice):
    assert store.index_page("demo") is None
    store.create_project(alice, "Demo.Pkg")
    empty = store.index_page("demo-pkg")
    assert empty.name == "Demo.Pkg" and empty.releases == [] and empty.files == []
    for version in ("1.0", "2.0b1"):
        store.store_release(alice, "Demo.Pkg", version, ReleaseMetadata())
    store.add_file(alice, new_file("Demo.Pkg", "1.0", "Demo.Pkg-1.0.tar.gz"))
    store.add_file(alice, new_file("Demo.Pkg", "1.0", "Demo.Pkg-1.0-py3-none-any.whl"))
    store.set_release_hidden(alice, "Demo.Pkg", "2.0b1", True)
    for spelling in ("demo-pkg", "Demo.Pkg", "DEMO_pkg"):
        page = store.index_page(spelling)
        name, serial = store.project_serial(spelling)
        assert (page.name, page.last_serial) == (name, serial) == ("Demo.Pkg", store.last_serial())
        assert (page.releases, page.files) == store.index_listing("Demo.Pkg")
        assert page.changed == store.journal_time(serial)
        assert [f.filename for f in page.files] == ["Demo.Pkg-1.0-py3-none-any.whl",
                                                    "Demo.Pkg-1.0.tar.gz"]
