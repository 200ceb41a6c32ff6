"""The legacy tables as legacy PyPI's own final schema had them.

Built from ``tables.metadata`` by leaving out ``ADDED_TABLES`` and the
``ADDED_COLUMNS`` (and the indexes on them), so there is one definition of
every column. The baseline migration creates this shape in an empty database;
``shape.detect`` recognises a legacy database by it.
"""
from __future__ import annotations

from sqlalchemy import ForeignKeyConstraint, Index, MetaData, Table

from .tables import ADDED_COLUMNS, ADDED_TABLES, metadata

# SQLite cannot add a primary key to an existing table, and no legacy database
# is SQLite, so there the baseline keeps these row ids.
SQLITE_BASELINE_IDS = {"release_dependencies": "id", "release_files": "id"}


def legacy_metadata(dialect_name: str) -> MetaData:
    legacy = MetaData()
    for table in metadata.sorted_tables:
        if table.name not in ADDED_TABLES:
            _copy_table(table, legacy, _left_out(table.name, dialect_name))
    return legacy


def _left_out(table_name: str, dialect_name: str) -> set[str]:
    left_out = set(ADDED_COLUMNS.get(table_name, ()))
    if dialect_name == "sqlite":
        left_out.discard(SQLITE_BASELINE_IDS.get(table_name))
    return left_out


def _copy_table(table: Table, target: MetaData, left_out: set[str]) -> Table:
    columns = [column._copy() for column in table.columns if column.name not in left_out]
    constraints = [ForeignKeyConstraint(list(c.column_keys), [e.target_fullname for e in c.elements],
                                        onupdate=c.onupdate, ondelete=c.ondelete)
                   for c in table.foreign_key_constraints if not set(c.column_keys) & left_out]
    copy = Table(table.name, target, *columns, *constraints, **table.kwargs)
    for index in table.indexes:
        names = [c.name for c in index.columns]
        if not set(names) & left_out:
            Index(index.name, *(copy.c[n] for n in names), unique=index.unique,
                  **index.dialect_kwargs)
    return copy
