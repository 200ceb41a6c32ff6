"""The SQL backend: SQLite, MySQL/MariaDB and PostgreSQL through SQLAlchemy Core."""
from __future__ import annotations

from .engine import make_engine, normalize_url
from .store import SqlStore

__all__ = ["SqlStore", "downgrade_database", "make_engine", "normalize_url", "open_sql_store",
           "upgrade_database"]


def open_sql_store(url: str, create: bool = False, change_counter=None) -> SqlStore:
    """Open the store at ``url``; with ``create``, first migrate it to the newest revision
    (which leaves it current), else check that it is current. ``change_counter``: see
    ``SqlStore``.

    Raises ``ServiceUnavailable`` when the database does not answer, ``SchemaMissing`` when
    its tables do not exist (and ``create`` is false), ``SchemaOutdated`` or ``UnknownSchema``.
    """
    store = SqlStore(make_engine(url), change_counter)
    try:
        if create:
            store.create_schema()
        else:
            store.check_schema()
    except BaseException:
        store.close()
        raise
    return store


def upgrade_database(url: str):
    """``pypi upgradedb``: migrate any known shape, legacy PyPI's included, to the newest
    revision. Returns the ``schema.State`` found and the revision now."""
    store = SqlStore(make_engine(url))
    try:
        return store.create_schema(legacy=True)
    finally:
        store.close()


def downgrade_database(url: str):
    """``pypi downgradedb``: remove what ``upgrade_database`` added to a legacy database."""
    store = SqlStore(make_engine(url))
    try:
        return store.downgrade_schema()
    finally:
        store.close()
