"""Canonical pictures of a legacy database's rows and shape, for before/after comparisons.

``snapshot`` reads every legacy table's legacy columns only (``catalogue``),
so columns an upgrade adds are ignored while a changed, lost or added legacy
row shows up; a legacy table or column that is missing appears as such.
``schema_snapshot`` describes every table as SQLAlchemy's inspector sees it,
for comparing the shape before an upgrade with the shape after a downgrade.
Both return plain, sorted, JSON-like structures, so ``==`` compares them and
pytest prints readable differences.
"""
from __future__ import annotations

import datetime
import decimal
from typing import Any, Iterable

import sqlalchemy as sa

from storage_backends.sql.engine import normalize_url

from .catalogue import BOOLEAN_COLUMNS, LEGACY_COLUMNS

MISSING = "<missing>"


def _canonical(table: str, column: str, value: Any) -> Any:
    if value is None:
        return None
    if (table, column) in BOOLEAN_COLUMNS:
        return bool(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return value


def _row_key(row: dict) -> tuple:
    # None first, then values; a column only ever holds one type besides None
    return tuple((value is not None, value if value is not None else 0) for value in row.values())


def canonical_rows(table: str, rows: Iterable[dict]) -> list[dict]:
    """Rows (``{column: value}``) as ``snapshot`` gives them: canonical values, sorted.

    Columns are put in catalogue order first, so rows sort the same whatever
    order their dicts were built in.
    """
    legacy = LEGACY_COLUMNS.get(table, ())

    def ordered(row: dict) -> dict:
        columns = [c for c in legacy if c in row] + sorted(set(row) - set(legacy))
        return {c: _canonical(table, c, row[c]) for c in columns}

    return sorted((ordered(row) for row in rows), key=_row_key)


def _engine(url: str | sa.URL) -> sa.Engine:
    return sa.create_engine(normalize_url(url), poolclass=sa.NullPool)


def _by_table(reflected: dict) -> dict[str, Any]:
    """The inspector's ``get_multi_*`` results keyed by plain table name."""
    return {table: value for (_schema, table), value in reflected.items()}


def snapshot(url: str | sa.URL) -> dict[str, Any]:
    """``{table: sorted rows as {column: value}}`` for every legacy table.

    A missing table maps to ``"<missing>"``; a missing column is absent from
    its rows. Timestamps are ISO strings, booleans are ``bool`` everywhere.
    """
    engine = _engine(url)
    try:
        existing = _by_table(sa.inspect(engine).get_multi_columns())
        result: dict[str, Any] = {}
        with engine.connect() as conn:
            quote = conn.dialect.identifier_preparer.quote
            for table, legacy_columns in LEGACY_COLUMNS.items():
                if table not in existing:
                    result[table] = MISSING
                    continue
                present = {c["name"] for c in existing[table]}
                columns = [c for c in legacy_columns if c in present]
                found = conn.exec_driver_sql(
                    f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)}")
                result[table] = canonical_rows(table, (dict(zip(columns, row)) for row in found))
        return result
    finally:
        engine.dispose()


def _text(value: Any) -> Any:
    """Inspector values made comparable: clauses and types become their SQL text."""
    if isinstance(value, dict):
        return {str(k): _text(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_text(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _sorted(items: Iterable[dict], key: str = "name") -> list[dict]:
    return sorted((_text(item) for item in items), key=lambda item: str(item.get(key)))


def _picked(items: Iterable[dict], keys: tuple[str, ...]) -> list[dict]:
    return _sorted(({k: item.get(k) for k in keys} for item in items), key=keys[0])


def schema_snapshot(url: str | sa.URL, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """Every table's columns (type, nullability, default), keys, indexes and checks.

    ``exclude`` names tables to leave out (for example a migration tool's
    version table that a downgrade keeps). PostgreSQL sequences are listed
    too. Constraint names are left out (the databases make some up); index
    names are kept.
    """
    engine = _engine(url)
    try:
        inspector = sa.inspect(engine)
        columns = _by_table(inspector.get_multi_columns())
        primary_keys = _by_table(inspector.get_multi_pk_constraint())
        foreign_keys = _by_table(inspector.get_multi_foreign_keys())
        uniques = _by_table(inspector.get_multi_unique_constraints())
        indexes = _by_table(inspector.get_multi_indexes())
        checks = _by_table(inspector.get_multi_check_constraints())
        tables = {}
        for table in sorted(set(columns) - set(exclude)):
            tables[table] = {
                "columns": {c["name"]: {"type": c["type"].compile(dialect=engine.dialect),
                                        "nullable": c["nullable"],
                                        "default": _text(c.get("default")),
                                        "autoincrement": _text(c.get("autoincrement"))}
                            for c in columns[table]},
                "primary_key": _text(primary_keys[table]["constrained_columns"]),
                "foreign_keys": _picked(foreign_keys[table], (
                    "constrained_columns", "referred_table", "referred_columns", "options")),
                "unique": _picked(uniques[table], ("column_names",)),
                "indexes": _picked(indexes[table], (
                    "name", "column_names", "unique", "dialect_options", "expressions")),
                "checks": _picked(checks[table], ("sqltext",)),
            }
        sequences = (sorted(inspector.get_sequence_names())
                     if engine.dialect.name == "postgresql" else [])
        return {"tables": tables, "sequences": sequences}
    finally:
        engine.dispose()
