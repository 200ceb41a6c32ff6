"""XML-RPC methods about projects, releases, files, roles and downloads.

Names are matched exactly (case-sensitive), as in every legacy version; an
unknown project or release gives an empty answer, not a fault, except where
legacy faulted (``package_hosting_mode``). Hidden releases are listed only by
``package_releases(name, True)`` but are described by ``release_urls`` and
``release_data`` (``spec/storage-model.md`` §6).
"""
from __future__ import annotations

from typing import Any, Iterator

from storage_backends.interface import Store

from ..context import RequestContext
from ..release_structs import DEPENDENCY_KEYS, file_struct, release_data as release_struct
from .protocol import LISTING_PIECE


def list_packages(ctx: RequestContext) -> list[str]:
    """Every project name, ordered by name."""
    return [project.name for project in ctx.store.list_project_names()]


def list_packages_with_serial(ctx: RequestContext) -> dict[str, int]:
    """Every project name with the serial of its last change."""
    return {project.name: project.last_serial for project in ctx.store.list_project_names()}


def listing_items(store: Store, method: str) -> tuple[Iterator, bool]:
    """The items of ``list_packages`` (names) or ``list_packages_with_serial`` (name and
    serial pairs, a struct: True) as the store reads them, for ``protocol.dump_listing``."""
    projects = (project for piece in store.project_name_pieces(LISTING_PIECE)
                for project in piece)
    if method == "list_packages":
        return (project.name for project in projects), False
    return ((project.name, project.last_serial) for project in projects), True


def package_releases(ctx: RequestContext, name: str, show_hidden: bool) -> list[str]:
    """The project's versions, newest first; hidden ones only when show_hidden is true."""
    return [release.version
            for release in ctx.store.list_releases(name, include_hidden=show_hidden)]


def release_urls(ctx: RequestContext, name: str, version: str) -> list[dict[str, Any]]:
    """The files of one release (hidden or not), by file name."""
    release = ctx.store.get_release(name, version)
    if release is None:
        return []
    return [_xmlrpc_file(record, ctx, release.hidden)
            for record in ctx.store.list_files(name, version)]


def _xmlrpc_file(record, ctx: RequestContext, hidden: bool) -> dict[str, Any]:
    """The JSON API's file struct, with ``upload_time`` as an XML-RPC dateTime as legacy sent."""
    struct = file_struct(record, ctx.settings, yanked=hidden)
    struct["upload_time"] = record.upload_time
    return struct


def release_data(ctx: RequestContext, name: str, version: str) -> dict[str, Any]:
    """The metadata of one release (hidden or not); {} for an unknown release."""
    release = ctx.store.get_release(name, version)
    if release is None:
        return {}
    data = release_struct(ctx.store, release, ctx.settings)
    # 2010 always sent the dependency lists (final: only non-empty ones) and stable_version.
    for key in DEPENDENCY_KEYS:
        data.setdefault(key, [])
    data.setdefault("stable_version", None)
    return data


def package_roles(ctx: RequestContext, name: str) -> list[list[str]]:
    """[role, user] for each role on the project."""
    return [[role.role_name, role.user_name] for role in ctx.store.roles_for_project(name)]


def user_packages(ctx: RequestContext, user: str) -> list[list[str]]:
    """[role, project] for each project role of the user (site-wide roles have no project)."""
    return [[role.role_name, role.package_name] for role in ctx.store.roles_for_user(user)
            if role.package_name is not None]


def release_downloads(ctx: RequestContext, name: str, version: str) -> list[list[Any]]:
    """[filename, downloads] for each file of the release."""
    return [[record.filename, record.downloads]
            for record in ctx.store.list_files(name, version)]


def top_packages(ctx: RequestContext, num: int | None) -> list[list[Any]]:
    """[project, downloads] of the most downloaded projects, at most num of them."""
    if num is not None and num < 0:
        raise ValueError("top_packages: num must not be negative")
    return [[name, total] for name, total in ctx.store.top_projects(num)]


def package_hosting_mode(ctx: RequestContext, name: str) -> str:
    """The project's PEP 438 hosting mode (always pypi-explicit here)."""
    project = ctx.store.get_project(name)
    if project is None:
        raise ValueError(f"package_hosting_mode: no project named {name!r}")
    return project.hosting_mode
