"""``pypi upgradedb`` and ``pypi downgradedb``: the SQL schema's alembic revisions.

Both work on legacy PyPI's own database: the upgrade only adds, so a legacy
process can keep sharing it, and the downgrade takes exactly that away again.
"""
from __future__ import annotations

import sys

from .config import Config


def cmd_upgradedb(config: Config, args) -> int:
    if config.backend != "sql":
        print(f"pypi upgradedb: the {config.backend} backend has no schema to migrate")
        return 0
    from storage_backends.sql import upgrade_database
    from storage_backends.sql.schema import Shape

    state, revision = upgrade_database(config.database_url)
    if state.revision == revision:
        print(f"database already at revision {revision}: nothing to do")
    else:
        print(f"database was {state.shape.value}"
              + (f" at revision {state.revision}" if state.revision else "")
              + f"; now at revision {revision}")
    if state.shape is Shape.LEGACY:
        print("legacy files have only md5 digests: `pypi backfill-digests` adds sha256, "
              "BLAKE2b, sizes and signatures from the stored files", file=sys.stderr)
    return 0


def cmd_downgradedb(config: Config, args) -> int:
    if config.backend != "sql":
        print(f"pypi downgradedb: the {config.backend} backend has no schema to migrate",
              file=sys.stderr)
        return 1
    from storage_backends.sql import downgrade_database

    downgrade_database(config.database_url)
    print("database back in legacy PyPI's own shape (everything `pypi upgradedb` added is removed)")
    return 0
