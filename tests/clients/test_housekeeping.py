"""``pypi housekeeping``: the daily clean-up legacy ran from cron."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pypi.backends import open_store
from pypi.cli import main
from pypi.config import Config
from storage_backends.records import Actor


def test_housekeeping_ends_idle_sessions_and_removes_unconfirmed_accounts(tmp_path, capsys):
    config_path = tmp_path / "config.ini"
    config_path.write_text(f"[database]\nurl = sqlite:///{tmp_path / 'pypi.db'}\n"
                           f"files_dir = {tmp_path / 'packages'}\n")
    assert main(["initdb", "--config", str(config_path)]) == 0
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    store = open_store(Config.from_ini(config_path))
    try:
        store.create_user("active", "active@example.org", "x")
        store.create_session("fresh", "active", now - timedelta(hours=2))
        store.create_session("stale", "active", now - timedelta(days=2))
        store.register_user("late", "late@example.org", "x", "k" * 32, now - timedelta(days=8))
        store.register_user("owner", "owner@example.org", "x", "o" * 32, now - timedelta(days=8))
        store.create_project(Actor("owner", "127.0.0.1"), "kept-because-owned")
        store.register_user("recent", "recent@example.org", "x", "r" * 32, now - timedelta(days=1))
    finally:
        store.close()

    capsys.readouterr()
    assert main(["housekeeping", "--config", str(config_path)]) == 0
    assert "1 idle sessions ended; 1 unconfirmed accounts removed: late" in capsys.readouterr().out

    store = open_store(Config.from_ini(config_path))
    try:
        assert store.session_user("fresh", now) == "active"
        assert store.session_user("stale", now) is None
        assert store.get_user("late") is None
        assert store.get_user("owner") is not None      # holds a role: kept
        assert store.get_user("recent") is not None     # key still valid: kept
    finally:
        store.close()
