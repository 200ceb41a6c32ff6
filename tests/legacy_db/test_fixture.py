"""The legacy database fixture loads on PostgreSQL and MariaDB and says true things about itself."""
from __future__ import annotations

import hashlib
import io
import tarfile

import pytest
import sqlalchemy as sa

from tests.legacy_db.catalogue import LEGACY_COLUMNS
from tests.legacy_db.fixture import (
    LEGACY_TABLES, legacy_database, load_legacy_data, schema_snapshot, snapshot,
)
from tests.legacy_db.history import safe_name
from tests.legacy_db.loose_version import legacy_orderings
from tests.legacy_db.sample import build_history
from tests.legacy_db.snapshots import canonical_rows

SERVERS = ("postgresql", "mariadb")


@pytest.fixture(scope="module", params=SERVERS)
def legacy(request, tmp_path_factory):
    """One loaded legacy database per server for the whole module (loading takes a second)."""
    with legacy_database(request.param) as url:
        yield load_legacy_data(url, tmp_path_factory.mktemp("files"))


def _rows(url: str, query: str, **params) -> list:
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(query), params))
    finally:
        engine.dispose()


@pytest.mark.parametrize("server", SERVERS)
def test_schema_files_create_the_legacy_tables_and_columns(server):
    with legacy_database(server) as url:
        tables = schema_snapshot(url)["tables"]
        assert snapshot(url) == {table: [] for table in LEGACY_TABLES}
    assert list(tables) == sorted(LEGACY_TABLES)
    assert {t: tuple(tables[t]["columns"]) for t in LEGACY_TABLES} == LEGACY_COLUMNS
    assert tables["journals"]["primary_key"] == []              # legacy's id is a bare SERIAL
    assert tables["journals"]["columns"]["id"]["autoincrement"] is True
    assert [c["sqltext"] for c in tables["packages"]["checks"]] != []
    assert {ix["name"] for ix in tables["releases"]["indexes"]} >= {
        "release_pypi_hidden_idx", "release_name_idx", "release_version_idx"}
    assert {"constrained_columns": ["name", "version"], "options": {"onupdate": "CASCADE"},
            "referred_columns": ["name", "version"], "referred_table": "releases"} \
        in tables["release_files"]["foreign_keys"]


def test_every_row_reads_back_as_written(legacy):
    history, _ = build_history()
    expected = {t: canonical_rows(t, history.rows.get(t, [])) for t in LEGACY_TABLES}
    assert snapshot(legacy.url) == expected


def test_snapshots_are_stable(legacy):
    assert snapshot(legacy.url) == snapshot(legacy.url)
    assert schema_snapshot(legacy.url) == schema_snapshot(legacy.url)


def test_files_are_in_the_legacy_layout_with_their_md5(legacy):
    assert len(legacy.files) >= 8
    stored = {r.filename: r.md5_digest for r in _rows(
        legacy.url, "SELECT filename, md5_digest FROM release_files")}
    assert stored == {f.filename: f.md5 for f in legacy.files}
    for file in legacy.files:
        relative = file.path.relative_to(legacy.files_dir).as_posix()
        assert relative == f"{file.python_version}/{file.project[0]}/{file.project}/{file.filename}"
        assert hashlib.md5(file.path.read_bytes()).hexdigest() == file.md5
    signed = [f for f in legacy.files if f.signature_path]
    assert len(signed) == 1 and signed[0].signature_path.read_text().startswith("-----BEGIN PGP")
    kinds = {f.filename.rsplit(".", 1)[-1] for f in legacy.files}
    assert {"gz", "bz2", "zip", "egg"} <= kinds


def test_installable_sdist_has_an_in_tree_build_backend(legacy):
    name, version = legacy.installable
    file = next(f for f in legacy.files if (f.project, f.version) == legacy.installable)
    with tarfile.open(fileobj=io.BytesIO(file.path.read_bytes())) as archive:
        members = set(archive.getnames())
    assert {f"{name}-{version}/pyproject.toml", f"{name}-{version}/backend.py",
            f"{name}-{version}/{legacy.installable_module}.py"} <= members
    assert (name, version) not in legacy.hidden


