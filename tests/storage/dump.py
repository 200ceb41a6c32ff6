"""``canonical_dump``: everything a store (and its blob store) holds, as one comparable value.

Read only through the interface, sorted and JSON-shaped, with the sha256 of
every blob a file record names (the file, and its ``.asc`` and ``.metadata``
when the record says they exist), so two indexes compare equal exactly when a
migration copied everything.
"""
from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime

from storage_backends.errors import NoSuchFile
from storage_backends.interface import BlobStore, Store


def _plain(value):
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def blob_digest(blobs: BlobStore, key: str) -> str | None:
    """sha256 of the bytes at ``key``, or None when they are missing."""
    digest = hashlib.sha256()
    try:
        for chunk in blobs.open_range(key):
            digest.update(chunk)
    except NoSuchFile:
        return None
    return digest.hexdigest()


def blob_keys(record) -> list[str]:
    """The blob keys a file record names."""
    keys = [record.path]
    if record.has_signature:
        keys.append(record.path + ".asc")
    if record.metadata_sha256:
        keys.append(record.path + ".metadata")
    return keys


def canonical_dump(store: Store, blobs: BlobStore | None = None) -> dict:
    projects = []
    for export in store.export_projects():
        files = []
        for record in export.files:
            entry = _plain(record)
            if blobs is not None:
                entry["blobs"] = {key: blob_digest(blobs, key) for key in blob_keys(record)}
            files.append(entry)
        projects.append({
            "project": _plain(export.project),
            "releases": sorted((_plain(r) for r in export.releases), key=lambda r: r["version"]),
            "files": sorted(files, key=lambda f: f["filename"]),
            "roles": sorted((_plain(r) for r in export.roles),
                            key=lambda r: (r["role_name"], r["user_name"])),
        })
    return {
        "last_serial": store.last_serial(),
        "classifiers": sorted(store.classifier_ids().items()),
        "users": [_plain(u) for u in store.export_users()],
        "projects": sorted(projects, key=lambda p: p["project"]["name"]),
        "journal": [_plain(e) for rows in store.export_journal() for e in rows],
        "mirrors": [_plain(m) for m in store.list_mirrors()],
    }
