"""Fill an SQL store with many projects quickly, for benchmarks only.

Writes the legacy tables (``packages``, ``releases``, ``journals``) and the
serial counter directly through SQLAlchemy Core in large batches: going
through ``Store.store_release`` costs one locked transaction and four journal
writes per project, about a minute per 10,000 projects on SQLite, and what the
benchmarks measure is reading, not writing. The rows look like what the store
writes for "create project, add owner, new release, upload an sdist": four
journal rows per project, serials in order, ``packages.last_serial`` set.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, update

from storage_backends.sql.projects import name_columns
from storage_backends.sql.tables import SERIAL_ROW_ID, journals, packages, pypi_serial, releases, users

BATCH = 5000
USER = "bench"
ACTIONS = ("create", f"add Owner {USER}", "new release", "add source file {file}")


def project_name(index: int) -> str:
    return f"bench-project-{index:07d}"


def bulk_load(store, count: int, start: datetime = datetime(2010, 6, 1)) -> int:
    """Add ``count`` projects (one release and four journal rows each); returns the last serial.

    ``store`` must be an empty ``SqlStore`` (schema created, no projects).
    """
    serial = 0
    with store.engine.begin() as conn:
        conn.execute(insert(users).values(name=USER, email="bench@example.org", password="-"))
        for first in range(0, count, BATCH):
            package_rows, release_rows, journal_rows = [], [], []
            for index in range(first, min(first + BATCH, count)):
                name = project_name(index)
                when = start + timedelta(seconds=index)
                file = f"{name}-1.0.tar.gz"
                for action in ACTIONS:
                    serial += 1
                    journal_rows.append(dict(
                        id=serial, name=name, version=None if action in ACTIONS[:2] else "1.0",
                        action=action.format(file=file), submitted_date=when,
                        submitted_by=USER, submitted_from="192.0.2.1"))
                package_rows.append(dict(
                    name=name, **name_columns(name), autohide=True, comments=True,
                    hosting_mode="pypi-explicit", created=when, last_serial=serial, has_docs=False))
                release_rows.append(dict(name=name, version="1.0", summary="benchmark project",
                                         _pypi_ordering=0, _pypi_hidden=False, created=when))
            conn.execute(insert(packages), package_rows)
            conn.execute(insert(releases), release_rows)
            conn.execute(insert(journals), journal_rows)
        conn.execute(update(pypi_serial).where(pypi_serial.c.id == SERIAL_ROW_ID).values(value=serial))
    return serial