def test_versions_orderings_and_hidden_flags_match_the_database(legacy):
    rows = _rows(legacy.url, "SELECT name, version, _pypi_ordering, _pypi_hidden FROM releases")
    assert {(r.name, r.version): r._pypi_ordering for r in rows} == legacy.orderings
    assert {(r.name, r.version) for r in rows if r._pypi_hidden} == legacy.hidden
    assert legacy.versions["Foo_Bar"] == ["0.1", "0.1dev", "1.0", "1.0-beta"]  # LooseVersion order
    assert legacy.latest_visible == {"Foo_Bar": "1.0-beta", "MixedCase-Pkg": "r2009",
                                     "Twisted": "8.2.1", "Zope.Interface": "3.6.4",
                                     "py.test": "2.0-rc1-final"}
    assert legacy.orderings[("MixedCase-Pkg", "r2009")] == 1
    assert legacy.orderings[("Zope.Interface", "3.3.0")] == 100
    assert legacy.normalized_names == {name: safe_name(name) for name in legacy.versions}
    assert legacy.normalized_names["Foo_Bar"] == "foo-bar"


def test_accounts_are_legacy_shaped(legacy):
    users = {r.name: r.password for r in _rows(legacy.url, "SELECT name, password FROM users")}
    assert users == {name: hashlib.sha1(pw.encode()).hexdigest()
                     for name, pw in legacy.passwords.items()}
    admin = _rows(legacy.url, "SELECT user_name FROM roles WHERE role_name = 'Admin' "
                              "AND package_name IS NULL")
    assert [r.user_name for r in admin] == [legacy.admin]
    otk = _rows(legacy.url, "SELECT name FROM rego_otk WHERE otk = :otk", otk=legacy.unconfirmed_otk)
    assert [r.name for r in otk] == [legacy.unconfirmed_user]
    assert legacy.owners["Zope.Interface"] == ["alice"] and legacy.maintainers["py.test"] == ["bob"]


def test_journal_ids_increase_with_time_and_the_counter_continues(legacy):
    rows = _rows(legacy.url, "SELECT id, submitted_date, name FROM journals ORDER BY id")
    assert [r.id for r in rows] == list(range(1, legacy.last_serial + 1))
    assert [r.submitted_date for r in rows] == sorted(r.submitted_date for r in rows)
    assert legacy.removed_project in {r.name for r in rows}
    engine = sa.create_engine(legacy.url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("INSERT INTO journals (name, action) VALUES ('x', 'probe')"))
            new_id = conn.execute(sa.text("SELECT max(id) FROM journals")).scalar()
            conn.rollback()
    finally:
        engine.dispose()
    assert new_id == legacy.last_serial + 1


def test_the_name_check_refuses_what_legacy_refused(legacy):
    engine = sa.create_engine(legacy.url, poolclass=sa.NullPool)
    try:
        with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO packages (name) VALUES ('-bad name')"))
    finally:
        engine.dispose()


@pytest.mark.parametrize("versions, expected", [
    (["1.0"], {"1.0": 1}),
    (["1.0", "1.0-beta", "0.1dev", "0.1"], {"0.1": 10, "0.1dev": 11, "1.0": 12, "1.0-beta": 13}),
    (["1.0.0b1", "1.0.0", "r2009", "2.0-rc1-final"],
     {"1.0.0": 10, "1.0.0b1": 11, "2.0-rc1-final": 12, "r2009": 13}),
    ([f"1.{i}" for i in range(11)], {f"1.{i}": 100 + i for i in range(11)}),
])
def test_legacy_orderings_follow_the_2010_rule(versions, expected):
    assert legacy_orderings(versions) == expected
