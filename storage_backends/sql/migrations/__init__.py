"""Alembic migrations of the SQL schema (see ``storage_backends.sql.schema``)."""
