"""Release metadata from the register/upload form, and the legacy validation rules.

The order of checks and their messages follow the legacy server (2010, plus
the 2017 name and version rules for new projects and releases), so clients
see the reason phrases they always saw.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from storage_backends.records import ReleaseMetadata

from .forms import Form
from .http_errors import BadRequest

JOINED_FIELDS = ("keywords", "platform")          # repeated values joined with ","
PLAIN_SINGLE = ("metadata_version", "summary", "description", "description_content_type",
                "author", "author_email", "maintainer", "maintainer_email", "home_page",
                "license", "license_expression", "download_url", "requires_python")
LIST_FORM_FIELDS = {  # record field -> form field names that feed it
    "classifiers": ("classifiers",), "requires": ("requires",), "provides": ("provides",),
    "obsoletes": ("obsoletes",), "requires_dist": ("requires_dist",),
    "provides_dist": ("provides_dist",), "obsoletes_dist": ("obsoletes_dist",),
    "requires_external": ("requires_external",), "project_urls": ("project_url", "project_urls"),
    "provides_extra": ("provides_extra",), "supported_platform": ("supported_platform",),
    "dynamic": ("dynamic",), "license_files": ("license_file", "license_files"),
}
MAX_NAME = 255
MAX_SUMMARY = 512
MAX_TEXT = 64 * 1024
MAX_DESCRIPTION = 4 * 1024 * 1024
MAX_LIST_ITEMS = 1000

NEW_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
METADATA_VERSION = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,3}){0,2}$")
RST = "text/x-rst"
UNSAFE_RST = re.compile(r"^[ \t]*\.\.[ \t]+(raw|include)[ \t]*::", re.IGNORECASE | re.MULTILINE)
URL_UNSAFE = re.compile(r'[<>%#"]')
_DIST_NAME = r"[A-Za-z_][A-Za-z0-9_.-]*"
_PREDICATE = r"\s*(<=|>=|==|!=|<|>)?\s*[A-Za-z0-9_.*+-]+\s*"
REQUIRES_SYNTAX = re.compile(rf"^{_DIST_NAME}(\s*\({_PREDICATE}(,{_PREDICATE})*\))?$")
PROVIDES_SYNTAX = re.compile(rf"^{_DIST_NAME}(\s*\(\s*[A-Za-z0-9_.+-]+\s*\))?$")


def metadata_from_form(form: Form) -> ReleaseMetadata:
    values = {}
    for name in PLAIN_SINGLE:
        values[name] = form.text(name) or None
    for name in JOINED_FIELDS:
        joined = ",".join(form.texts(name))
        values[name] = joined or None
    for name, sources in LIST_FORM_FIELDS.items():
        values[name] = tuple(v for source in sources for v in form.texts(source))
    return ReleaseMetadata(**values)


def validate_release(name: str, version: str, metadata: ReleaseMetadata, *,
                     new_project: bool, new_release: bool) -> None:
    """Raise ``BadRequest`` naming the first problem, in legacy order."""
    if not name:
        raise BadRequest('Missing required field "name"')
    if not version:
        raise BadRequest('Missing required field "version"')
    if "/" in name or "\\" in name:
        raise BadRequest("Invalid package name")
    if len(name) > MAX_NAME or len(version) > MAX_NAME:
        raise BadRequest(f"Name and version may have at most {MAX_NAME} characters")
    _check_lengths(metadata)
    _check_description(metadata)
    if metadata.metadata_version and not METADATA_VERSION.match(metadata.metadata_version):
        raise BadRequest(f"Invalid metadata_version {metadata.metadata_version[:20]!r}")
    for field in ("requires", "obsoletes"):
        _check_each(field, getattr(metadata, field), REQUIRES_SYNTAX.match)
    _check_each("provides", metadata.provides, PROVIDES_SYNTAX.match)
    _check_each("requires_dist", metadata.requires_dist, _is_requirement)
    if metadata.requires_python and not _is_specifier(metadata.requires_python):
        raise BadRequest(f'Bad "requires_python" syntax: {metadata.requires_python}')
    if new_project and not NEW_NAME.match(name):
        raise BadRequest("Invalid package name. Names must contain only ASCII letters, digits, "
                         "underscores, hyphens, and periods, and start and end with a letter or digit")
    if new_release:
        if URL_UNSAFE.search(name + version):
            raise BadRequest("Invalid package name or version (URL safety)")
        _check_version(version)
    for field in ("home_page", "download_url"):
        _check_url(field, getattr(metadata, field))


def _check_lengths(metadata: ReleaseMetadata) -> None:
    if metadata.summary and len(metadata.summary) > MAX_SUMMARY:
        raise BadRequest(f"summary: at most {MAX_SUMMARY} characters")
    if metadata.description and len(metadata.description) > MAX_DESCRIPTION:
        raise BadRequest(f"description: at most {MAX_DESCRIPTION} characters")
    for field in PLAIN_SINGLE + JOINED_FIELDS:
        value = getattr(metadata, field)
        if field != "description" and value and len(value) > MAX_TEXT:
            raise BadRequest(f"{field}: at most {MAX_TEXT} characters")
    for field in LIST_FORM_FIELDS:
        values = getattr(metadata, field)
        if len(values) > MAX_LIST_ITEMS:
            raise BadRequest(f"{field}: at most {MAX_LIST_ITEMS} values")
        if any(len(v) > MAX_TEXT for v in values):
            raise BadRequest(f"{field}: a value longer than {MAX_TEXT} characters")


def _check_description(metadata: ReleaseMetadata) -> None:
    """Refuse reStructuredText that tries to pass raw HTML or read files.

    The renderer disables both anyway; refusing them at submission tells the
    author why their page would not show what they wrote.
    """
    kind = (metadata.description_content_type or RST).split(";")[0].strip().lower()
    if kind == RST and metadata.description and UNSAFE_RST.search(metadata.description):
        raise BadRequest("description: the reStructuredText raw and include directives are not allowed")


def _check_each(field: str, values, is_valid) -> None:
    for value in values:
        if not is_valid(value):
            raise BadRequest(f'Bad "{field}" syntax: {value}')


def _is_requirement(value: str) -> bool:
    try:
        Requirement(value)
    except InvalidRequirement:
        return False
    return True


def _is_specifier(value: str) -> bool:
    try:
        SpecifierSet(value)
    except InvalidSpecifier:
        return False
    return True


def _check_version(version: str) -> None:
    if version != version.strip():
        raise BadRequest("Invalid version, cannot have leading or trailing whitespace")
    try:
        parsed = Version(version)
    except InvalidVersion:
        raise BadRequest(f"Invalid version {version!r}: not a valid PEP 440 version") from None
    if parsed.local is not None:
        raise BadRequest(f"Invalid version {version!r}: a local version (+...) cannot be uploaded")


def _check_url(field: str, value: str | None) -> None:
    if not value or value == "UNKNOWN":
        return
    try:
        parts = urlsplit(value)
    except ValueError:   # e.g. an unclosed "[" of an IPv6 host
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadRequest(f"Invalid URI for {field}: {value} (must be an absolute http or https URL)")
