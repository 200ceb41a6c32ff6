"""The frozen records a store takes and returns.

Records are plain values: never ORM rows or datastore entities, so handlers
cannot reach around the interface and every backend returns the same shapes.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

OWNER, MAINTAINER, ADMIN = "Owner", "Maintainer", "Admin"
ROLE_NAMES = (OWNER, MAINTAINER, ADMIN)

# Single-valued metadata, stored as columns of a release.
SINGLE_FIELDS = (
    "metadata_version", "summary", "description", "description_content_type",
    "author", "author_email", "maintainer", "maintainer_email", "home_page",
    "license", "license_expression", "keywords", "platform", "download_url",
    "requires_python",
)
# Multi-valued metadata with the legacy dependency-kind numbers (1-8), and the
# kinds added for fields that metadata 2.1-2.4 introduced (9 and up).
LIST_FIELD_KINDS = {
    "requires": 1, "provides": 2, "obsoletes": 3, "requires_dist": 4,
    "provides_dist": 5, "obsoletes_dist": 6, "requires_external": 7,
    "project_urls": 8, "provides_extra": 9, "supported_platform": 10,
    "dynamic": 11, "license_files": 12,
}
LIST_FIELDS = tuple(LIST_FIELD_KINDS) + ("classifiers",)


@dataclass(frozen=True)
class Actor:
    """Who makes a change and from where: written into every journal row."""
    user: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class ReleaseMetadata:
    """Core metadata of a release, metadata versions 1.0 to 2.4.

    Single values are ``None`` when absent; lists are tuples in submitted
    order. ``project_urls`` entries keep the legacy ``"Label, URL"`` form.
    """
    metadata_version: str | None = None
    summary: str | None = None
    description: str | None = None
    description_content_type: str | None = None
    author: str | None = None
    author_email: str | None = None
    maintainer: str | None = None
    maintainer_email: str | None = None
    home_page: str | None = None
    license: str | None = None
    license_expression: str | None = None
    keywords: str | None = None
    platform: str | None = None
    download_url: str | None = None
    requires_python: str | None = None
    classifiers: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    obsoletes: tuple[str, ...] = ()
    requires_dist: tuple[str, ...] = ()
    provides_dist: tuple[str, ...] = ()
    obsoletes_dist: tuple[str, ...] = ()
    requires_external: tuple[str, ...] = ()
    project_urls: tuple[str, ...] = ()
    provides_extra: tuple[str, ...] = ()
    supported_platform: tuple[str, ...] = ()
    dynamic: tuple[str, ...] = ()
    license_files: tuple[str, ...] = ()

    def changed_fields(self, other: "ReleaseMetadata") -> tuple[str, ...]:
        """Names of the fields that differ from ``other``.

        Lists compare as sets, as legacy did, so a reordering is no change.
        ``metadata_version`` is bookkeeping and never reported as a change.
        """
        changed = []
        for f in dataclasses.fields(self):
            if f.name == "metadata_version":
                continue
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, tuple):
                if set(mine) != set(theirs):
                    changed.append(f.name)
            elif (mine or None) != (theirs or None):
                changed.append(f.name)
        return tuple(changed)


@dataclass(frozen=True)
class Project:
    name: str
    normalized_name: str
    autohide: bool = True
    comments: bool = True
    bugtrack_url: str | None = None
    hosting_mode: str = "pypi-explicit"
    created: datetime | None = None
    last_serial: int = 0
    has_docs: bool = False


class ProjectName(NamedTuple):
    """A project as listings of the whole index need it (``Store.list_project_names``):
    a plain tuple, cheap enough to build for every project of a large index."""
    name: str
    normalized_name: str
    last_serial: int


class ReleaseOrder(NamedTuple):
    """Where a release stands among its project's (``Store.index_listing``): its
    version, ``_pypi_ordering`` and hidden flag, without its metadata."""
    version: str
    ordering: int
    hidden: bool


class IndexPage(NamedTuple):
    """What ``/simple/<name>/`` is built from, as ``Store.index_page`` reads it at once."""
    name: str                      # as spelt in the index
    last_serial: int
    releases: list[ReleaseOrder]   # newest first
    files: list[FileRecord]        # by file name
    changed: datetime | None       # when ``last_serial`` was journalled (naive UTC)


@dataclass(frozen=True)
class Release:
    name: str
    version: str
    metadata: ReleaseMetadata
    hidden: bool = False
    ordering: int = 0
    created: datetime | None = None


@dataclass(frozen=True)
class ReleaseBrief:
    """A search hit: the few columns legacy's ``search`` returned, without the lists."""
    name: str
    version: str
    summary: str | None
    ordering: int


