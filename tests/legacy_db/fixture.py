"""A legacy PyPI database on PostgreSQL or MariaDB, for the upgrade tests.

``create_legacy_database`` makes a fresh database on a test server and loads
the schema file of its dialect; ``load_legacy_data`` fills it with the
legacy-shaped index of ``sample.py`` (plain SQL, explicit ids, the serial
sequences moved past them) and writes the distribution files in the legacy
layout; ``snapshot``/``schema_snapshot`` record rows and shape so that a test
can show an upgrade changed nothing but what it added. ``legacy_database`` is
the pytest-side helper: it skips (or, with ``PYPI_TEST_REQUIRE_SERVICES=1``,
fails) when the server does not answer, as the other server tests do.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa

from storage_backends.errors import ServiceUnavailable
from storage_backends.sql.engine import check_connection, normalize_url
from tests.storage.backends import server_admin_url, worker_id

from .catalogue import LEGACY_TABLES, SERIAL_COLUMNS
from .sample import build_history
from .snapshots import schema_snapshot, snapshot

__all__ = ["LEGACY_TABLES", "LegacyData", "LegacyFile", "create_legacy_database",
           "drop_database", "legacy_database", "load_legacy_data", "schema_snapshot",
           "snapshot"]

HERE = Path(__file__).parent
SCHEMA_FILES = {"postgresql": HERE / "schema_postgresql.sql", "mysql": HERE / "schema_mysql.sql",
                "mariadb": HERE / "schema_mysql.sql"}
_numbers = itertools.count(1)


@dataclass(frozen=True)
class LegacyFile:
    project: str
    version: str
    filename: str
    python_version: str
    packagetype: str
    path: Path                  # <files_dir>/<python_version>/<first letter>/<project>/<filename>
    md5: str
    signature_path: Path | None     # the .asc beside it


@dataclass(frozen=True)
class LegacyData:
    """What tests need to know about the loaded index without reading it back."""
    url: str
    files_dir: Path
    passwords: dict[str, str]           # user -> plain password (stored as unsalted SHA-1 hex)
    emails: dict[str, str]
    admin: str                          # holds the site-wide Admin role (package_name NULL)
    unconfirmed_user: str               # has a rego_otk row
    unconfirmed_otk: str
    owners: dict[str, list[str]]        # project -> Owner user names (sorted)
    maintainers: dict[str, list[str]]
    normalized_names: dict[str, str]    # project -> packages.normalized_name
    versions: dict[str, list[str]]      # project -> versions, oldest first by _pypi_ordering
    orderings: dict[tuple[str, str], int]
    hidden: frozenset[tuple[str, str]]  # (project, version) with _pypi_hidden
    latest_visible: dict[str, str]      # project -> visible version with the highest ordering
    installable: tuple[str, str]        # (project, version) pip 23 installs offline
    installable_module: str             # the module that install provides
    files: list[LegacyFile]
    removed_project: str                # only in the journal
    removed_release: tuple[str, str]    # only in the journal
    cookies: dict[str, str]             # session cookie value -> user
    classifiers: dict[str, int]         # trove classifier -> id
    release_classifiers: dict[tuple[str, str], list[str]]
    last_serial: int                    # highest journals.id


# databases

def _admin_engine(server: sa.URL) -> sa.Engine:
    if server.get_backend_name() == "postgresql":
        server = server.set(database="postgres")
    else:
        server = server.set(database=None)
    return sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool,
                            connect_args={"connect_timeout": 5})


def _server_url(server: str | sa.URL) -> sa.URL:
    if isinstance(server, str) and server in ("postgresql", "mariadb"):
        return server_admin_url(server)
    return normalize_url(server)


def schema_statements(dialect: str) -> list[str]:
    """The statements of the dialect's schema file, comments removed."""
    text = SCHEMA_FILES[dialect].read_text()
    text = re.sub(r"--[^\n]*", "", text)
    return [statement.strip() for statement in text.split(";") if statement.strip()]


def create_legacy_database(server: str | sa.URL) -> str:
    """A new database holding the legacy schema; returns its URL.

    ``server`` is ``"postgresql"``, ``"mariadb"`` (the test servers of
    ``tests/storage/backends.py``) or a server URL. Raises
    ``ServiceUnavailable`` when the server does not answer.
    """
    server_url = _server_url(server)
    name = f"pypi_test_{worker_id()}_{os.getpid()}_legacy{next(_numbers)}"
    dialect = server_url.get_backend_name()
    admin = _admin_engine(server_url)
    try:
        check_connection(admin)
        with admin.connect() as conn:
            quoted = conn.dialect.identifier_preparer.quote_identifier(name)
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted}")
            if dialect == "postgresql":
                conn.exec_driver_sql(f"CREATE DATABASE {quoted} ENCODING 'UTF8' TEMPLATE template0")
            else:
                conn.exec_driver_sql(f"CREATE DATABASE {quoted} "
                                     "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    finally:
        admin.dispose()
    url = server_url.set(database=name)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.begin() as conn:
            for statement in schema_statements(dialect):
                conn.exec_driver_sql(statement)
    except BaseException:
        engine.dispose()
        drop_database(url)
        raise
    engine.dispose()
    return url.render_as_string(hide_password=False)


def drop_database(url: str | sa.URL) -> None:
    """Drop the database ``url`` names, even if connections to it are still open."""
    parsed = normalize_url(url)
    admin = _admin_engine(parsed)
    try:
        with admin.connect() as conn:
            quoted = conn.dialect.identifier_preparer.quote_identifier(parsed.database)
            force = " WITH (FORCE)" if parsed.get_backend_name() == "postgresql" else ""
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted}{force}")
    finally:
        admin.dispose()


