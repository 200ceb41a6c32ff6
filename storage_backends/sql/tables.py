"""The legacy PyPI tables, as SQLAlchemy Core metadata.

Table and column names are those of legacy PyPI (``spec/storage-model.md``) so
the SQL backend can run on an existing legacy database. Additions are only new
columns or tables: ``releases.metadata_version``/``description_content_type``/
``license_expression``, ``release_files.metadata_sha256``, an ``id`` on
``release_dependencies`` (legacy kept no order; the id keeps lists in submitted
order), ``packages.pep503_name``, the one-row serial counter ``pypi_serial``
and the tables listed in ``ADDED_TABLES``. ``ADDED_COLUMNS`` names every column
legacy's own schema lacked; alembic migrations (``migrations/``) add them.

MySQL/MariaDB needs bounded VARCHARs for keys, and a binary collation so that
names and versions compare case-sensitively as they do on PostgreSQL and SQLite.
Timestamps are naive UTC.
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean, Column, DateTime, ForeignKey, ForeignKeyConstraint, Index, Integer,
    MetaData, String, Table, Text, text, true,
)
from sqlalchemy.dialects.mysql import LONGTEXT

metadata = MetaData()

# Long enough for any real project name, version, file name or classifier, and
# short enough that a two-column key stays under InnoDB's 3072-byte limit.
KEY = 255
_LONG_TEXT = Text().with_variant(LONGTEXT(), "mysql", "mariadb")
_MYSQL = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}


def _release_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["name", "version"], ["releases.name", "releases.version"], onupdate="CASCADE")


packages = Table(
    "packages", metadata,
    Column("name", String(KEY), primary_key=True),
    Column("stable_version", Text),
    Column("normalized_name", String(KEY)),
    Column("autohide", Boolean, nullable=False, server_default=true(), default=True),
    Column("comments", Boolean, nullable=False, server_default=true(), default=True),
    Column("bugtrack_url", Text),
    Column("hosting_mode", String(32), nullable=False, server_default="pypi-explicit"),
    Column("created", DateTime),
    Column("last_serial", Integer),
    Column("has_docs", Boolean),
    Column("allow_legacy_files", Boolean),
    # Legacy's ``normalized_name`` is the lower-cased setuptools safe name (dots
    # kept), which a legacy process sharing the database still reads; lookups
    # here go by the PEP 503 form, kept in a column of its own.
    Column("pep503_name", String(KEY)),
    Index("packages_normalized_name_idx", "normalized_name"),
    Index("packages_pep503_name_idx", "pep503_name"),
    **_MYSQL,
)

releases = Table(
    "releases", metadata,
    Column("name", String(KEY), ForeignKey("packages.name", onupdate="CASCADE"),
           primary_key=True),
    Column("version", String(KEY), primary_key=True),
    Column("author", _LONG_TEXT),
    Column("author_email", _LONG_TEXT),
    Column("maintainer", _LONG_TEXT),
    Column("maintainer_email", _LONG_TEXT),
    Column("home_page", _LONG_TEXT),
    Column("license", _LONG_TEXT),
    Column("summary", _LONG_TEXT),
    Column("description", _LONG_TEXT),
    Column("keywords", _LONG_TEXT),
    Column("platform", _LONG_TEXT),
    Column("download_url", _LONG_TEXT),
    Column("requires_python", _LONG_TEXT),
    Column("description_html", _LONG_TEXT),
    Column("_pypi_ordering", Integer),
    Column("_pypi_hidden", Boolean),
    Column("cheesecake_installability_id", Integer),
    Column("cheesecake_documentation_id", Integer),
    Column("cheesecake_code_kwalitee_id", Integer),
    Column("description_from_readme", Boolean),
    Column("created", DateTime),
    Column("metadata_version", String(16)),
    Column("description_content_type", _LONG_TEXT),
    Column("license_expression", _LONG_TEXT),
    Index("rel_hidden_idx", "_pypi_hidden"),
    Index("release_name_idx", "name"),
    Index("release_version_idx", "version"),
    **_MYSQL,
)

release_dependencies = Table(
    "release_dependencies", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(KEY), nullable=False),
    Column("version", String(KEY), nullable=False),
    Column("kind", Integer, nullable=False),
    Column("specifier", _LONG_TEXT),
    _release_fk(),
    Index("rel_dep_name_idx", "name"),
    Index("rel_dep_name_version_idx", "name", "version"),
    Index("rel_dep_name_version_kind_idx", "name", "version", "kind"),
    **_MYSQL,
)

trove_classifiers = Table(
    "trove_classifiers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("classifier", String(KEY), nullable=False, unique=True),
    Column("l2", Integer),
    Column("l3", Integer),
    Column("l4", Integer),
    Column("l5", Integer),
    **_MYSQL,
)

release_classifiers = Table(
    "release_classifiers", metadata,
    Column("name", String(KEY), nullable=False),
    Column("version", String(KEY), nullable=False),
    Column("trove_id", Integer, ForeignKey("trove_classifiers.id"), nullable=False),
    _release_fk(),
    Index("rel_class_name_idx", "name"),
    Index("rel_class_version_id_idx", "version"),
    Index("rel_class_trove_id_idx", "trove_id"),
    Index("rel_class_name_version_idx", "name", "version"),
    **_MYSQL,
)

release_files = Table(
    "release_files", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(KEY), nullable=False),
    Column("version", String(KEY), nullable=False),
    Column("python_version", String(64)),
    Column("packagetype", String(64)),
    Column("comment_text", _LONG_TEXT),
    Column("filename", String(KEY), nullable=False, unique=True),
    Column("md5_digest", String(32), unique=True),
    Column("upload_time", DateTime),
    Column("downloads", Integer, server_default=text("0"), default=0),
    Column("sha256_digest", String(64)),
    Column("blake2_256_digest", String(64)),
    Column("size", Integer),
    Column("has_signature", Boolean),
    Column("path", Text),
    Column("requires_python", _LONG_TEXT),
    Column("metadata_sha256", String(64)),
    _release_fk(),
    Index("release_files_name_idx", "name"),
    Index("release_files_version_idx", "version"),
    Index("release_files_packagetype_idx", "packagetype"),
    Index("release_files_name_version_idx", "name", "version"),
    **_MYSQL,
)

journals = Table(
    "journals", metadata,
    # The serial: assigned from ``pypi_serial`` inside the writing transaction,
    # never by an auto-increment, so serials follow commit order.
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(KEY)),
    Column("version", String(KEY)),
    Column("action", Text),
    Column("submitted_date", DateTime),
    Column("submitted_by", String(KEY)),
    Column("submitted_from", String(KEY)),
    Index("journals_name_idx", "name"),
    Index("journals_version_idx", "version"),
    Index("journals_changelog", "submitted_date", "name", "version", "action",
          mysql_length={"action": 191}),
    Index("journals_latest_releases", "submitted_date", "name", "version",
          postgresql_where=text("version IS NOT NULL AND action = 'new release'"),
          sqlite_where=text("version IS NOT NULL AND action = 'new release'")),
    **_MYSQL,
)

users = Table(
    "users", metadata,
    Column("name", String(KEY), primary_key=True),
    Column("password", Text),
    Column("email", String(KEY)),
    Column("gpg_keyid", String(64)),
    Column("last_login", DateTime),
    Index("users_email_idx", "email"),
    **_MYSQL,
)

roles = Table(
    "roles", metadata,
    Column("role_name", String(32), nullable=False),
    Column("user_name", String(KEY), ForeignKey("users.name", onupdate="CASCADE"),
           nullable=False),
    # NULL: a site-wide role (how Admin is stored).
    Column("package_name", String(KEY), ForeignKey("packages.name", onupdate="CASCADE")),
    Index("roles_pack_name_idx", "package_name"),
    Index("roles_user_name_idx", "user_name"),
    **_MYSQL,
)

rego_otk = Table(
    "rego_otk", metadata,
    Column("name", String(KEY), ForeignKey("users.name", onupdate="CASCADE",
                                           ondelete="CASCADE")),
    Column("otk", String(64), unique=True),
    Column("date", DateTime),
    Index("rego_otk_name_idx", "name"),
    **_MYSQL,
)

cookies = Table(
    "cookies", metadata,
    Column("cookie", String(64), primary_key=True),
    Column("name", String(KEY), ForeignKey("users.name", onupdate="CASCADE",
                                           ondelete="CASCADE")),
    Column("last_seen", DateTime),
    Index("cookies_last_seen", "last_seen"),
    **_MYSQL,
)

mirrors = Table(
    "mirrors", metadata,
    # ``ip`` is the legacy name; registered values were addresses or host names.
    Column("ip", String(KEY), primary_key=True),
    Column("user_name", String(KEY), ForeignKey("users.name", onupdate="CASCADE")),
    **_MYSQL,
)

password_reset_keys = Table(
    "password_reset_keys", metadata,
    # Not in legacy (HEAD signed its tokens): one row per mailed reset link,
    # holding a SHA-256 of the key, never the key itself.
    Column("key_hash", String(64), primary_key=True),
    Column("name", String(KEY), ForeignKey("users.name", onupdate="CASCADE",
                                           ondelete="CASCADE"), nullable=False),
    Column("created", DateTime, nullable=False),
    Index("password_reset_keys_name_idx", "name"),
    **_MYSQL,
)

login_failures = Table(
    "login_failures", metadata,
    # Not in legacy (HEAD counted in Redis): failed logins per subject
    # ("ip:<address>" or "user:<name>") within the current blocking window.
    Column("subject", String(KEY), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_start", DateTime, nullable=False),
    **_MYSQL,
)

pypi_migration = Table(
    "pypi_migration", metadata,
    # Not in legacy: at most one row (id 1), the progress `pypi migrate` recorded
    # in this store while copying another index into it.
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("marker", Text, nullable=False),
    **_MYSQL,
)

pypi_serial = Table(
    "pypi_serial", metadata,
    # One row (id 1): the last serial handed out. Writers lock it first, which
    # serialises them, and increment it for each journal row.
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("value", Integer, nullable=False),
    **_MYSQL,
)

SERIAL_ROW_ID = 1

pypi_schema_additions = Table(
    "pypi_schema_additions", metadata,
    # What ``pypi upgradedb`` added to the database (tables, columns, indexes),
    # so that ``pypi downgradedb`` removes exactly that and nothing of legacy's.
    Column("kind", String(16), primary_key=True),      # table, column or index
    Column("table_name", String(KEY), primary_key=True),
    Column("name", String(KEY), primary_key=True),     # the table's own name for a table
    **_MYSQL,
)

# The legacy shape: the columns above that legacy PyPI's own final schema did not
# have (some came with its successor's migrations, some are this project's).
# ``legacy_shape`` builds the legacy tables without them, and the additive
# migration adds whichever of them a database lacks.
ADDED_COLUMNS = {
    "packages": ("last_serial", "has_docs", "allow_legacy_files", "pep503_name"),
    "releases": ("metadata_version", "description_content_type", "license_expression"),
    "release_dependencies": ("id",),
    "release_files": ("id", "sha256_digest", "blake2_256_digest", "size", "has_signature",
                      "path", "requires_python", "metadata_sha256"),
}
ADDED_TABLES = ("pypi_serial", "pypi_migration", "password_reset_keys", "login_failures",
                "pypi_schema_additions")
