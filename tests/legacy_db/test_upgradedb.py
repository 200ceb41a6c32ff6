"""``pypi upgradedb``/``downgradedb``/``backfill-digests`` on a legacy PyPI database.

The upgrade only adds (every legacy row and column stays as it was), is a
no-op when run again, can be taken back to the exact legacy shape, and
refuses databases it does not recognise without writing to them.
"""
from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from pypi.cli import main
from pypi.config import Config
from storage_backends.records import Actor
from storage_backends.sql import SqlStore, make_engine

from .fixture import (
    LegacyData, legacy_database, load_legacy_data, schema_snapshot, snapshot,
)

SERVERS = ("postgresql", "mariadb")


@dataclass
class Legacy:
    url: str
    data: LegacyData
    config: Path

    def run(self, capsys, *command: str) -> tuple[int, str]:
        """``pypi <command> --config CFG`` in this process: its exit code and its output."""
        capsys.readouterr()
        code = main([*command, "--config", str(self.config)])
        captured = capsys.readouterr()
        return code, captured.out + captured.err


def write_config(directory: Path, url: str) -> Path:
    config = directory / "config.ini"
    config.write_text(f"[database]\nurl = {url}\nfiles_dir = {directory / 'packages'}\n"
                      f"docs_dir = {directory / 'docs'}\n")
    return config


@pytest.fixture(params=SERVERS)
def legacy(request, tmp_path):
    with legacy_database(request.param) as url:
        data = load_legacy_data(url, tmp_path / "packages")
        yield Legacy(url, data, write_config(tmp_path, url))


