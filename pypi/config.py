"""Configuration: the legacy ``config.ini`` keys plus this server's own, as one frozen value.

A legacy config file works unchanged; keys this server does not use are
collected in ``Config.ignored_keys`` so that start-up can report them once.
"""
from __future__ import annotations

import configparser
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

MIB = 1 << 20
DEFAULT_DATA_DIR = Path("pypi-data")

# Keys read by this server, per section. Anything else is reported, never fatal.
KNOWN_KEYS = {
    "database": {"backend", "url", "driver", "name", "user", "password", "host", "port",
                 "files_dir", "docs_dir", "datastore_file", "change_counter"},
    "webui": {"url", "files_url", "simple_script", "adminemail", "debug_mode",
              "max_upload_size", "max_signature_size", "package_docs_url", "key_dir", "privkey"},
    "server": {"host", "port", "threads", "trusted_proxy", "page_cache_mb", "page_files",
               "password_worker",
               "page_dir", "index_threads", "channel_timeout"},
    "xmlrpc": {"max_body_size"},
    "smtp": {"hostname", "starttls", "auth", "login", "password", "maildir"},
    "blocking": {"blocked_timeout", "blocked_attempts_ip", "blocked_attempts_user"},
}


class ConfigError(Exception):
    """A setting that cannot be used, named as ``[section] key: problem``."""


@dataclass(frozen=True)
class Config:
    database_url: str
    files_dir: Path
    docs_dir: Path
    backend: str = "sql"
    datastore_file: Path | None = None   # backend gae off App Engine: the datastore stub's file
    change_counter: Path | None = None   # PostgreSQL/MariaDB written from this host only
    base_url: str = "http://127.0.0.1:8080/pypi"
    files_url: str = "/packages"
    simple_script: str = "/simple"
    admin_email: str = "admin@localhost"
    debug: bool = False
    max_upload_size: int = 60 * MIB
    max_signature_size: int = 100 * 1024
    key_dir: Path | None = None     # privkey/pubkey for /serversig; None: <data dir>/keys
    privkey: Path | None = None     # legacy [webui] privkey: the private key's own path
    package_docs_url: str = "/docs"  # hosted documentation, served under /docs/<name>/
    smtp_hostname: str | None = None  # None: mails are written into mail_dir
    smtp_starttls: bool = False
    smtp_login: str | None = None
    smtp_password: str | None = None
    mail_dir: Path | None = None      # None: <data dir>/mail
    blocked_timeout: int = 600        # failed-login window, seconds
    blocked_attempts_ip: int = 10
    blocked_attempts_user: int = 1000
    host: str = "127.0.0.1"
    port: int = 8080
    threads: int = 8
    # Threads of their own for /simple/<name>/ (pypi/lanes.py); 0, the default, none: a lane of
    # one was the default on SQLite while a page cost several GIL-releasing system calls, but
    # a page now costs none, and where waking a thread is slow the lone thread waited for the
    # GIL on nearly every request (400 pages a second where the pool of four served 2,400).
    index_threads: int = 0
    trusted_proxy: str | None = None
    page_cache_mb: int = 8            # built index pages kept per process (legacy/page_cache.py)
    page_files: bool = True           # built index pages also kept as files (legacy/page_files.py)
    page_dir: Path | None = None      # where; None: <data dir>/pages
    password_worker: bool = True      # `pypi serve` hashes in a child (pypi/password_worker.py)
    channel_timeout: int = 120        # seconds a connection may sit idle mid-request (waitress)
    xmlrpc_max_body_size: int = 10 * MIB   # legacy refused XML-RPC bodies of 10 MiB or more
    source: Path | None = None
    ignored_keys: tuple[str, ...] = field(default=())

    @classmethod
    def embedded_default(cls, data_dir: Path = DEFAULT_DATA_DIR) -> "Config":
        """SQLite and local files under ``./pypi-data``: no set-up needed."""
        data_dir = data_dir.resolve()
        return cls(database_url=f"sqlite:///{data_dir / 'pypi.db'}",
                   files_dir=data_dir / "packages", docs_dir=data_dir / "docs")

    @classmethod
    def from_ini(cls, path: str | os.PathLike) -> "Config":
        path = Path(path)
        parser = configparser.ConfigParser(interpolation=None)
        try:
            with open(path, encoding="utf-8") as handle:
                parser.read_file(handle)
        except (OSError, configparser.Error, UnicodeDecodeError) as err:
            raise ConfigError(f"cannot read {path}: {err}") from None
        return cls._from_parser(parser, path)

    @classmethod
    def _from_parser(cls, parser: configparser.ConfigParser, path: Path) -> "Config":
        here = path.resolve().parent

        def get(section, key, default=None):
            value = parser.get(section, key, fallback=None)
            return default if value is None or value.strip() == "" else value.strip()

        def local_path(section, key, default):
            value = get(section, key)
            return (here / value).resolve() if value else default

        def integer(section, key, default):
            value = get(section, key)
            if value is None:
                return default
            try:
                return int(value)
            except ValueError:
                raise ConfigError(f"[{section}] {key}: {value!r} is not a whole number") from None

        def switch(section, key, default):
            """A yes/true/on/1 setting (any case); anything else is off."""
            return get(section, key, default).lower() in ("yes", "true", "on", "1")

        data_dir = here / DEFAULT_DATA_DIR
        base_url = get("webui", "url", "http://127.0.0.1:8080/pypi").rstrip("/")
        if urlsplit(base_url).scheme not in ("http", "https"):
            raise ConfigError(f"[webui] url: {base_url!r} is not an http(s) URL")
        return cls(
            database_url=_database_url(get, here, data_dir),
            backend=get("database", "backend", "sql"),
            datastore_file=local_path("database", "datastore_file", None),
            change_counter=local_path("database", "change_counter", None),
            files_dir=local_path("database", "files_dir", data_dir / "packages"),
            docs_dir=local_path("database", "docs_dir", data_dir / "docs"),
            base_url=base_url,
            files_url=get("webui", "files_url", "/packages").rstrip("/"),
            simple_script=get("webui", "simple_script", "/simple").rstrip("/"),
            admin_email=get("webui", "adminemail", "admin@localhost"),
            debug=switch("webui", "debug_mode", "no"),
            max_upload_size=integer("webui", "max_upload_size", 60 * MIB),
            max_signature_size=integer("webui", "max_signature_size", 100 * 1024),
            key_dir=local_path("webui", "key_dir", data_dir / "keys"),
            privkey=local_path("webui", "privkey", None),
            package_docs_url=get("webui", "package_docs_url", "/docs").rstrip("/"),
            smtp_hostname=get("smtp", "hostname"),
            smtp_starttls=switch("smtp", "starttls", "off"),
            smtp_login=get("smtp", "login") if switch("smtp", "auth", "off") else None,
            smtp_password=get("smtp", "password"),
            mail_dir=local_path("smtp", "maildir", data_dir / "mail"),
            blocked_timeout=integer("blocking", "blocked_timeout", 600),
            blocked_attempts_ip=integer("blocking", "blocked_attempts_ip", 10),
            blocked_attempts_user=integer("blocking", "blocked_attempts_user", 1000),
            host=get("server", "host", "127.0.0.1"),
            port=integer("server", "port", 8080),
            threads=integer("server", "threads", 8),
            index_threads=_not_negative(integer("server", "index_threads", 0),
                                        "[server] index_threads"),
            trusted_proxy=get("server", "trusted_proxy"),
            channel_timeout=_positive(integer("server", "channel_timeout", 120),
                                      "[server] channel_timeout"),
            page_cache_mb=integer("server", "page_cache_mb", 8),
            page_files=switch("server", "page_files", "on"),
            password_worker=switch("server", "password_worker", "on"),
            page_dir=local_path("server", "page_dir", data_dir / "pages"),
            xmlrpc_max_body_size=integer("xmlrpc", "max_body_size", 10 * MIB),
            source=path,
            ignored_keys=_ignored_keys(parser),
        )

    @property
    def mail_directory(self) -> Path:
        """Where mails go without an SMTP server."""
        return self.mail_dir or self.files_dir.parent / "mail"

    @property
    def page_directory(self) -> Path | None:
        """Where built index pages are kept as files; None: they are not."""
        if not self.page_files:
            return None
        return self.page_dir or self.files_dir.parent / "pages"

    @property
    def private_key_path(self) -> Path:
        """The DSA key that signs simple pages: legacy ``privkey`` if set, else ``key_dir/privkey``."""
        return self.privkey or self.public_key_path.with_name("privkey")

    @property
    def public_key_path(self) -> Path:
        """Where ``pypi genkey`` writes the public key (``/serverkey`` derives it from the private one)."""
        key_dir = self.key_dir or self.files_dir.parent / "keys"
        return key_dir / "pubkey"

    @property
    def base_path(self) -> str:
        """The path part of the base URL: the mount point of the legacy handlers."""
        return urlsplit(self.base_url).path or "/pypi"


