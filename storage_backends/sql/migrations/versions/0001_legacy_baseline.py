"""Baseline: legacy PyPI's own tables (the ones this server uses).

An empty database gets them here; a legacy database already has them and is
only marked as being at this revision.

Revision ID: 0001
"""
from alembic import op

from storage_backends.sql.legacy_shape import legacy_metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    legacy_metadata(bind.dialect.name).create_all(bind, checkfirst=True)


def downgrade() -> None:
    raise RuntimeError("the baseline is legacy PyPI's own schema: its tables are never dropped")