def full_dump(url: str) -> dict[str, list]:
    """Every row of every table, all columns (added ones too), sorted."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            return {name: sorted((tuple(map(repr, row)) for row in conn.execute(sa.select(table))))
                    for name, table in metadata.tables.items()}
    finally:
        engine.dispose()


def test_initdb_and_serve_refuse_a_legacy_database_until_it_is_upgraded(legacy, capsys):
    shape = schema_snapshot(legacy.url)
    code, output = legacy.run(capsys, "initdb")
    assert code == 2
    assert "legacy PyPI database" in output and "pypi upgradedb" in output
    assert schema_snapshot(legacy.url) == shape


def test_upgradedb_only_adds_and_a_second_run_changes_nothing(legacy, capsys):
    rows, shape = snapshot(legacy.url), schema_snapshot(legacy.url)

    code, output = legacy.run(capsys, "upgradedb")
    assert code == 0, output
    assert "now at revision" in output
    assert snapshot(legacy.url) == rows
    upgraded = schema_snapshot(legacy.url)["tables"]
    for table, described in shape["tables"].items():
        for column, kind in described["columns"].items():
            assert upgraded[table]["columns"][column] == kind, (table, column)
        for index in described["indexes"]:
            assert index in upgraded[table]["indexes"], (table, index)
    engine = make_engine(legacy.url)
    with engine.connect() as conn:
        added = set(conn.execute(sa.text(
            "SELECT kind, table_name, name FROM pypi_schema_additions")).all())
    engine.dispose()
    assert ("column", "release_files", "sha256_digest") in added
    assert ("column", "packages", "pep503_name") in added
    assert ("table", "pypi_serial", "pypi_serial") in added

    everything = full_dump(legacy.url)
    code, output = legacy.run(capsys, "upgradedb")
    assert code == 0 and "nothing to do" in output
    assert full_dump(legacy.url) == everything


def test_downgradedb_leaves_the_exact_legacy_shape_and_rows(legacy, capsys):
    rows, shape = snapshot(legacy.url), schema_snapshot(legacy.url)
    assert legacy.run(capsys, "upgradedb")[0] == 0
    assert legacy.run(capsys, "backfill-digests")[0] == 0
    code, output = legacy.run(capsys, "downgradedb")
    assert code == 0, output
    assert schema_snapshot(legacy.url) == shape
    assert snapshot(legacy.url) == rows
    # and it can be upgraded again
    assert legacy.run(capsys, "upgradedb")[0] == 0


def test_an_unknown_revision_is_refused_without_writes(legacy, capsys):
    assert legacy.run(capsys, "upgradedb")[0] == 0
    engine = make_engine(legacy.url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE pypi_alembic_version SET version_num = '9999'"))
    engine.dispose()
    everything = full_dump(legacy.url)
    for command in ("upgradedb", "initdb", "downgradedb"):
        code, output = legacy.run(capsys, command)
        assert code == 2, (command, output)
        assert "'9999'" in output and "nothing was changed" in output
    assert full_dump(legacy.url) == everything


def test_a_database_that_is_neither_empty_nor_legacy_nor_ours_is_refused(tmp_path, capsys):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO customers (name) VALUES ('someone')")
    config = write_config(tmp_path, f"sqlite:///{path}")
    for command in ("upgradedb", "initdb", "serve"):
        capsys.readouterr()
        assert main([command, "--config", str(config)]) == 2
        output = capsys.readouterr().err
        assert "customers" in output and "nothing was changed" in output
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert tables == ["customers"]
        assert conn.execute("SELECT name FROM customers").fetchall() == [("someone",)]


@pytest.mark.parametrize("server", SERVERS)
def test_a_legacy_database_missing_tables_is_refused(server, tmp_path, capsys):
    with legacy_database(server) as url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE mirrors"))
        engine.dispose()
        shape = schema_snapshot(url)
        assert main(["upgradedb", "--config", str(write_config(tmp_path, url))]) == 2
        assert "lacks the tables mirrors" in capsys.readouterr().err
        assert schema_snapshot(url) == shape


def test_backfill_digests_reads_the_files_and_resumes_after_a_failure(legacy, capsys):
    assert legacy.run(capsys, "upgradedb")[0] == 0
    rows = snapshot(legacy.url)
    away = legacy.data.files[0]
    moved = away.path.with_name(away.path.name + ".moved")
    away.path.rename(moved)

    code, output = legacy.run(capsys, "backfill-digests", "--batch", "2")
    assert code == 1
    assert away.filename in output and "no stored bytes" in output
    assert f"{len(legacy.data.files) - 1} files given" in output

    moved.rename(away.path)
    code, output = legacy.run(capsys, "backfill-digests")
    assert code == 0 and "1 files given" in output
    assert legacy.run(capsys, "backfill-digests")[1].startswith("0 files given")

    engine = make_engine(legacy.url)
    with engine.connect() as conn:
        stored = {r.filename: r for r in conn.execute(sa.text(
            "SELECT filename, sha256_digest, blake2_256_digest, size, has_signature "
            "FROM release_files"))}
    engine.dispose()
    for file in legacy.data.files:
        content = file.path.read_bytes()
        row = stored[file.filename]
        assert row.sha256_digest == hashlib.sha256(content).hexdigest()
        assert row.blake2_256_digest == hashlib.blake2b(content, digest_size=32).hexdigest()
        assert row.size == len(content)
        assert bool(row.has_signature) == (file.signature_path is not None)
    assert snapshot(legacy.url) == rows


def test_a_backfill_leaves_a_file_whose_bytes_do_not_match_its_md5(legacy, capsys):
    assert legacy.run(capsys, "upgradedb")[0] == 0
    damaged = legacy.data.files[-1]
    damaged.path.write_bytes(b"not what was uploaded")
    code, output = legacy.run(capsys, "backfill-digests")
    assert code == 1 and damaged.filename in output and "md5" in output
    engine = make_engine(legacy.url)
    with engine.connect() as conn:
        digest = conn.execute(sa.text("SELECT sha256_digest FROM release_files WHERE filename = :f"),
                              {"f": damaged.filename}).scalar()
    engine.dispose()
    assert digest is None


def test_projects_and_journal_rows_a_legacy_process_writes_afterwards_are_seen(legacy, capsys):
    """A legacy process sharing the database: its new project has no PEP 503 form, and its
    journal rows take ids from the same sequence (PostgreSQL) as this server's."""
    assert legacy.run(capsys, "upgradedb")[0] == 0
    store = SqlStore(make_engine(legacy.url))
    try:
        with store.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO packages (name, normalized_name, autohide, comments, hosting_mode) "
                "VALUES ('Legacy.Made_Later', 'legacy.made-later', TRUE, TRUE, 'pypi-explicit')"))
        found = store.find_project("legacy-made-later")
        assert found is not None and found.name == "Legacy.Made_Later"

        owner = sorted(legacy.data.passwords)[0]
        store.create_project(Actor(owner, "127.0.0.1"), "Made.Here")
        with store.engine.connect() as conn:
            row = conn.execute(sa.text("SELECT normalized_name, pep503_name FROM packages "
                                       "WHERE name = 'Made.Here'")).one()
        assert tuple(row) == ("made.here", "made-here")   # legacy's form kept for legacy readers
        ours = store.last_serial()
        assert ours > legacy.data.last_serial
        if store.engine.dialect.name == "postgresql":
            with store.engine.begin() as conn:   # as legacy inserted: the id from the sequence
                theirs = conn.execute(sa.text(
                    "INSERT INTO journals (name, action, submitted_date) "
                    "VALUES ('Made.Here', 'legacy edit', now()) RETURNING id")).scalar()
            assert theirs > ours and store.last_serial() == theirs
            store.add_role(Actor(owner, "127.0.0.1"), "Maintainer",
                           legacy.data.admin, "Made.Here")
            assert store.last_serial() > theirs
    finally:
        store.close()


