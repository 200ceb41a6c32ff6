"""Opening the configured stores: one table from backend name to factory, checked once."""
from __future__ import annotations

from pathlib import Path

from storage_backends.interface import BlobStore, Store
from storage_backends.local_blobs import LocalBlobStore

from .config import Config, ConfigError


def _open_sql(config: Config, create: bool) -> Store:
    if create:
        _make_sqlite_directory(config.database_url)
    try:
        from storage_backends.sql import open_sql_store
        from storage_backends.sql.change_counter import ChangeCounterUnusable
        return open_sql_store(config.database_url, create=create,
                              change_counter=config.change_counter)
    except (ImportError, ValueError) as err:  # a missing driver, or a database we do not support
        raise ConfigError(f"[database] backend sql: {err}") from None
    except ChangeCounterUnusable as err:
        raise ConfigError(f"[database] change_counter: {err}") from None


def _make_sqlite_directory(url: str) -> None:
    """SQLite creates its file but not the directories above it (``./pypi-data`` at first start)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from storage_backends.sql.engine import is_sqlite_file
    try:
        parsed = make_url(url)
    except ArgumentError as err:
        raise ConfigError(f"[database] url: {err}") from None
    if is_sqlite_file(parsed):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def _open_gae(config: Config, create: bool) -> Store:
    """ndb: App Engine's datastore there, the SDK's file stub (``datastore_file``) elsewhere."""
    try:
        from storage_backends.gae import on_app_engine, open_gae_store
        if config.datastore_file is None and not on_app_engine():
            raise ConfigError("[database] datastore_file: backend gae needs the datastore "
                              "file when not running on App Engine")
        return open_gae_store(None if on_app_engine() else config.datastore_file, create=create)
    except ImportError as err:
        raise ConfigError(f"[database] backend gae: {err}") from None


BACKENDS = {"sql": _open_sql, "gae": _open_gae}


def open_store(config: Config, create: bool = False) -> Store:
    factory = BACKENDS.get(config.backend)
    if factory is None:
        raise ConfigError(f"[database] backend: {config.backend!r} is not one of {', '.join(BACKENDS)}")
    return factory(config, create)


def open_backends(config: Config, create: bool = False) -> tuple[Store, BlobStore]:
    if config.backend == "gae":
        # Only `pypi initdb` (and `pypi migrate`'s target) creates a datastore
        # file: a server started on a missing one fails instead of serving an empty index.
        store = open_store(config)
        return store, open_blobs(config, store)
    store = open_store(config, create)
    return store, open_blobs(config, store)


def open_blobs(config: Config, store: Store) -> BlobStore:
    """The blob store that goes with ``store``: datastore chunks for gae, else files_dir."""
    if config.backend == "gae":
        from storage_backends.gae.blobs import GaeBlobStore
        return GaeBlobStore(store.access)
    return LocalBlobStore(config.files_dir)
