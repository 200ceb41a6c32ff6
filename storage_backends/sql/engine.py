"""Engines for the three supported databases, configured for concurrent writers.

Every writer of the SQL store locks the one-row serial counter first, so
writes are serialised and serials follow commit order (see ``transactions``).
What each database needs for that:

* SQLite (the embedded default, served by several waitress threads): WAL so
  readers never block the writer; a busy timeout so a writer waits for the
  lock instead of failing; and ``BEGIN IMMEDIATE`` for write transactions.
  A deferred transaction that reads and then writes cannot upgrade its lock
  while another writer holds it and fails with "database is locked" whatever
  the timeout, so writes take the write lock up front. pysqlite's own
  transaction handling is switched off and SQLAlchemy's ``begin`` event
  issues the ``BEGIN`` instead.
* MySQL/MariaDB through PyMySQL, utf8mb4, READ COMMITTED: every statement of
  a writer sees what committed before it, after it waited for the counter.
* PostgreSQL through psycopg 3 (READ COMMITTED by default, for the same reason).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url

from ..errors import ServiceUnavailable

SQLITE_BUSY_TIMEOUT_S = 30
CONNECT_TIMEOUT_S = 10
# Execution option a write transaction sets; only SQLite looks at it.
WRITE_OPTION = "pypi_write"

_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg",
            "mysql": "mysql+pymysql", "mariadb": "mariadb+pymysql"}
# The setup.py extra that brings each backend's driver.
_EXTRAS = {"postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql"}


def normalize_url(url: str | sa.URL) -> sa.URL:
    """Parse ``url``, choosing our drivers for plain ``postgresql://``/``mysql://``."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as err:
        raise ValueError(f"not a database URL: {err}") from None
    if parsed.drivername in _DRIVERS:
        parsed = parsed.set(drivername=_DRIVERS[parsed.drivername])
    if parsed.get_backend_name() in ("mysql", "mariadb") and "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return parsed


def is_sqlite_file(url: sa.URL) -> bool:
    """An SQLite database in a file (not in memory), which other connections and processes
    can open too."""
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


def make_engine(url: str | sa.URL, *, check: bool = True) -> Engine:
    """An engine for ``url``; with ``check``, connect once now.

    Raises ``ImportError`` naming the extra to install when the driver is
    missing, ``ValueError`` for a database we do not support, and
    ``ServiceUnavailable`` (naming the URL without its password) when the
    server does not answer, so a misconfigured server fails at start-up, not on
    the first request.
    """
    parsed = normalize_url(url)
    try:
        engine = _create_engine(parsed)
    except ModuleNotFoundError as err:
        extra = _EXTRAS.get(parsed.get_backend_name(), parsed.get_backend_name())
        raise ImportError(f"the database URL {parsed.drivername}:// needs the module "
                          f"{err.name!r}: install the {extra!r} extra") from err
    if check:
        check_connection(engine)
    return engine


def _create_engine(parsed: sa.URL) -> Engine:
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = _sqlite_engine(parsed)
    elif backend in ("mysql", "mariadb"):
        engine = sa.create_engine(
            parsed, pool_pre_ping=True, pool_recycle=3600,
            isolation_level="READ COMMITTED",
            connect_args={"connect_timeout": CONNECT_TIMEOUT_S})
    elif backend == "postgresql":
        engine = sa.create_engine(
            parsed, pool_pre_ping=True,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_S})
    else:
        raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}")
    return engine


def check_connection(engine: Engine) -> None:
    """Connect once; raise ``ServiceUnavailable`` when that fails."""
    try:
        with engine.connect():
            pass
    except sa.exc.DBAPIError as err:
        engine.dispose()
        where = engine.url.render_as_string(hide_password=True)
        reason = str(err.orig).strip().splitlines()[0] if err.orig else str(err)
        raise ServiceUnavailable(f"cannot connect to {where}: {reason}") from err


# SQLite keeps up to 2 MB of pages per connection by default, and a server has one connection
# per thread besides the pool's, each filling its own copy of pages the kernel's page cache holds
# anyway. Serving, 512 KiB each: about 6 MB less at the peak at 100k projects, no slower. Bulk
# loads and migrations keep the default, which their inserts want.
SERVING_CACHE_KIB = 512


def use_serving_page_cache(engine: Engine) -> None:
    """Connections made from now on keep ``SERVING_CACHE_KIB`` of pages (SQLite)."""
    event.listen(engine, "connect", _serving_page_cache)


def _serving_page_cache(dbapi_connection, _record) -> None:
    dbapi_connection.execute(f"PRAGMA cache_size=-{SERVING_CACHE_KIB}")


def _sqlite_engine(url: sa.URL) -> Engine:
    engine = sa.create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN, not pysqlite.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; fewer fsyncs
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection):
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine
