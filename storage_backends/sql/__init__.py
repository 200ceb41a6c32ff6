"""The SQL backend: SQLite, MySQL/MariaDB and PostgreSQL through SQLAlchemy Core."""
from __future__ import annotations

from .change_counter import ChangeCounter
from .engine import make_engine, normalize_url
from .store import SqlStore

__all__ = ["SqlStore", "downgrade_database", "make_engine", "normalize_url", "open_sql_store",
           "upgrade_database"]


def open_sql_store(url: str, create: bool = False, change_counter=None) -> SqlStore:
    """Open the store at ``url``; with ``create``, first migrate it to the newest revision
    (which leaves it current), else check that it is current. ``change_counter``: the path
    of the file that every writer of a server database on this host counts its writes in
    (``change_counter.py``); ignored on SQLite.

    Raises ``ChangeCounterUnusable`` for a counter path that cannot be used,
    ``ServiceUnavailable`` when the database does not answer, ``SchemaMissing`` when
    its tables do not exist (and ``create`` is false), ``SchemaOutdated`` or ``UnknownSchema``.
    """
    counter = _change_counter(url, change_counter)   # a bad path is refused before connecting
    try:
        engine = make_engine(url)
    except BaseException:
        if counter is not None:
            counter.close()
        raise
    store = SqlStore(engine, counter)
    try:
        if create:
            store.create_schema()
        else:
            store.check_schema()
    except BaseException:
        store.close()
        raise
    return store


def _change_counter(url: str, path) -> ChangeCounter | None:
    """The counter at ``path`` for a server database; SQLite has its WAL index instead."""
    if path is None or normalize_url(url).get_backend_name() == "sqlite":
        return None
    return ChangeCounter(path)


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