def _database_url(get, here: Path, data_dir: Path) -> str:
    """``[database] url``, else a URL built from the legacy keys, else embedded SQLite."""
    url = get("database", "url")
    if url:
        return url
    name = get("database", "name")
    driver = get("database", "driver", "postgresql")
    if name is None:
        return f"sqlite:///{(data_dir / 'pypi.db').resolve()}"
    if driver in ("sqlite3", "sqlite"):
        return f"sqlite:///{(here / name).resolve()}"
    if driver in ("psycopg2", "postgresql", "postgres", "psycopg"):
        scheme = "postgresql+psycopg"
    elif driver in ("mysql", "pymysql", "mariadb"):
        scheme = "mysql+pymysql"
    else:
        raise ConfigError(f"[database] driver: {driver!r} is not sqlite3, psycopg2 or mysql")
    user = get("database", "user", "")
    password = get("database", "password")
    credentials = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
    host = get("database", "host", "")
    port = get("database", "port")
    location = host + (f":{port}" if port else "")
    url = f"{scheme}://{credentials}{'@' if credentials else ''}{location}/{quote(name, safe='')}"
    if not host:  # legacy 2010 connected through the local socket
        url += "?host=/var/run/postgresql" if scheme.startswith("postgresql") else ""
    return url


def _not_negative(value: int, name: str) -> int:
    if value < 0:
        raise ConfigError(f"{name}: {value} is below 0")
    return value


def _positive(value: int, name: str) -> int:
    if value < 1:
        raise ConfigError(f"{name}: {value} is not a positive number of seconds")
    return value


def _ignored_keys(parser: configparser.ConfigParser) -> tuple[str, ...]:
    ignored = []
    for section in parser.sections():
        known = KNOWN_KEYS.get(section, set())
        ignored.extend(f"[{section}] {key}" for key in parser.options(section) if key not in known)
    return tuple(ignored)
