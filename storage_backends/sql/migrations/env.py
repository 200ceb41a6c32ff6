"""Alembic's entry point: runs on the connection ``storage_backends.sql.schema`` hands over.

There is no alembic.ini: use ``pypi upgradedb`` / ``pypi downgradedb``.
"""
from alembic import context

config = context.config
context.configure(connection=config.attributes["connection"],
                  version_table=config.attributes["version_table"])
with context.begin_transaction():
    context.run_migrations()
