"""Which schema a database holds, and moving it between revisions with alembic.

A database is one of four shapes:

* empty: the migrations create everything (``pypi initdb``, first ``serve``);
* legacy PyPI's own (``legacy_shape``): ``pypi upgradedb`` marks it as the
  baseline revision and adds, never changes, what this code needs, so a legacy
  process can go on sharing it; ``pypi downgradedb`` removes exactly that again;
* ours before migrations existed (it has ``pypi_serial`` but no revision):
  treated like a legacy one, the additive revision finds most of it present;
* ours, at a revision recorded in ``pypi_alembic_version`` (legacy's successor
  keeps its own ``alembic_version``, which is left alone).

Anything else (other tables, an unknown revision) is refused before any write.
Every change runs in one transaction under a database-wide lock, so two
servers starting together do not both migrate.
"""
from __future__ import annotations

import enum
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..errors import SchemaMissing, SchemaOutdated, UnknownSchema
from .engine import WRITE_OPTION
from .legacy_shape import legacy_metadata

VERSION_TABLE = "pypi_alembic_version"
BASELINE = "0001"
MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK_KEY = 0x70797069  # "pypi", for PostgreSQL's advisory lock
_LOCK_NAME = "pypi_schema"
_LOCK_WAIT_S = 120

# The tables (and columns) that make a database legacy PyPI's.
LEGACY_CORE = {
    "packages": {"name", "normalized_name", "autohide"},
    "releases": {"name", "version", "_pypi_ordering", "_pypi_hidden", "summary"},
    "release_files": {"name", "version", "filename", "md5_digest", "python_version"},
    "journals": {"name", "version", "action", "submitted_date", "submitted_by"},
    "users": {"name", "password", "email"},
    "roles": {"role_name", "user_name", "package_name"},
}


class Shape(enum.Enum):
    EMPTY = "empty"
    LEGACY = "legacy PyPI"
    UNVERSIONED = "ours, from before migrations"
    VERSIONED = "ours"


@dataclass(frozen=True)
class State:
    shape: Shape
    revision: str | None


# alembic announces each of its plugins at INFO when it loads.
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
_REVISION_LINE = re.compile(r'^(revision|down_revision) = (?:"([^"]+)"|None)$', re.MULTILINE)


@lru_cache(maxsize=1)
def _revisions() -> dict[str, str | None]:
    """Each revision in ``migrations/versions`` with the one it follows.

    Read from the modules' ``revision = "..."`` lines, not through alembic's
    ``ScriptDirectory``, which would load alembic's runtime and Mako (about
    12 MB) into every server process only to learn the head at start-up.
    """
    chain: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS / "versions").glob("[0-9]*.py")):
        found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        chain[found["revision"]] = found["down_revision"] or None
    return chain


def head_revision() -> str:
    chain = _revisions()
    head, = set(chain) - set(chain.values())
    return head


def detect(conn: Connection) -> State:
    """The shape of the database behind ``conn``; ``UnknownSchema`` when it is none of ours."""
    inspector = sa.inspect(conn)
    tables = set(inspector.get_table_names())
    if VERSION_TABLE in tables:
        revision = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
        known = set(_revisions())
        if revision not in known:
            raise UnknownSchema(f"the database is at migration revision {revision!r}, which this "
                                f"version does not know (known: {', '.join(sorted(known))}); "
                                f"nothing was changed")
        return State(Shape.VERSIONED, revision)
    if not tables:
        return State(Shape.EMPTY, None)
    if "pypi_serial" in tables:
        return State(Shape.UNVERSIONED, None)
    _check_legacy(inspector, tables)
    return State(Shape.LEGACY, None)


def _check_legacy(inspector, tables: set[str]) -> None:
    if not set(LEGACY_CORE) & tables:
        shown = ", ".join(sorted(tables)[:8]) + (", ..." if len(tables) > 8 else "")
        raise UnknownSchema(f"the database is not empty and holds neither legacy PyPI's tables nor "
                            f"this server's (found: {shown}); nothing was changed")
    if "accounts_user" in tables and "users" not in tables:
        raise UnknownSchema("the database keeps its accounts in the successor's accounts_user and "
                            "accounts_email tables, not legacy PyPI's users table, which this "
                            "server reads; nothing was changed")
    needed = set(legacy_metadata(inspector.dialect.name).tables)
    missing = sorted(needed - tables)
    if missing:
        raise UnknownSchema(f"the database looks like legacy PyPI's but lacks the tables "
                            f"{', '.join(missing)}; nothing was changed")
    for table, columns in LEGACY_CORE.items():
        lacking = columns - {c["name"] for c in inspector.get_columns(table)}
        if lacking:
            raise UnknownSchema(f"the legacy table {table} lacks the columns "
                                f"{', '.join(sorted(lacking))}; nothing was changed")


def upgrade(engine: Engine, *, legacy: bool = False) -> tuple[State, str]:
    """Bring the database to the newest revision; returns the state found and the revision now.

    A legacy PyPI database is upgraded only when ``legacy`` is set (``pypi
    upgradedb``): anything else raises ``SchemaOutdated`` naming that command.
    """
    with _locked(engine) as conn:
        state = detect(conn)
        if state.shape is Shape.LEGACY and not legacy:
            raise SchemaOutdated(f"{_where(engine)} is a legacy PyPI database: `pypi upgradedb` "
                                 f"adds the columns and tables this server needs (it only adds)")
        if state.revision == head_revision():
            return state, state.revision     # the usual start: no need to load alembic's commands
        from alembic import command

        config = _alembic_config(conn)
        if state.shape in (Shape.LEGACY, Shape.UNVERSIONED):
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")
    return state, head_revision()


def downgrade_to_legacy(engine: Engine) -> State:
    """Remove everything the migrations added, leaving legacy PyPI's own shape."""
    with _locked(engine) as conn:
        state = detect(conn)
        if state.shape is not Shape.VERSIONED:
            raise SchemaOutdated(f"{_where(engine)} is {state.shape.value}, not a database "
                                 f"`pypi upgradedb` has upgraded; nothing was changed")
        from alembic import command

        command.downgrade(_alembic_config(conn), BASELINE)
        conn.execute(sa.text(f"DROP TABLE {VERSION_TABLE}"))
    return state


def check_current(engine: Engine) -> None:
    """Raise unless the database is ours at the newest revision (one small query)."""
    with engine.connect() as conn:
        state = detect(conn)
    if state.shape is Shape.EMPTY:
        raise SchemaMissing(f"{_where(engine)} lacks the tables of the index; "
                            f"create them with `pypi initdb`")
    if state.revision != head_revision():
        found = state.shape.value if state.revision is None else f"at revision {state.revision}"
        raise SchemaOutdated(f"{_where(engine)} is {found}, not at revision {head_revision()}: "
                             f"run `pypi upgradedb`")


def _alembic_config(conn: Connection):
    from alembic.config import Config as AlembicConfig  # the command layer loads slowly: only to migrate

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    config.attributes["version_table"] = VERSION_TABLE
    return config


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """One write transaction holding a database-wide lock for schema changes."""
    with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        backend = engine.dialect.name
        if backend == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        elif backend in ("mysql", "mariadb"):
            conn.execute(sa.text("SELECT GET_LOCK(:name, :wait)"),
                         {"name": _LOCK_NAME, "wait": _LOCK_WAIT_S})
        try:
            yield conn
        finally:
            if backend in ("mysql", "mariadb"):
                conn.execute(sa.text("SELECT RELEASE_LOCK(:name)"), {"name": _LOCK_NAME})


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
