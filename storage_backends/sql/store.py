"""``SqlStore``: the ``Store`` interface over SQLAlchemy Core.

The operations live in one mixin per concern (journal, projects, releases,
files, classifiers, accounts); this module puts them together and owns the
schema and the engine's lifetime.
"""
from __future__ import annotations

import threading

from sqlalchemy import Engine

from ..interface import Store
from . import schema
from .accounts import AccountsMixin
from .bulk_import import BulkImportMixin
from .change_counter import ChangeCounter
from .checkpoints import BackgroundCheckpoints
from .engine import is_sqlite_file, use_serving_page_cache
from .classifiers import ClassifiersMixin
from .digests import DigestsMixin
from .fast_reads import FastReadsMixin, thread_connections_for
from .files import FilesMixin
from .integrity import IntegrityMixin
from .journal import NOT_LOOKED_UP, JournalMixin
from .listings import ListingsMixin
from .migration import MigrationMixin
from .mirrors import MirrorsMixin
from .projects import ProjectsMixin
from .registration import RegistrationMixin
from .release_flags import ReleaseFlagsMixin
from .releases import ReleasesMixin
from .request_reads import RequestReadsMixin
from .search import SearchMixin
from .sessions import SessionsMixin
from .sqlite_changes import wal_change_watch


class SqlStore(RequestReadsMixin, FastReadsMixin, JournalMixin, ProjectsMixin, ReleasesMixin,
               FilesMixin, ClassifiersMixin,
               SearchMixin, AccountsMixin, MirrorsMixin, RegistrationMixin, SessionsMixin,
               ReleaseFlagsMixin, ListingsMixin, MigrationMixin, BulkImportMixin, DigestsMixin, IntegrityMixin, Store):
    """Metadata in SQLite, MySQL/MariaDB or PostgreSQL, in legacy PyPI's tables.

    ``engine`` comes from ``engine.make_engine``, which configures the locking
    the writers rely on. The store owns the engine and disposes of it on close.
    ``change_counter``: the file every writer of a server database on this host
    counts its writes in (``change_counter.py``), owned by the store from now on;
    ``open_sql_store`` gives none on SQLite, whose WAL index does that job.
    """

    def __init__(self, engine: Engine, change_counter: ChangeCounter | None = None):
        self._init_transactions(engine, change_counter)
        self._reads = thread_connections_for(engine)
        self._watch, self._watch_lock = NOT_LOOKED_UP, threading.Lock()
        self._checkpoints: BackgroundCheckpoints | None = None

    @property
    def engine(self) -> Engine:
        return self._engine

    def create_schema(self, *, legacy: bool = False) -> tuple[schema.State, str]:
        """Run the migrations up to the newest revision; idempotent.

        A legacy PyPI database is only upgraded with ``legacy`` (``pypi
        upgradedb``). Returns the state found and the revision now.
        """
        return schema.upgrade(self._engine, legacy=legacy)

    def downgrade_schema(self) -> schema.State:
        """Back to legacy PyPI's own shape (``pypi downgradedb``)."""
        return schema.downgrade_to_legacy(self._engine)

    def check_schema(self) -> None:
        """Raise ``SchemaMissing``/``SchemaOutdated``/``UnknownSchema`` unless at the newest revision."""
        schema.check_current(self._engine)

    def change_token(self):
        if self._watch is NOT_LOOKED_UP:
            with self._watch_lock:
                if self._watch is NOT_LOOKED_UP:
                    self._watch = self._change_watch()
        return self._watch.token() if self._watch is not None else None

    def _change_watch(self):
        url = self._engine.url
        if url.get_backend_name() == "sqlite":
            return wal_change_watch(url.database)
        if self._change_counter is not None and not self._shared_with_legacy():
            return self._change_counter   # a legacy process would commit without counting
        return None

    def begin_serving(self) -> None:
        if self._checkpoints is None and is_sqlite_file(self._engine.url):
            use_serving_page_cache(self._engine)
            # which also drops the pooled connections made before, with the default cache
            self._checkpoints = BackgroundCheckpoints(self._engine)

    def close(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.stop()
        self._close_project_serials()
        if self._reads is not None:
            self._reads.close()
        self._engine.dispose()
        if self._watch not in (None, NOT_LOOKED_UP) and self._watch is not self._change_counter:
            self._watch.close()   # after the connections: see sqlite_changes
        if self._change_counter is not None:
            self._change_counter.close()
