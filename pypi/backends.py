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
        return open_sql_store(config.database_url, create=create)
    except (ImportError, ValueError) as err:  # a missing driver, or a database we do not support
        raise ConfigError(f"[database] backend sql: {err}") from None


def _make_sqlite_directory(url: str) -> None:
    """SQLite creates its file but not the directories above it (``./pypi-data`` at first start)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError
    try:
        parsed = make_url(url)
    except ArgumentError as err:
        raise ConfigError(f"[database] url: {err}") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


BACKENDS = {"sql": _open_sql}


def open_store(config: Config, create: bool = False) -> Store:
    factory = BACKENDS.get(config.backend)
    if factory is None:
        raise ConfigError(f"[database] backend: {config.backend!r} is not one of {', '.join(BACKENDS)}")
    return factory(config, create)


def open_backends(config: Config, create: bool = False) -> tuple[Store, BlobStore]:
    return open_store(config, create), LocalBlobStore(config.files_dir)
