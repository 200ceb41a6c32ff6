"""config.ini: the project's keys, the legacy keys unchanged, and clear errors."""
from __future__ import annotations

import pytest

from pypi.config import Config, ConfigError


def write(tmp_path, text):
    path = tmp_path / "config.ini"
    path.write_text(text)
    return path


def test_legacy_database_keys_make_a_postgresql_url(tmp_path):
    config = Config.from_ini(write(tmp_path, "[database]\nname = packages\nuser = pypi\npassword = p@ss\n"
                                             "host = db.local\nport = 5433\nfiles_dir = /srv/files\n"
                                             "docs_dir = docs\n[webui]\nurl = http://example.test/pypi\n"
                                             "mailhost = localhost\nrss_file = /tmp/rss.xml\n"))
    assert config.database_url == "postgresql+psycopg://pypi:p%40ss@db.local:5433/packages"
    assert str(config.files_dir) == "/srv/files"
    assert config.docs_dir == (tmp_path / "docs").resolve()
    assert config.base_path == "/pypi"
    assert "[webui] mailhost" in config.ignored_keys and "[webui] rss_file" in config.ignored_keys


def test_legacy_sqlite_driver(tmp_path):
    config = Config.from_ini(write(tmp_path, "[database]\ndriver = sqlite3\nname = pypi.sqlite\n"))
    assert config.database_url == f"sqlite:///{(tmp_path / 'pypi.sqlite').resolve()}"


def test_url_wins_and_defaults_are_embedded(tmp_path):
    config = Config.from_ini(write(tmp_path, "[database]\nurl = mysql+pymysql://u@127.0.0.1/p\n"))
    assert config.database_url == "mysql+pymysql://u@127.0.0.1/p"
    assert config.files_dir == (tmp_path / "pypi-data" / "packages").resolve()
    assert (config.host, config.port, config.max_upload_size) == ("127.0.0.1", 8080, 60 << 20)


def test_embedded_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = Config.embedded_default()
    assert config.database_url == f"sqlite:///{tmp_path.resolve() / 'pypi-data' / 'pypi.db'}"


@pytest.mark.parametrize("text, message", [
    ("[server]\nport = eighty\n", "[server] port"),
    ("[webui]\nurl = ftp://x/pypi\n", "[webui] url"),
    ("[database]\nname = x\ndriver = oracle\n", "[database] driver"),
    ("not an ini file", "cannot read"),
    ("[server]\nchannel_timeout = 0\n", "[server] channel_timeout"),
    ("[server]\nindex_threads = -1\n", "[server] index_threads"),
])
def test_bad_settings_are_named(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Config.from_ini(write(tmp_path, text))


@pytest.mark.parametrize("text, lane", [
    ("[database]\nurl = sqlite:///x.db\n", 0),
    ("[database]\nurl = postgresql+psycopg://u@127.0.0.1/x\nchange_counter = c\n", 0),
    ("[database]\nbackend = gae\n", 0),
    ("[database]\nurl = sqlite:///x.db\n[server]\nindex_threads = 1\n", 1),
    ("[database]\nurl = postgresql+psycopg://u@127.0.0.1/x\n[server]\nindex_threads = 2\n", 2),
])
def test_index_lane_is_off_unless_asked_for(tmp_path, text, lane):
    assert Config.from_ini(write(tmp_path, text)).index_threads == lane


def test_sample_config_is_valid_and_uses_every_key(tmp_path):
    from pathlib import Path
    sample = Path(__file__).resolve().parents[2] / "config.ini.sample"
    config = Config.from_ini(sample)
    assert config.ignored_keys == ()


@pytest.mark.parametrize("text, expected", [
    ("", True), ("[server]\npassword_worker = off\n", False), ("[server]\npassword_worker = Yes\n", True),
])
def test_password_worker_is_on_unless_turned_off(tmp_path, text, expected):
    assert Config.from_ini(write(tmp_path, text)).password_worker is expected


def test_change_counter_is_a_path_beside_the_config_or_none(tmp_path):
    assert Config.from_ini(write(tmp_path, "")).change_counter is None
    config = Config.from_ini(write(tmp_path, "[database]\nchange_counter = data/counter\n"))
    assert config.change_counter == (tmp_path / "data" / "counter").resolve()
    assert config.ignored_keys == ()
