"""The reads every request makes, on a database connection each thread keeps.

A page served from the cache (``legacy/page_cache.py``) costs one read of a
serial: ``last_serial`` or ``project_serial``. Through a pooled SQLAlchemy
connection that read costs more than serving the page: the check-out, the
``BEGIN`` the engine issues and the rollback at the end (about 90 µs on
SQLite), plus the pool's pre-ping round trip on PostgreSQL and MariaDB. On a
DBAPI connection that stays with its thread, in autocommit, it costs a few µs
on SQLite and one round trip on a server. Each read here is one statement,
which is its own snapshot, so autocommit gives up no consistency. A connection
that fails is dropped, and the statement is tried once more on a new one.
"""
from __future__ import annotations

import logging
import threading
from collections import namedtuple
from datetime import datetime
from typing import Callable, Iterator

from sqlalchemy import DateTime, Engine, Table, and_, bindparam, func, select
from sqlalchemy.sql import Select

from ..errors import ServiceUnavailable
from ..ordering import normalize_name
from ..records import FileRecord, IndexPage, ProjectName, ReleaseOrder
from .engine import is_sqlite_file
from .journal import NOT_LOOKED_UP
from .project_serials import ProjectSerials
from .tables import SERIAL_ROW_ID, journals, packages, pypi_serial, release_files, releases

SERIAL = select(pypi_serial.c.value).where(pypi_serial.c.id == SERIAL_ROW_ID)
SPELLINGS = select(packages.c.name, packages.c.last_serial).where(
    packages.c.pep503_name == bindparam("key"))
PROJECT_JOURNAL_END = select(func.max(journals.c.id)).where(journals.c.name == bindparam("name"))
# In ``list_projects`` order as far as the database's lower() and collation agree with Python's.
NAMES = (select(packages.c.name, packages.c.pep503_name, packages.c.last_serial)
         .order_by(func.lower(packages.c.name), packages.c.name))
# Exactly in that order on SQLite: PYTHON_LOWER is str.lower, and SQLite compares text by code
# point as Python does (SQLite's own lower() changes only ASCII letters).
PYTHON_LOWER = "pypi_python_lower"
NAMES_SQLITE = (select(packages.c.name, packages.c.pep503_name, packages.c.last_serial)
                .order_by(getattr(func, PYTHON_LOWER)(packages.c.name), packages.c.name))
DOWNLOADS = select(func.coalesce(func.sum(release_files.c.downloads), 0)).where(
    release_files.c.name == bindparam("name"))
JOURNAL_TIME = select(journals.c.submitted_date).where(journals.c.id == bindparam("serial"))
# A project's releases with their files, in one statement (one snapshot).
INDEX = (select(releases.c.version, releases.c._pypi_ordering, releases.c._pypi_hidden,
                *release_files.c)
         .select_from(releases.outerjoin(release_files, and_(
             release_files.c.name == releases.c.name,
             release_files.c.version == releases.c.version)))
         .where(releases.c.name == bindparam("name")))
# ``index_page``: the project's spelling and serial, that serial's journal time and INDEX's
# rows, in one statement; a project without releases gives one row of NULLs after the third.
PAGE = (select(packages.c.name, packages.c.last_serial, journals.c.submitted_date,
               releases.c.version, releases.c._pypi_ordering, releases.c._pypi_hidden,
               *release_files.c)
        .select_from(packages
                     .outerjoin(journals, journals.c.id == packages.c.last_serial)
                     .outerjoin(releases, releases.c.name == packages.c.name)
                     .outerjoin(release_files, and_(
                         release_files.c.name == releases.c.name,
                         release_files.c.version == releases.c.version)))
        .where(packages.c.pep503_name == bindparam("key")))
log = logging.getLogger(__name__)
_SERIALS_LOCK = threading.Lock()
ROWS_PIECE = 4096   # rows fetched at a time by ThreadConnections.converted_rows


