"""Opening the configured stores: one table from backend name to factory, checked once."""
from __future__ import annotations

from storage_backends.interface import BlobStore, Store
from storage_backends.local_blobs import LocalBlobStore

from .config import Config, ConfigError


def _open_sql(config: Config, create: bool) -> Store:
    try:
        from storage_backends.sql import open_sql_store
        return open_sql_store(config.database_url, create=create)
    except (ImportError, ValueError) as err:  # a missing driver, or a database we do not support
        raise ConfigError(f"[database] backend sql: {err}") from None


BACKENDS = {"sql": _open_sql}


def open_store(config: Config, create: bool = False) -> Store:
    factory = BACKENDS.get(config.backend)
    if factory is None:
        raise ConfigError(f"[database] backend: {config.backend!r} is not one of {', '.join(BACKENDS)}")
    return factory(config, create)


def open_backends(config: Config, create: bool = False) -> tuple[Store, BlobStore]:
    return open_store(config, create), LocalBlobStore(config.files_dir)
