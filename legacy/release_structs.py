"""The ``release_data`` and file structs shared by the JSON API and XML-RPC.

Legacy built both answers from the same two dicts (final legacy state,
``spec/xmlrpc.md`` §2), and the JSON ``info``/``urls`` are those dicts; one
builder keeps the two APIs from drifting apart. The values are JSON-friendly:
``None`` for a missing value and ISO strings for times. XML-RPC cannot marshal
``None`` and sends ``upload_time`` as a dateTime, so its handlers convert
those themselves (``FileRecord.upload_time`` is still there for them).

Beyond legacy, the successor's additions are included (``project_urls``,
``description_content_type``, ``provides_extra``, ``yanked``, per-file
``requires_python``, ``digests.blake2b_256``, ``upload_time_iso_8601``).
Legacy hiding is reported as yanking, which is what today's clients understand.
"""
from __future__ import annotations

from typing import Any, Sequence
from urllib.parse import quote, urljoin

from storage_backends.interface import Store
from storage_backends.records import FileRecord, Project, Release, ReleaseOrder

# The legacy dependency lists: struct key -> ReleaseMetadata field. Legacy sent
# them only when non-empty.
DEPENDENCY_KEYS = {
    "requires": "requires", "provides": "provides", "obsoletes": "obsoletes",
    "requires_dist": "requires_dist", "provides_dist": "provides_dist",
    "obsoletes_dist": "obsoletes_dist", "requires_external": "requires_external",
    "project_url": "project_urls",
}
LEGACY_SINGLE_KEYS = ("author", "author_email", "maintainer", "maintainer_email", "home_page",
                      "license", "summary", "description", "keywords", "platform",
                      "requires_python", "download_url")
# Newer metadata, always present (None when absent), as the successor sends them.
EXTENSION_SINGLE_KEYS = ("description_content_type", "license_expression")
EXTENSION_LIST_KEYS = ("provides_extra", "license_files", "dynamic", "supported_platform")
UNKNOWN = "UNKNOWN"


def release_data(store: Store, release: Release, settings: Any,
                 project: Project | None = None) -> dict[str, Any]:
    """The ``release_data`` struct of one release (hidden ones included).

    ``project`` saves a lookup when the caller has it already (for
    ``bugtrack_url`` and ``docs_url``).
    """
    if project is None:
        project = store.get_project(release.name)
    meta = release.metadata
    data: dict[str, Any] = {"name": release.name, "version": release.version}
    data.update({key: getattr(meta, key) for key in LEGACY_SINGLE_KEYS})
    data.update({
        "_pypi_ordering": release.ordering,
        "_pypi_hidden": release.hidden,
        "cheesecake_installability_id": None,
        "cheesecake_documentation_id": None,
        "cheesecake_code_kwalitee_id": None,
        "bugtrack_url": project.bugtrack_url if project else None,
        "classifiers": sorted(meta.classifiers),
    })
    for key, field in DEPENDENCY_KEYS.items():
        if getattr(meta, field):
            data[key] = list(getattr(meta, field))
    data.update({
        "package_url": f"{settings.base_url}/{quote(release.name)}",
        "release_url": f"{settings.base_url}/{quote(release.name)}/{quote(release.version)}",
        "docs_url": None,   # documentation hosting is not served by this server
        "downloads": {"last_day": 0, "last_week": 0, "last_month": 0},
    })
    data.update({key: getattr(meta, key) for key in EXTENSION_SINGLE_KEYS})
    data.update({key: list(getattr(meta, key)) or None for key in EXTENSION_LIST_KEYS})
    data["project_urls"] = project_urls(release)
    data["yanked"] = release.hidden
    data["yanked_reason"] = None
    return data


def project_urls(release: Release) -> dict[str, str] | None:
    """``Project-URL: Label, URL`` entries as a dict, with Homepage and Download first.

    As the successor does, ``home_page`` and ``download_url`` become the
    ``Homepage`` and ``Download`` entries; a value of ``UNKNOWN`` (what old
    distutils sent for unset fields) is left out. None when there is none.
    """
    meta = release.metadata
    urls: dict[str, str] = {}
    for label, value in (("Homepage", meta.home_page), ("Download", meta.download_url)):
        if value and value != UNKNOWN:
            urls[label] = value
    for entry in meta.project_urls:
        label, comma, url = entry.partition(",")
        if comma and label.strip() and url.strip():
            urls[label.strip()] = url.strip()
    return urls or None


def file_url(record: FileRecord, settings: Any) -> str:
    """The absolute download URL: ``files_url`` (relative ones against the base URL) + path."""
    return urljoin(settings.base_url, f"{settings.files_url}/{quote(record.path)}")


def file_struct(record: FileRecord, settings: Any, *, yanked: bool = False) -> dict[str, Any]:
    """One ``release_urls`` entry; ``yanked`` is the owning release's hidden flag."""
    return {
        "filename": record.filename,
        "packagetype": record.packagetype,
        "python_version": record.python_version,
        "comment_text": record.comment_text,
        "md5_digest": record.md5_digest,
        "sha256_digest": record.sha256_digest,
        "digests": {"md5": record.md5_digest, "sha256": record.sha256_digest,
                    "blake2b_256": record.blake2_256_digest},
        "size": record.size,
        "has_sig": record.has_signature,
        "downloads": record.downloads,
        "path": record.path,
        "url": file_url(record, settings),
        "upload_time": record.upload_time.strftime("%Y-%m-%dT%H:%M:%S"),
        "upload_time_iso_8601": iso_8601(record),
        "requires_python": record.requires_python,
        "yanked": yanked,
        "yanked_reason": None,
    }


def iso_8601(record: FileRecord) -> str:
    """The upload time as ISO 8601 UTC with microseconds and ``Z`` (PEP 700's form)."""
    return record.upload_time.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def release_files_structs(store: Store, name: str, settings: Any,
                          releases: Sequence[Release | ReleaseOrder] | None = None,
                          files: list[FileRecord] | None = None) -> dict[str, list[dict]]:
    """``{version: [file struct, ...]}`` for every release (hidden included, newest first
    in ``releases``), files by name.

    One ``list_files`` call for the whole project instead of one per release, or
    none when the caller read ``files`` already (``Store.index_listing``).
    """
    if releases is None:
        releases = store.list_releases(name)
    hidden = {release.version: release.hidden for release in releases}
    structs: dict[str, list[dict]] = {release.version: [] for release in reversed(releases)}
    for record in files if files is not None else store.list_files(name):
        if record.version in structs:
            structs[record.version].append(file_struct(record, settings,
                                                       yanked=hidden[record.version]))
    return structs