def test_a_legacy_config_file_is_read_unchanged(tmp_path):
    """Legacy keys only, every section legacy had; unknown keys are listed, never fatal."""
    config = tmp_path / "config.ini"
    config.write_text(
        "[database]\nname = packages\nuser = pypi\npassword = secret\nhost = 127.0.0.1\n"
        "port = 5432\nfiles_dir = /srv/pypi/files\ndocs_dir = /srv/pypi/docs\n"
        "pubsubhubbub = \n"
        "[webui]\nmailhost = localhost\nadminemail = admin@example.org\nreplyto = x@example.org\n"
        "url = https://index.example.org/pypi\npydotorg = http://www.example.org/\n"
        "simple_script = /simple\nfiles_url = https://index.example.org/packages\n"
        "rss_file = /tmp/pypi_rss.xml\ndebug_mode = no\ncheesecake_password = secret\n"
        "privkey = /srv/pypi/privkey\nsimple_sign_script = /serversig\n"
        "[logging]\nfile = \nmailhost = \nfromaddr = \ntoaddrs = \n"
        "[mirrors]\nfolder = /srv/mirrors\nlocal-stats = /srv/stats/local\n"
        "global-stats = /srv/stats/global\n"
        "[smtp]\nhostname = localhost:25\nstarttls = off\nauth = off\n"
        "[passlib]\nschemes = bcrypt, hex_sha1\n"
        "[blocking]\nblocked_timeout = 600\nblocked_attempts_ip = 10\nblocked_attempts_user = 1000\n"
        "[xmlrpc]\nmax_concurrent = 10\nenforce = false\n")
    loaded = Config.from_ini(config)
    assert loaded.database_url == "postgresql+psycopg://pypi:secret@127.0.0.1:5432/packages"
    assert str(loaded.files_dir) == "/srv/pypi/files" and str(loaded.docs_dir) == "/srv/pypi/docs"
    assert loaded.base_url == "https://index.example.org/pypi"
    assert "[passlib] schemes" in loaded.ignored_keys
    assert "[mirrors] folder" in loaded.ignored_keys
    assert "[webui] files_url" not in loaded.ignored_keys


@pytest.mark.parametrize("server", ("postgresql",))
def test_the_successors_alembic_version_row_is_left_alone(server, tmp_path, capsys):
    """A final-state legacy database carries its successor's ``alembic_version``."""
    with legacy_database(server) as url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            conn.execute(sa.text("INSERT INTO alembic_version VALUES ('283c68f2ab2')"))
        assert main(["upgradedb", "--config", str(write_config(tmp_path, url))]) == 0, \
            capsys.readouterr().err
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).all() \
                == [("283c68f2ab2",)]
        engine.dispose()


@pytest.mark.parametrize("server", ("postgresql",))
def test_accounts_kept_only_in_the_successors_tables_are_refused_by_name(server, tmp_path, capsys):
    with legacy_database(server) as url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE accounts_user (id SERIAL PRIMARY KEY, username TEXT)"))
            conn.execute(sa.text("DROP TABLE users CASCADE"))
        engine.dispose()
        shape = schema_snapshot(url)
        assert main(["upgradedb", "--config", str(write_config(tmp_path, url))]) == 2
        assert "accounts_user" in capsys.readouterr().err
        assert schema_snapshot(url) == shape
