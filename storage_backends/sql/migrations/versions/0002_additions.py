"""Additive: what this server needs beyond legacy PyPI's schema, added where missing.

Only adds (tables, nullable or defaulted columns, indexes) and fills the added
columns, so a legacy process sharing the database reads and writes it as before.
Each addition is recorded in ``pypi_schema_additions``; the downgrade removes
exactly those, whichever of them this database lacked.

The lists below are this revision's, frozen: a later change to the schema gets
a revision of its own.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from storage_backends.ordering import normalize_name
from storage_backends.sql.tables import SERIAL_ROW_ID, metadata

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Columns legacy PyPI itself added over the years (a database from before them
# lacks them), then this server's own.
ADDED_COLUMNS = {
    "packages": ("bugtrack_url", "hosting_mode", "created", "last_serial", "has_docs",
                 "allow_legacy_files", "pep503_name"),
    "releases": ("requires_python", "description_from_readme", "created", "metadata_version",
                 "description_content_type", "license_expression"),
    "release_dependencies": ("id",),
    "release_files": ("id", "upload_time", "sha256_digest", "blake2_256_digest", "size",
                      "has_signature", "path", "requires_python", "metadata_sha256"),
    "journals": ("id",),
}
ADDED_TABLES = ("pypi_serial", "pypi_migration", "password_reset_keys", "login_failures")
# Row ids a legacy table lacks: added as auto-numbered primary keys, which also
# numbers the rows already there (journals: as legacy did when it added serials).
ROW_IDS = {"release_dependencies", "release_files", "journals"}
RECORD = "pypi_schema_additions"


def upgrade() -> None:
    bind = op.get_bind()
    metadata.tables[RECORD].create(bind, checkfirst=True)
    tables = set(sa.inspect(bind).get_table_names())
    for name in ADDED_TABLES:
        if name not in tables:
            metadata.tables[name].create(bind)
            _record("table", name, name)
    for table_name, columns in ADDED_COLUMNS.items():
        present = {c["name"] for c in sa.inspect(bind).get_columns(table_name)}
        for column in columns:
            if column not in present:
                _add_column(bind, table_name, column)
                _record("column", table_name, column)
        indexes = {i["name"] for i in sa.inspect(bind).get_indexes(table_name)}
        for index in metadata.tables[table_name].indexes:
            if index.name not in indexes and any(c.name in columns for c in index.columns):
                index.create(bind)
                _record("index", table_name, index.name)
    _fill(bind)


def downgrade() -> None:
    bind = op.get_bind()
    record = metadata.tables[RECORD]
    added = bind.execute(sa.select(record)).all()
    for kind in ("index", "column"):
        for row in added:
            if row.kind == kind == "index":
                op.drop_index(row.name, table_name=row.table_name)
            elif row.kind == kind == "column":
                op.drop_column(row.table_name, row.name)
    dropped = {row.name for row in added if row.kind == "table"}
    for table in reversed(metadata.sorted_tables):
        if table.name in dropped:
            table.drop(bind)
    record.drop(bind)


def _add_column(bind, table_name: str, column_name: str) -> None:
    dialect = bind.dialect.name
    if column_name == "id" and table_name in ROW_IDS:
        if dialect == "postgresql":
            op.execute(f"ALTER TABLE {table_name} ADD COLUMN id SERIAL PRIMARY KEY")
        elif dialect in ("mysql", "mariadb"):
            op.execute(f"ALTER TABLE {table_name} "
                       f"ADD COLUMN id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY")
        else:
            raise RuntimeError(f"{dialect} cannot add a primary key to {table_name}")
        return
    column = metadata.tables[table_name].c[column_name]
    op.add_column(table_name, column._copy())


def _record(kind: str, table_name: str, name: str) -> None:
    op.get_bind().execute(metadata.tables[RECORD].insert().values(
        kind=kind, table_name=table_name, name=name))


def _fill(bind) -> None:
    """Values the added columns need for rows that were already there."""
    packages, journals = metadata.tables["packages"], metadata.tables["journals"]
    missing = bind.execute(sa.select(packages.c.name).where(packages.c.pep503_name.is_(None)))
    rows = [{"key": name, "form": normalize_name(name)} for name in missing.scalars()]
    if rows:
        bind.execute(sa.update(packages).where(packages.c.name == sa.bindparam("key"))
                     .values(pep503_name=sa.bindparam("form")), rows)
    newest = (sa.select(sa.func.max(journals.c.id)).where(journals.c.name == packages.c.name)
              .scalar_subquery())
    bind.execute(sa.update(packages).where(packages.c.last_serial.is_(None))
                 .values(last_serial=sa.func.coalesce(newest, 0)))
    serial = metadata.tables["pypi_serial"]
    if bind.execute(sa.select(serial.c.id)).first() is None:
        highest = bind.execute(sa.select(sa.func.max(journals.c.id))).scalar() or 0
        bind.execute(serial.insert().values(id=SERIAL_ROW_ID, value=highest))