@dataclass(frozen=True)
class ReleaseChange:
    """What ``store_release`` did: created the project, the release, or updated fields."""
    release: Release
    project_created: bool = False
    release_created: bool = False
    changed_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredBlob:
    """Bytes written to the blob store under a temporary key, not yet published."""
    temp_key: str
    size: int
    md5: str
    sha256: str
    blake2_256: str


@dataclass(frozen=True)
class TemporaryBlob:
    """Bytes under a temporary key (``BlobStore.list_temporary``): an upload in flight,
    or what a crash or a failed upload left behind."""
    temp_key: str
    target: str | None           # the key it was written for, when the writer said so
    modified: datetime | None    # last written (naive UTC); None when the store cannot tell
    complete: bool = True        # False: its writer never finished it


@dataclass(frozen=True)
class IntegrityProblem:
    """A store row or entity that points at nothing (``Store.integrity_problems``)."""
    kind: str                    # short and stable, e.g. "release without project"
    detail: str                  # which rows, for a person


@dataclass(frozen=True)
class NewFile:
    """A distribution file to attach to a release."""
    name: str
    version: str
    filename: str
    python_version: str
    packagetype: str
    path: str
    size: int
    md5_digest: str
    sha256_digest: str
    blake2_256_digest: str
    comment_text: str = ""
    has_signature: bool = False
    metadata_sha256: str | None = None


def legacy_file_path(python_version: str, name: str, filename: str) -> str:
    """Where legacy PyPI kept a file under its files root (and where uploads go here):
    ``<python_version>/<first character of the project name>/<project name>/<filename>``."""
    return f"{python_version}/{name[0]}/{name}/{filename}"


@dataclass(frozen=True)
class FileRecord:
    name: str
    version: str
    filename: str
    python_version: str
    packagetype: str
    path: str
    size: int
    md5_digest: str
    sha256_digest: str | None
    blake2_256_digest: str | None
    upload_time: datetime
    comment_text: str = ""
    has_signature: bool = False
    requires_python: str | None = None
    downloads: int = 0
    metadata_sha256: str | None = None

    @classmethod
    def from_stored(cls, stored, filename: str) -> "FileRecord":
        """From anything a backend keeps with the record's field names (an SQL row, an
        ndb entity); legacy rows may hold NULL where the record has a default."""
        return cls(
            name=stored.name, version=stored.version, filename=filename,
            python_version=stored.python_version, packagetype=stored.packagetype,
            path=stored.path or legacy_file_path(stored.python_version, stored.name, filename),
            size=stored.size, md5_digest=stored.md5_digest,
            sha256_digest=stored.sha256_digest, blake2_256_digest=stored.blake2_256_digest,
            upload_time=stored.upload_time, comment_text=stored.comment_text or "",
            has_signature=bool(stored.has_signature), requires_python=stored.requires_python,
            downloads=stored.downloads or 0, metadata_sha256=stored.metadata_sha256)


@dataclass(frozen=True)
class User:
    name: str
    email: str
    password: str = field(repr=False)
    gpg_keyid: str | None = None
    last_login: datetime | None = None


@dataclass(frozen=True)
class Role:
    role_name: str
    user_name: str
    package_name: str | None


@dataclass(frozen=True)
class Mirror:
    """A registered PEP 381 mirror (legacy ``mirrors`` row), listed on ``/mirrors``."""
    ip: str                  # legacy column name; holds an IP address or a host name
    user_name: str | None    # the account that maintains the mirror


@dataclass(frozen=True)
class OneTimeKey:
    """A pending registration key (legacy ``rego_otk``): the account is unconfirmed while it exists."""
    user_name: str
    key: str
    created: datetime


@dataclass(frozen=True)
class UserExport:
    """An account as ``pypi migrate`` copies it: the user, its pending registration
    key (legacy ``rego_otk``) and its site-wide roles (Admin)."""
    user: User
    registration: OneTimeKey | None = None
    site_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectExport:
    """A project as ``pypi migrate`` copies it, with every release, file record and role."""
    project: Project
    releases: tuple[Release, ...] = ()
    files: tuple[FileRecord, ...] = ()
    roles: tuple[Role, ...] = ()


# Journal rows of a deleted account are re-attributed to this name. It cannot
# be registered: new user names may not contain "-".
DELETED_USER = "deleted-user"


@dataclass(frozen=True)
class JournalEntry:
    serial: int
    name: str
    version: str | None
    action: str
    submitted_date: datetime
    submitted_by: str | None
    submitted_from: str | None
