"""``SqlStore``: the ``Store`` interface over SQLAlchemy Core.

The operations live in one mixin per concern (journal, projects, releases,
files, classifiers, accounts); this module puts them together and owns the
schema and the engine's lifetime.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Engine

from ..errors import SchemaMissing
from ..interface import Store
from .accounts import AccountsMixin
from .classifiers import ClassifiersMixin
from .files import FilesMixin
from .journal import JournalMixin
from .listings import ListingsMixin
from .migration import MigrationMixin
from .mirrors import MirrorsMixin
from .projects import ProjectsMixin
from .registration import RegistrationMixin
from .release_flags import ReleaseFlagsMixin
from .releases import ReleasesMixin
from .search import SearchMixin
from .sessions import SessionsMixin
from .tables import metadata


class SqlStore(JournalMixin, ProjectsMixin, ReleasesMixin, FilesMixin, ClassifiersMixin,
               SearchMixin, AccountsMixin, MirrorsMixin, RegistrationMixin, SessionsMixin,
               ReleaseFlagsMixin, ListingsMixin, MigrationMixin, Store):
    """Metadata in SQLite, MySQL/MariaDB or PostgreSQL, in legacy PyPI's tables.

    ``engine`` comes from ``engine.make_engine``, which configures the locking
    the writers rely on. The store owns the engine and disposes of it on close.
    """

    def __init__(self, engine: Engine):
        self._init_transactions(engine)

    @property
    def engine(self) -> Engine:
        return self._engine

    def create_schema(self) -> None:
        """Create the missing tables and the serial counter row; idempotent.

        On a legacy database this adds only the new tables (and never new
        columns to existing ones: that is for migrations); the counter then
        continues from the highest journal id.
        """
        metadata.create_all(self._engine)
        with self._writer.begin() as conn:
            self._seed_serial(conn)

    def missing_tables(self) -> list[str]:
        """The tables of the schema the database lacks (one catalogue query)."""
        with self._read() as conn:
            present = set(sa.inspect(conn).get_table_names())
        return sorted(set(metadata.tables) - present)

    def check_schema(self) -> None:
        """Raise ``SchemaMissing`` unless every table exists."""
        missing = self.missing_tables()
        if missing:
            where = self._engine.url.render_as_string(hide_password=True)
            raise SchemaMissing(f"{where} lacks the tables {', '.join(missing)}; "
                                f"create them with `pypi initdb`")

    def close(self) -> None:
        self._engine.dispose()