@contextlib.contextmanager
def legacy_database(backend: str) -> Iterator[str]:
    """A fresh legacy-schema database on ``backend``'s test server, dropped afterwards.

    Skips the test when the server does not answer, or fails it when
    ``PYPI_TEST_REQUIRE_SERVICES=1``.
    """
    try:
        url = create_legacy_database(backend)
    except ServiceUnavailable as err:
        if os.environ.get("PYPI_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{backend} is required here: {err}")
        pytest.skip(f"{backend} not reachable: {err}")
    try:
        yield url
    finally:
        drop_database(url)


# rows and files

def _insert(conn: sa.Connection, table: str, rows: list[dict]) -> None:
    quote = conn.dialect.identifier_preparer.quote
    columns = list(rows[0])
    statement = sa.text(f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "
                        f"VALUES ({', '.join(':' + c for c in columns)})")
    conn.execute(statement, rows)


def _advance_sequences(conn: sa.Connection) -> None:
    """PostgreSQL sequences do not see explicit ids; MySQL's AUTO_INCREMENT does."""
    if conn.dialect.name != "postgresql":
        return
    for table, column in SERIAL_COLUMNS:
        conn.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence(:table, :column), max({column})) "
            f"FROM {table} HAVING max({column}) IS NOT NULL"), {"table": table, "column": column})


def load_legacy_data(url: str, files_dir: str | os.PathLike) -> LegacyData:
    """Insert the sample index into the legacy database ``url`` and write its files."""
    history, facts = build_history()
    files_dir = Path(files_dir)
    engine = sa.create_engine(normalize_url(url), poolclass=sa.NullPool)
    try:
        with engine.begin() as conn:
            for table in LEGACY_TABLES:
                if history.rows.get(table):
                    _insert(conn, table, history.rows[table])
            _advance_sequences(conn)
    finally:
        engine.dispose()
    files = []
    for stored in history.files.values():
        path = files_dir / stored.relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(stored.data)
        signature_path = None
        if stored.signature is not None:
            signature_path = path.with_name(path.name + ".asc")
            signature_path.write_bytes(stored.signature)
        files.append(LegacyFile(stored.project, stored.version, stored.filename,
                                stored.python_version, stored.packagetype, path, stored.md5,
                                signature_path))
    return _describe(url, files_dir, history, facts, files)


def _describe(url, files_dir, history, facts, files) -> LegacyData:
    rows = history.rows
    releases = sorted(rows["releases"], key=lambda r: (r["name"], r["_pypi_ordering"]))
    projects = sorted(p["name"] for p in rows["packages"])

    def holders(role: str) -> dict[str, list[str]]:
        return {p: sorted(r["user_name"] for r in rows["roles"]
                          if r["package_name"] == p and r["role_name"] == role) for p in projects}

    versions = {p: [r["version"] for r in releases if r["name"] == p] for p in projects}
    hidden = frozenset((r["name"], r["version"]) for r in releases if r["_pypi_hidden"])
    latest_visible = {p: [v for v in versions[p] if (p, v) not in hidden][-1] for p in projects}
    classifier_names = {row["id"]: row["classifier"] for row in rows["trove_classifiers"]}
    release_classifiers: dict[tuple[str, str], list[str]] = {}
    for row in rows["release_classifiers"]:
        release_classifiers.setdefault((row["name"], row["version"]), []).append(
            classifier_names[row["trove_id"]])
    name, version, module = facts.installable
    return LegacyData(
        url=url, files_dir=files_dir, passwords=dict(facts.passwords), emails=dict(facts.emails),
        admin=facts.admin, unconfirmed_user=facts.unconfirmed_user,
        unconfirmed_otk=facts.unconfirmed_otk, owners=holders("Owner"),
        maintainers=holders("Maintainer"),
        normalized_names={p["name"]: p["normalized_name"] for p in rows["packages"]},
        versions=versions,
        orderings={(r["name"], r["version"]): r["_pypi_ordering"] for r in releases},
        hidden=hidden, latest_visible=latest_visible, installable=(name, version),
        installable_module=module, files=sorted(files, key=lambda f: f.filename),
        removed_project=facts.removed_project, removed_release=facts.removed_release,
        cookies=dict(facts.cookies), classifiers={v: k for k, v in classifier_names.items()},
        release_classifiers={k: sorted(v) for k, v in release_classifiers.items()},
        last_serial=max(row["id"] for row in rows["journals"]))
