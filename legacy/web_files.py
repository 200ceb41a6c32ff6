"""The files page's removal form: ``files`` with ``submit_remove`` and ``file-ids``.

Unlike 2010, which deleted any file whose MD5 was given, each file must
belong to the release whose page posted the form, and the caller needs
rights on its package (HEAD's fix).
"""
from __future__ import annotations

from storage_backends.errors import NoSuchFile
from storage_backends.records import ADMIN, MAINTAINER, OWNER

from .context import RequestContext
from .http_errors import BadRequest
from .sessions import check_csrf
from .web_guard import require_confirmed


def remove_files(ctx: RequestContext, release) -> list[str] | None:
    if "submit_remove" not in ctx.form or ctx.user is None:
        return None
    if not ctx.store.has_role(ctx.user, release.name, OWNER, MAINTAINER, ADMIN):
        return None   # legacy ignored the fields for callers without rights
    check_csrf(ctx)
    require_confirmed(ctx)
    digests = ctx.form.texts("file-ids")
    records = [ctx.store.get_file_by_md5(d) for d in digests if len(d) <= 64]
    records = [r for r in records if r and (r.name, r.version) == (release.name, release.version)]
    if not records:
        raise BadRequest("No such files to remove")
    notes = []
    for record in records:
        try:
            ctx.store.remove_file(ctx.actor, record.filename)
        except NoSuchFile:
            continue
        for suffix in ("", ".asc", ".metadata"):
            ctx.blobs.delete(record.path + suffix)
        notes.append(f"Removed {record.filename}")
    return notes
