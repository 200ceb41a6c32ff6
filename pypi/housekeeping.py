"""``pypi housekeeping``: legacy PyPI's daily clean-up, to run from cron.

Sessions unused for a day are deleted, and accounts whose registration was
never confirmed within the key's seven days are removed when they hold no role
(legacy's final rule). Both are idempotent, so running it more often is harmless.
"""
from __future__ import annotations

from datetime import datetime, timezone

from legacy.sessions import SESSION_IDLE
from legacy.web_accounts import OTK_LIFETIME

from .backends import open_store
from .config import Config


def cmd_housekeeping(config: Config, args) -> int:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    store = open_store(config)
    try:
        sessions = store.expire_sessions(now - SESSION_IDLE)
        purged = store.purge_unconfirmed_users(now - OTK_LIFETIME)
    finally:
        store.close()
    print(f"{sessions} idle sessions ended; {len(purged)} unconfirmed accounts removed"
          + (f": {', '.join(purged)}" if purged else ""))
    return 0
