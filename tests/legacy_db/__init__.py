"""A database in the exact shape of an existing legacy PyPI database, for upgrade tests.

``fixture.py`` is the entry point: it creates a database from the schema file
of the server's dialect (``schema_postgresql.sql``, ``schema_mysql.sql``),
fills it with legacy-shaped rows and files, and snapshots rows and schema so
that a test can show what an upgrade or downgrade changed.
"""