class ThreadConnections:
    """One autocommit DBAPI connection per thread, outside the engine's pool."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._local = threading.local()
        self._opened: list = []
        self._lock = threading.Lock()
        self._compiled: dict[int, tuple[str, tuple[str, ...] | None, dict]] = {}

    def rows(self, statement: Select, **params) -> list[tuple]:
        return self.converted_rows(statement, None, **params)

    def converted_rows(self, statement: Select, convert: Callable[[list], list] | None,
                       **params) -> list:
        """The rows, each piece of ``ROWS_PIECE`` passed through ``convert`` as it is
        fetched: a result the size of the index then never exists twice over, as
        the driver's rows and the records made from them."""
        sql, args = self._bound(statement, params)
        errors = self._engine.dialect.loaded_dbapi
        for attempt in (1, 2):
            connection = self._connection()
            try:
                cursor = connection.cursor()
                try:
                    cursor.execute(sql, args)
                    if convert is None:
                        return cursor.fetchall()
                    converted = []
                    while piece := cursor.fetchmany(ROWS_PIECE):
                        converted += convert(piece)
                    return converted
                finally:
                    cursor.close()
            except errors.Error as err:
                self._drop(connection)
                if attempt == 2 and isinstance(err, errors.OperationalError):
                    raise ServiceUnavailable(f"database read failed: {err}") from err
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def streamed(self, statement: Select, size: int, **params) -> Iterator[list[tuple]]:
        """The rows in lists of at most ``size`` as the driver fetches them; a failure before
        the first list is tried once more on a new connection, a later one raises."""
        sql, args = self._bound(statement, params)
        errors = self._engine.dialect.loaded_dbapi
        for attempt in (1, 2):
            connection, yielded = self._connection(), False
            try:
                cursor = connection.cursor()
                try:
                    cursor.execute(sql, args)
                    while piece := cursor.fetchmany(size):
                        yielded = True
                        yield piece
                    return
                finally:
                    cursor.close()
            except errors.Error as err:
                self._drop(connection)
                if yielded or attempt == 2:
                    if isinstance(err, errors.OperationalError):
                        raise ServiceUnavailable(f"database read failed: {err}") from err
                    raise

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            try:
                connection.close()
            except Exception:   # closing at shutdown: a dead connection is no error
                pass

    def _bound(self, statement: Select, params: dict) -> tuple[str, tuple | dict]:
        sql, order, defaults = self._compile(statement)
        values = {**defaults, **params}
        return sql, tuple(values[name] for name in order) if order is not None else values

    def _compile(self, statement: Select) -> tuple[str, tuple[str, ...] | None, dict]:
        """SQL text in the driver's parameter style, the parameter order when positional,
        and the values bound in the statement itself."""
        found = self._compiled.get(id(statement))
        if found is None:
            compiled = statement.compile(dialect=self._engine.dialect)
            order = tuple(compiled.positiontup) if compiled.positional else None
            found = self._compiled[id(statement)] = (str(compiled), order, dict(compiled.params))
        return found

    def _connection(self):
        connection = getattr(self._local, "connection", None)
        if connection is None:
            pooled = self._engine.raw_connection()
            pooled.detach()      # ours until closed, never returned to the pool
            connection = pooled.dbapi_connection
            self._engine.dialect.set_isolation_level(connection, "AUTOCOMMIT")
            if self._engine.dialect.name == "sqlite":
                connection.create_function(PYTHON_LOWER, 1, str.lower, deterministic=True)
            with self._lock:
                self._opened.append(connection)
            self._local.connection = connection
        return connection

    def _drop(self, connection) -> None:
        self._local.connection = None
        with self._lock:
            if connection in self._opened:
                self._opened.remove(connection)
        try:
            connection.close()
        except Exception:   # it failed already; closing is a courtesy
            pass


