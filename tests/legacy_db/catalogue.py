"""The tables and columns the legacy schema files define, in creation order.

Snapshots read exactly these columns, so columns that a migration adds later
are ignored and a legacy column that went missing shows up as a difference.
``test_fixture`` checks that both schema files create this catalogue.
"""
from __future__ import annotations

LEGACY_COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("name", "password", "email", "gpg_keyid", "last_login"),
    "rego_otk": ("name", "otk", "date"),
    "cookies": ("cookie", "name", "last_seen"),
    "csrf_tokens": ("name", "token", "end_date"),
    "sshkeys": ("id", "name", "key"),
    "openids": ("id", "name"),
    "openid_sessions": ("id", "url", "assoc_handle", "expires", "mac_key"),
    "openid_nonces": ("created", "nonce"),
    "packages": ("name", "stable_version", "normalized_name", "autohide", "comments",
                 "bugtrack_url", "hosting_mode", "created"),
    "cheesecake_main_indices": ("id", "absolute", "relative"),
    "cheesecake_subindices": ("main_index_id", "name", "value", "details"),
    "releases": ("name", "version", "author", "author_email", "maintainer", "maintainer_email",
                 "home_page", "license", "summary", "description", "description_html",
                 "description_from_readme", "keywords", "platform", "download_url",
                 "requires_python", "cheesecake_installability_id",
                 "cheesecake_documentation_id", "cheesecake_code_kwalitee_id",
                 "_pypi_ordering", "_pypi_hidden", "created"),
    "release_dependencies": ("name", "version", "kind", "specifier"),
    "release_requires_python": ("name", "version", "specifier"),
    "trove_classifiers": ("id", "classifier", "l2", "l3", "l4", "l5"),
    "release_classifiers": ("name", "version", "trove_id"),
    "browse_tally": ("trove_id", "tally"),
    "release_files": ("name", "version", "python_version", "packagetype", "comment_text",
                      "filename", "md5_digest", "upload_time", "downloads"),
    "release_urls": ("name", "version", "url", "packagetype"),
    "description_urls": ("name", "version", "url", "id"),
    "roles": ("role_name", "user_name", "package_name"),
    "journals": ("name", "version", "action", "submitted_date", "submitted_by",
                 "submitted_from", "id"),
    "ratings": ("id", "name", "version", "user_name", "date", "rating"),
    "comments": ("id", "rating", "user_name", "date", "message", "in_reply_to"),
    "comments_journal": ("name", "version", "id", "submitted_by", "date", "action"),
    "mirrors": ("ip", "user_name", "index_url", "last_modified_url", "local_stats_url",
                "stats_url", "mirrors_url"),
    "timestamps": ("name", "value"),
    "dual": ("dummy",),
}

# Creation order, which is also an order in which rows can be inserted.
LEGACY_TABLES: tuple[str, ...] = tuple(LEGACY_COLUMNS)

# MySQL returns these as 0/1; snapshots give booleans on every backend.
BOOLEAN_COLUMNS = frozenset({
    ("packages", "autohide"), ("packages", "comments"),
    ("releases", "_pypi_hidden"), ("releases", "description_from_readme"),
})

# SERIAL / AUTO_INCREMENT columns; PostgreSQL's sequences must be moved past
# ids inserted explicitly.
SERIAL_COLUMNS = (("sshkeys", "id"), ("openid_sessions", "id"), ("cheesecake_main_indices", "id"),
                  ("description_urls", "id"), ("journals", "id"), ("ratings", "id"),
                  ("comments", "id"))
