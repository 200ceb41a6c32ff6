"""Opening the SQL backend: missing schema, unreachable servers, URL forms."""
from __future__ import annotations

import socket

import pytest

from storage_backends.errors import SchemaMissing, ServiceUnavailable
from storage_backends.sql import normalize_url, open_sql_store


def test_missing_schema(tmp_path):
    with pytest.raises(SchemaMissing, match="initdb"):
        open_sql_store(f"sqlite:///{tmp_path / 'empty.db'}")


def test_create_schema_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'pypi.db'}"
    open_sql_store(url, create=True).close()
    store = open_sql_store(url, create=True)
    assert store.last_serial() == 0
    store.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("scheme", ["postgresql", "mysql"])
def test_unreachable_server(scheme):
    url = f"{scheme}://user:secret@127.0.0.1:{_closed_port()}/pypi"
    with pytest.raises(ServiceUnavailable) as raised:
        open_sql_store(url)
    assert "127.0.0.1" in str(raised.value) and "secret" not in str(raised.value)


def test_url_drivers():
    assert normalize_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    mysql = normalize_url("mysql://u@h/db")
    assert mysql.drivername == "mysql+pymysql" and mysql.query["charset"] == "utf8mb4"
    assert normalize_url("sqlite:///x.db").drivername == "sqlite"
