"""Fresh, empty stores for tests, one per backend name; no pytest in here.

The storage conformance suite, and later the handler and client tests, open
their stores through ``open_test_store`` so every suite can run on every
backend:

* ``sqlite``: a new database file in the test's ``tmp_path``.
* ``gae``: the SDK's datastore stub on a new file in the test's ``tmp_path``.
* ``mariadb`` / ``postgresql``: one database per test process, named
  ``pypi_test_<xdist worker id or "main">_<pid>``, created (dropped first if a
  crashed run left it) on first use, emptied before each test (serial counter
  back to 0) and dropped by ``drop_test_databases`` at the end of the session.

The servers' admin URLs (no database part) default to the local servers and
can be overridden with ``PYPI_TEST_POSTGRESQL_URL`` and ``PYPI_TEST_MYSQL_URL``.
A server that does not answer raises ``ServiceUnavailable``, remembered so
that later tests fail fast instead of waiting for a timeout again.
"""
from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

from storage_backends.errors import ServiceUnavailable
from storage_backends.sql import SqlStore, normalize_url, open_sql_store
from storage_backends.sql.engine import check_connection
from storage_backends.sql.tables import SERIAL_ROW_ID, metadata, pypi_serial

BACKENDS = ("sqlite", "mariadb", "postgresql", "gae")
SERVER_URL_ENV = {"postgresql": "PYPI_TEST_POSTGRESQL_URL", "mariadb": "PYPI_TEST_MYSQL_URL"}
DEFAULT_SERVER_URLS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/?charset=utf8mb4",
}


def worker_id() -> str:
    """The pytest-xdist worker (``gw0``, ...) or ``main`` without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def server_admin_url(backend: str) -> sa.URL:
    return normalize_url(os.environ.get(SERVER_URL_ENV[backend]) or DEFAULT_SERVER_URLS[backend])


class ServerDatabases:
    """The test databases this process made on the servers."""

    def __init__(self, worker: str):
        # the process id keeps concurrent pytest runs on one machine out of each other's way
        self.database = f"pypi_test_{worker}_{os.getpid()}"
        self._urls: dict[str, sa.URL] = {}
        self._unavailable: dict[str, ServiceUnavailable] = {}

    def open_store(self, backend: str) -> SqlStore:
        """An empty store in this process's database on ``backend``'s server."""
        if backend in self._unavailable:
            raise self._unavailable[backend]
        try:
            url = self._urls.get(backend)
            if url is None:
                url = self._urls[backend] = self._create_database(backend)
                return open_sql_store(url.render_as_string(hide_password=False), create=True)
            store = open_sql_store(url.render_as_string(hide_password=False))
        except ServiceUnavailable as err:
            self._unavailable[backend] = err
            raise
        empty_store(store)
        return store

    def drop_all(self) -> None:
        for backend in list(self._urls):
            engine = _admin_engine(backend)
            try:
                with engine.connect() as conn:
                    conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quoted(conn, self.database)}")
            finally:
                engine.dispose()
            del self._urls[backend]

    def _create_database(self, backend: str) -> sa.URL:
        engine = _admin_engine(backend)
        try:
            check_connection(engine)
            with engine.connect() as conn:
                name = _quoted(conn, self.database)
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
                if backend == "mariadb":
                    conn.exec_driver_sql(f"CREATE DATABASE {name} "
                                         "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
                else:
                    conn.exec_driver_sql(f"CREATE DATABASE {name} ENCODING 'UTF8'"
                                         " TEMPLATE template0")
        finally:
            engine.dispose()
        return server_admin_url(backend).set(database=self.database)


def _admin_engine(backend: str) -> sa.Engine:
    url = server_admin_url(backend)
    if backend == "postgresql" and not url.database:
        url = url.set(database="postgres")
    return sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool,
                            connect_args={"connect_timeout": 5})


def _quoted(conn: sa.Connection, identifier: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(identifier)


def empty_store(store: SqlStore) -> None:
    """Delete every row (children first) and reset the serial counter to 0."""
    with store.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table is not pypi_serial:
                conn.execute(table.delete())
        conn.execute(pypi_serial.update().where(pypi_serial.c.id == SERIAL_ROW_ID)
                     .values(value=0))


_databases: dict[str, ServerDatabases] = {}


def open_test_store(backend: str, tmp_path: Path) -> SqlStore:
    """A fresh, empty store on ``backend`` (one of ``BACKENDS``).

    Raises ``ServiceUnavailable`` when the backend's server does not answer.
    The caller closes the store.
    """
    if backend == "sqlite":
        return open_sql_store(f"sqlite:///{Path(tmp_path) / 'pypi.db'}", create=True)
    if backend == "gae":
        return open_gae_test_store(tmp_path)
    if backend not in SERVER_URL_ENV:
        raise ValueError(f"unknown backend {backend!r}; expected one of {BACKENDS}")
    worker = worker_id()
    if worker not in _databases:
        _databases[worker] = ServerDatabases(worker)
    return _databases[worker].open_store(backend)


def open_gae_test_store(tmp_path: Path):
    """The ndb store on the SDK's datastore stub, in a fresh file in ``tmp_path``.

    A missing SDK (the ``gae`` extra) is reported as ``ServiceUnavailable``,
    so the tests skip unless services are required.
    """
    try:
        from storage_backends.gae import open_gae_store
        return open_gae_store(Path(tmp_path) / "datastore.pickle", create=True)
    except ImportError as err:
        raise ServiceUnavailable(f"the App Engine SDK is not installed: {err}") from None


def drop_test_databases() -> None:
    """Drop the server databases this process created; call once at the end."""
    for databases in _databases.values():
        databases.drop_all()
    _databases.clear()
