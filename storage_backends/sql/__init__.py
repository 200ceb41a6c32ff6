"""The SQL backend: SQLite, MySQL/MariaDB and PostgreSQL through SQLAlchemy Core."""
from __future__ import annotations

from .engine import make_engine, normalize_url
from .store import SqlStore

__all__ = ["SqlStore", "make_engine", "normalize_url", "open_sql_store"]


def open_sql_store(url: str, create: bool = False) -> SqlStore:
    """Open the store at ``url``, creating the schema first when ``create``.

    Raises ``ServiceUnavailable`` when the database does not answer and
    ``SchemaMissing`` when its tables do not exist (and ``create`` is false).
    """
    store = SqlStore(make_engine(url))
    try:
        if create:
            store.create_schema()
        store.check_schema()
    except BaseException:
        store.close()
        raise
    return store