def thread_connections_for(engine: Engine) -> ThreadConnections | None:
    """None for an in-memory SQLite database, which a second connection would not see."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and not is_sqlite_file(url):
        return None
    return ThreadConnections(engine)


class FastReadsMixin:
    """The reads of the index pages (``last_serial``, ``project_serial``, ``list_project_names``,
    ``index_listing``, ``journal_time``) on ``ThreadConnections``.

    Where a legacy process may share the database (a legacy journal sequence,
    see ``JournalMixin._legacy_sequence``) it journals without raising
    ``packages.last_serial``, so a project's key then also takes its newest
    journal row.
    """

    _reads: ThreadConnections | None
    _serials: ProjectSerials | None | object = NOT_LOOKED_UP
    _serial_seen: tuple[object, int] = (None, 0)   # (change token taken before, serial read)

    def last_serial(self) -> int:
        """Read again only after a commit, where a change token tells."""
        if self._reads is None or self._shared_with_legacy():
            return super().last_serial()
        token = self.change_token()
        seen_under, seen = self._serial_seen
        if token is not None and token == seen_under:
            return seen
        found = self._reads.rows(SERIAL)
        serial = (found[0][0] if found else 0) or 0
        self._serial_seen = (token, serial)
        return serial

    def project_serial(self, name: str) -> tuple[str, int] | None:
        if self._reads is None:
            return super().project_serial(name)
        try:
            serials = self._project_serials()
            known = serials.get(name, self.change_token()) if serials is not None else None
        except Exception:   # a shortcut only: the statement below still answers
            log.warning("project serials in memory failed; reading %r", name, exc_info=True)
            known = None
        if known is not None:
            return known
        rows = self._reads.rows(SPELLINGS, key=normalize_name(name))
        if not rows:   # or only in rows a legacy process made without the PEP 503 form
            return super().project_serial(name)
        chosen = next((row for row in rows if row[0] == name), None) or min(rows)
        serial = chosen[1] or 0
        if self._shared_with_legacy():
            newest = self._reads.rows(PROJECT_JOURNAL_END, name=chosen[0])
            serial = max(serial, newest[0][0] or 0)
        return chosen[0], serial

    def list_project_names(self) -> list[ProjectName]:
        if self._reads is None:
            return super().list_project_names()
        if self._sorts_like_python():
            return self._reads.converted_rows(NAMES_SQLITE, _project_names)
        projects = self._reads.converted_rows(NAMES, _project_names)
        # Sorting plain tuples by their first two items is several times faster than by a key.
        keyed = [(project.name.lower(), project.name, project) for project in projects]
        keyed.sort()
        return [project for _, _, project in keyed]

    def project_name_pieces(self, size: int) -> Iterator[list[ProjectName]]:
        if self._reads is None or not self._sorts_like_python():
            yield from super().project_name_pieces(size)
            return
        for piece in self._reads.streamed(NAMES_SQLITE, size):
            yield _project_names(piece)

    def project_downloads(self, name: str) -> int:
        if self._reads is None:
            return super().project_downloads(name)
        return int(self._reads.rows(DOWNLOADS, name=name)[0][0] or 0)

    def journal_time(self, serial: int) -> datetime | None:
        if self._reads is None:
            return super().journal_time(serial)
        found = self._reads.rows(JOURNAL_TIME, serial=serial)
        return stored_datetime(found[0][0]) if found else None

    def index_listing(self, name: str) -> tuple[list[ReleaseOrder], list[FileRecord]]:
        if self._reads is None:
            return super().index_listing(name)
        return _listing(self._reads.rows(INDEX, name=name))

    def index_page(self, name: str) -> IndexPage | None:
        """One statement where ``project_serial`` would read one spelling and no legacy
        journal; the general way (three reads) otherwise."""
        if self._reads is None or self._shared_with_legacy():
            return super().index_page(name)
        rows = self._reads.rows(PAGE, key=normalize_name(name))
        if not rows or any(row[0] != rows[0][0] for row in rows):
            # unknown, only in legacy rows without pep503_name, or two spellings of one name
            return super().index_page(name)
        spelling, serial, submitted = rows[0][:3]
        releases, files = _listing([row[3:] for row in rows if row[3] is not None])
        return IndexPage(spelling, serial or 0, releases, files, stored_datetime(submitted))

    def _project_serials(self) -> ProjectSerials | None:
        """Every project's serial in memory, where a change token keeps it current (SQLite in
        a file, or a server database with a change counter) and no legacy process journals
        beside us."""
        if self._serials is NOT_LOOKED_UP:
            with _SERIALS_LOCK:    # one map per store, however many threads ask first
                if self._serials is NOT_LOOKED_UP:
                    self._serials = (
                        ProjectSerials(self._reads, self.change_token, self.last_serial,
                                       lambda key: self._reads.rows(SPELLINGS, key=key))
                        if self.change_token() is not None and not self._shared_with_legacy()
                        else None)
        return self._serials

    def _close_project_serials(self) -> None:
        if self._serials not in (None, NOT_LOOKED_UP):
            self._serials.close()

    def _sorts_like_python(self) -> bool:
        """SQLite reads ``NAMES_SQLITE`` in ``list_projects`` order (sorting again in Python
        would cost 0.1 to 0.2 s at 100k projects); server databases sort ``NAMES`` by their
        collation, so those rows are sorted again here."""
        return self.engine.dialect.name == "sqlite"

    def _shared_with_legacy(self) -> bool:
        if self._journal_sequence is NOT_LOOKED_UP:
            with self._read() as conn:
                self._legacy_sequence(conn)
        return self._journal_sequence is not None


def _project_names(rows: list[tuple]) -> list[ProjectName]:
    """Where the PEP 503 name is spelt as the name (most projects), one string serves both."""
    return [ProjectName(name, name if pep503 == name else pep503 or normalize_name(name),
                        serial or 0) for name, pep503, serial in rows]


def _listing(rows) -> tuple[list[ReleaseOrder], list[FileRecord]]:
    """``index_listing`` from INDEX's rows: releases newest first, files by name."""
    orders: dict[str, ReleaseOrder] = {}
    files = []
    for version, ordering, hidden, *columns in rows:
        orders[version] = ReleaseOrder(version, ordering or 0, bool(hidden))
        if columns[0] is not None:   # the file's id: a release without files has none
            row = FILE_ROWS(columns)
            files.append(FileRecord.from_stored(row, row.filename))
    ordered = sorted(orders.values(), key=lambda release: release.ordering, reverse=True)
    return ordered, sorted(files, key=lambda record: record.filename)


def stored_datetime(value) -> datetime | None:
    """Drivers return datetimes; SQLite's text (as SQLAlchemy wrote it) is parsed here."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


class DriverRows:
    """Driver tuples of one table as rows with column attributes, datetimes parsed (SQLite
    hands back text)."""

    def __init__(self, table: Table):
        self.row = namedtuple(f"_{table.name}_row", [column.name for column in table.c])
        self.times = [column.name for column in table.c
                      if isinstance(column.type, DateTime)]

    def __call__(self, values: tuple):
        row = self.row(*values)
        return row._replace(**{name: stored_datetime(getattr(row, name)) for name in self.times})


FILE_ROWS = DriverRows(release_files)
