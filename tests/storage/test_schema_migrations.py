"""The SQL schema's revisions on SQLite: new databases, ours from before migrations, refusals.

Legacy PostgreSQL/MariaDB databases are covered in ``tests/legacy_db``.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from storage_backends.errors import SchemaMissing, SchemaOutdated
from storage_backends.sql import SqlStore, make_engine, open_sql_store
from storage_backends.sql.schema import VERSION_TABLE, head_revision
from storage_backends.sql.tables import metadata


def test_a_new_database_is_created_at_the_newest_revision(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    with pytest.raises(SchemaMissing, match="pypi initdb"):
        open_sql_store(url)
    store = open_sql_store(url, create=True)
    try:
        with store.engine.connect() as conn:
            assert conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar() \
                == head_revision()
            present = set(sa.inspect(conn).get_table_names())
        assert set(metadata.tables) <= present
        state, revision = store.create_schema()            # again: nothing to do
        assert state.revision == revision == head_revision()
    finally:
        store.close()


def test_our_database_from_before_migrations_is_upgraded_in_place(tmp_path):
    """Created by ``metadata.create_all`` (earlier versions): no revision, no pep503_name."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    metadata.create_all(engine, tables=[t for t in metadata.sorted_tables
                                        if t.name != "pypi_schema_additions"])
    with engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX packages_pep503_name_idx"))
        conn.execute(sa.text("ALTER TABLE packages DROP COLUMN pep503_name"))
        conn.execute(sa.text("INSERT INTO pypi_serial (id, value) VALUES (1, 7)"))
        conn.execute(sa.text("INSERT INTO packages (name, normalized_name, autohide, comments, "
                             "hosting_mode) VALUES ('Old.Project', 'old-project', 1, 1, "
                             "'pypi-explicit')"))
    engine.dispose()

    with pytest.raises(SchemaOutdated, match="pypi upgradedb"):
        open_sql_store(url)
    store = open_sql_store(url, create=True)      # what `pypi serve` does at start
    try:
        assert store.find_project("old_project").name == "Old.Project"
        assert store.last_serial() == 7
    finally:
        store.close()


def test_a_database_behind_the_newest_revision_is_refused_by_check(tmp_path):
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    open_sql_store(url, create=True).close()
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version_num = '0001'"))
    engine.dispose()
    with pytest.raises(SchemaOutdated, match="at revision 0001.*pypi upgradedb"):
        open_sql_store(url)
    store = SqlStore(make_engine(url))
    try:
        state, revision = store.create_schema()
        assert (state.revision, revision) == ("0001", head_revision())
    finally:
        store.close()
    open_sql_store(url).close()


def test_revisions_read_from_the_files_are_alembics():
    """``head_revision`` reads the version modules' lines; alembic must see the same chain."""
    from alembic.script import ScriptDirectory

    from storage_backends.sql.schema import MIGRATIONS, _revisions

    script = ScriptDirectory(str(MIGRATIONS))
    assert head_revision() == script.get_current_head()
    assert _revisions() == {s.revision: s.down_revision for s in script.walk_revisions()}
