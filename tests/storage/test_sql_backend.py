"""What only the SQL backend has: opening (schema, servers, URLs), classifier levels."""
from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa

from storage_backends.errors import SchemaMissing, ServiceUnavailable
from storage_backends.sql import normalize_url, open_sql_store
from storage_backends.sql.tables import trove_classifiers


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


def test_classifier_levels(tmp_path):
    """l2..l5 hold ancestor ids, also for ancestors added after their descendants."""
    store = open_sql_store(f"sqlite:///{tmp_path / 'pypi.db'}", create=True)
    store.add_classifiers(["Topic :: Internet :: WWW/HTTP :: Dynamic Content",
                           "Topic :: Internet :: WWW/HTTP"])
    store.add_classifiers(["Topic :: Internet", "Topic", "Topic :: a_b", "Topic :: a%b :: c"])
    store.add_classifiers(["Topic :: a_b :: x"])
    with store.engine.connect() as conn:
        rows = {r.classifier: (r.id, r.l2, r.l3, r.l4, r.l5)
                for r in conn.execute(sa.select(trove_classifiers))}
    store.close()
    ids = {name: row[0] for name, row in rows.items()}
    internet, www = ids["Topic :: Internet"], ids["Topic :: Internet :: WWW/HTTP"]
    assert rows["Topic"][1:] == (0, 0, 0, 0)
    assert rows["Topic :: Internet"][1:] == (internet, 0, 0, 0)
    assert rows["Topic :: Internet :: WWW/HTTP"][1:] == (internet, www, 0, 0)
    assert rows["Topic :: Internet :: WWW/HTTP :: Dynamic Content"][1:] == (
        internet, www, ids["Topic :: Internet :: WWW/HTTP :: Dynamic Content"], 0)
    assert rows["Topic :: a%b :: c"][1:] == (0, ids["Topic :: a%b :: c"], 0, 0)
    assert rows["Topic :: a_b :: x"][1:] == (ids["Topic :: a_b"], ids["Topic :: a_b :: x"], 0, 0)
