"""XML-RPC methods mirrors poll: the changelog, serials and what changed since a time.

Times cross the wire as int Unix seconds. Stored times are naive UTC, so they
convert with ``calendar.timegm`` (legacy used local time, right only because
its server ran in UTC).
"""
from __future__ import annotations

import calendar
from datetime import datetime, timezone
from typing import Any

from storage_backends.records import JournalEntry

from ..context import RequestContext

# Rows per changelog_since_serial call, as final legacy: a mirror loops until it
# gets fewer. The store reads journals by serial > since with this limit, so a
# call costs what it returns, not the size of the journal.
SERIAL_PAGE = 50_000


def unix_time(when: datetime) -> int:
    return calendar.timegm(when.timetuple())


def _since(seconds: int) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"since: {seconds} is not a usable Unix time") from None


def _row(entry: JournalEntry, with_id: bool) -> list[Any]:
    row = [entry.name, entry.version, unix_time(entry.submitted_date), entry.action]
    return row + [entry.serial] if with_id else row


def changelog(ctx: RequestContext, since: int, with_ids: bool) -> list[list[Any]]:
    """[name, version, time, action] (and serial if with_ids) of every change after since."""
    return [_row(entry, with_ids) for entry in ctx.store.changelog_since(_since(since))]


def changelog_last_serial(ctx: RequestContext) -> int | None:
    """The highest serial; nil while nothing was ever journalled."""
    return ctx.store.last_serial() or None


def changelog_since_serial(ctx: RequestContext, since_serial: int) -> list[list[Any]]:
    """[name, version, time, action, serial] after since_serial, at most 50000, oldest first."""
    return [_row(entry, True)
            for entry in ctx.store.changelog_since_serial(since_serial, limit=SERIAL_PAGE)]


def changed_packages(ctx: RequestContext, since: int) -> list[str]:
    """The names of the projects changed after since."""
    return ctx.store.changed_projects(_since(since))


def updated_releases(ctx: RequestContext, since: int) -> list[list[str]]:
    """[name, version] of the visible releases created after since, newest first."""
    return [[name, version] for name, version in ctx.store.updated_releases(_since(since))]
