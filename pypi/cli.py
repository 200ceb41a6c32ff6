"""The ``pypi`` command: initdb, upgradedb, adduser, serve, genkey, mirror, ...

With no ``--config`` (and no ``PYPI_CONFIG``) every command works on the
embedded default: SQLite and files under ``./pypi-data``.
"""
from __future__ import annotations

import argparse
import gc
import logging
import os
import sys

from legacy.page_files import PageFiles
from storage_backends.errors import MirrorExists, NoSuchMirror, NoSuchUser, StorageError, UserExists
from storage_backends.records import ADMIN, Actor
from storage_backends.recovery import publish_pending

from .backends import open_store
from .backfill import cmd_backfill_digests
from .config import Config, ConfigError
from .keys import KeyExists, generate_key_pair
from .passwords import hash_password
from .housekeeping import cmd_housekeeping
from .schema_commands import cmd_downgradedb, cmd_upgradedb

log = logging.getLogger("pypi")


def load_config(path: str | None) -> Config:
    path = path or os.environ.get("PYPI_CONFIG")
    config = Config.from_ini(path) if path else Config.embedded_default()
    for key in config.ignored_keys:
        log.info("config: %s is not used by this server", key)
    return config


def cmd_initdb(config: Config, args) -> int:
    store = open_store(config, create=True)
    try:
        added = store.add_classifiers(_known_classifiers())
        fresh = store.last_serial() == 0
    finally:
        store.close()
    directory = config.page_directory
    if fresh and directory is not None and directory.is_dir():
        # A new index starts its serials again: pages kept for an old one must go.
        PageFiles(directory).clear()
    print(f"database ready at {_safe_url(config.database_url)} ({added} classifiers added)")
    return 0


def cmd_adduser(config: Config, args) -> int:
    store = open_store(config)
    try:
        store.create_user(args.name, args.email, hash_password(args.password))
        if args.admin:
            store.add_role(Actor(None, "cli"), ADMIN, args.name, None)
    except UserExists:
        print(f"pypi adduser: user {args.name!r} already exists", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"user {args.name} added" + (" as Admin" if args.admin else ""))
    return 0


def cmd_genkey(config: Config, args) -> int:
    private, public = config.private_key_path, config.public_key_path
    try:
        generate_key_pair(private, public, force=args.force)
    except KeyExists as err:
        print(f"pypi genkey: {err}", file=sys.stderr)
        return 1
    print(f"DSA key pair written: {private} (private, mode 0600), {public}")
    return 0


def cmd_mirror(config: Config, args) -> int:
    """Register, unregister and list PEP 381 mirrors (shown on /mirrors)."""
    store = open_store(config)
    try:
        if args.mirror_command == "add":
            store.add_mirror(args.ip, args.user)
            print(f"mirror {args.ip} added")
        elif args.mirror_command == "remove":
            store.remove_mirror(args.ip)
            print(f"mirror {args.ip} removed")
        else:
            for mirror in store.list_mirrors():
                print(mirror.ip + (f"\t{mirror.user_name}" if mirror.user_name else ""))
    except (MirrorExists, NoSuchMirror, NoSuchUser) as err:
        print(f"pypi mirror {args.mirror_command}: {err}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


def cmd_serve(config: Config, args) -> int:
    from waitress.server import create_server

    from .app import PypiApp
    from .backends import open_backends
    from .glibc_malloc import fix_mmap_threshold, limit_arenas
    from .lanes import IndexLaneDispatcher
    from .log_limits import limit_queue_warnings

    fix_mmap_threshold()
    limit_arenas()
    limit_queue_warnings()
    host = args.host or config.host
    port = args.port if args.port is not None else config.port
    store, blobs = open_backends(config, create=True)
    if not store.list_classifiers():
        store.add_classifiers(_known_classifiers())
    for key in publish_pending(store, blobs):
        log.warning("published %s: its upload was interrupted after the commit", key)
    store.begin_serving()
    worker = None
    if config.password_worker:
        from legacy.passwords import use_worker

        from .password_worker import Argon2Worker
        use_worker(worker := Argon2Worker())
        worker.start()
    app = PypiApp(config, store, blobs)
    # What start-up made lives as long as the process: out of the collector's sight, a full
    # collection (several during a /simple/ build of 100k projects) walks only what came after.
    gc.collect()
    gc.freeze()
    print(f"serving {_safe_url(config.database_url)} on http://{host}:{port}{config.base_path}", flush=True)
    threads = args.threads or config.threads
    dispatcher = IndexLaneDispatcher(config.simple_script, config.index_threads)
    try:
        server = create_server(app, host=host, port=port, threads=threads,
                               max_request_body_size=config.max_upload_size + (2 << 20),
                               clear_untrusted_proxy_headers=True, ident="pypi",
                               channel_timeout=config.channel_timeout,
                               cleanup_interval=min(30, config.channel_timeout),
                               _dispatcher=dispatcher,
                               **_proxy_settings(config))
        dispatcher.set_thread_count(threads)   # waitress starts only its own dispatcher's
        server.run()
    finally:
        app.close()
        if worker is not None:
            use_worker(None)
            worker.close()
    return 0


def cmd_fsck(config: Config, args) -> int:
    from .fsck import cmd_fsck as fsck
    return fsck(config, args)


def cmd_build_pages(config: Config, args) -> int:
    from .build_pages import cmd_build_pages as build
    return build(config, args)


def cmd_load_sample(config: Config, args) -> int:
    from .load_sample import cmd_load_sample as load
    return load(config, args)


def _proxy_settings(config: Config) -> dict:
    """Forwarded headers are believed only from the configured proxy; waitress then sets
    the client address and the scheme (so redirects keep https) and drops them otherwise."""
    if not config.trusted_proxy:
        return {}
    return {"trusted_proxy": config.trusted_proxy,
            "trusted_proxy_headers": "x-forwarded-for x-forwarded-proto x-forwarded-host"}


def _known_classifiers() -> list[str]:
    from trove_classifiers import sorted_classifiers
    return list(sorted_classifiers)


def _safe_url(url: str) -> str:
    """The database URL without its password, for printing."""
    from sqlalchemy.engine import make_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<database>"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pypi", description="A legacy-compatible Python package index.")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name, func, help_text):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--config", help="config.ini (default: $PYPI_CONFIG, else the embedded default)")
        sub.set_defaults(func=func)
        return sub

    command("initdb", cmd_initdb, "create the schema and load the trove classifiers")
    command("upgradedb", cmd_upgradedb,
            "migrate the schema to this version's (a legacy PyPI database included; only adds)")
    command("downgradedb", cmd_downgradedb,
            "remove what upgradedb added, leaving legacy PyPI's own schema")
    backfill = command("backfill-digests", cmd_backfill_digests,
                       "add sha256/BLAKE2b digests and sizes to files a legacy PyPI stored")
    backfill.add_argument("--batch", type=int, default=500, help="files read per query")
    command("housekeeping", cmd_housekeeping,
            "daily clean-up for cron: end idle sessions, remove never-confirmed accounts")
    adduser = command("adduser", cmd_adduser, "add a user account")
    adduser.add_argument("name")
    adduser.add_argument("--email", required=True)
    adduser.add_argument("--password", required=True)
    adduser.add_argument("--admin", action="store_true", help="grant the site-wide Admin role")
    serve = command("serve", cmd_serve, "run the server with waitress")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--threads", type=int)
    genkey = command("genkey", cmd_genkey, "write the DSA key pair that signs /simple/ pages")
    genkey.add_argument("--force", action="store_true", help="replace an existing key pair")
    mirror = commands.add_parser("mirror", help="register PEP 381 mirrors (listed on /mirrors)")
    mirror_commands = mirror.add_subparsers(dest="mirror_command", required=True)
    for name, help_text in (("add", "register a mirror"), ("remove", "unregister a mirror"),
                            ("list", "list the registered mirrors")):
        sub = mirror_commands.add_parser(name, help=help_text)
        sub.add_argument("--config", help="config.ini (default: $PYPI_CONFIG, else the embedded default)")
        sub.set_defaults(func=cmd_mirror)
        if name != "list":
            sub.add_argument("ip", help="the mirror's IP address or host name")
        if name == "add":
            sub.add_argument("user", nargs="?", help="the account that maintains the mirror")
    migrate = commands.add_parser(
        "migrate", help="copy a whole index (metadata, journal, file bytes) to another backend")
    migrate.add_argument("--from", dest="source", required=True, metavar="CFG_A",
                         help="config.ini of the index to copy (only read)")
    migrate.add_argument("--to", dest="target", required=True, metavar="CFG_B",
                         help="config.ini of the index to fill (created when missing)")
    migrate.add_argument("--force", action="store_true",
                         help="copy into a target that is not empty, replacing same-named records")
    fsck = command("fsck", cmd_fsck, "check that every file record has its bytes and nothing "
                   "else is stored; exit 1 when something is wrong")
    fsck.add_argument("--repair", action="store_true",
                      help="remove orphans and records without bytes, publish waiting uploads")
    fsck.add_argument("--grace", type=int, default=3600, metavar="SECONDS",
                      help="temporary bytes younger than this may be uploads in flight and are "
                           "left alone (default 3600)")
    fsck.add_argument("--quick", action="store_true",
                      help="compare sizes only, without reading the bytes for their digests")
    command("build-pages", cmd_build_pages,
            "write every project's simple page as a kept file (after a large import)")
    load = command("load-sample", cmd_load_sample,
                   "fill the index with a generated, scrubbed sample (deterministic for a seed)")
    load.add_argument("--projects", type=int, required=True, metavar="N")
    load.add_argument("--seed", type=int, default=0, metavar="S")
    load.add_argument("--force", action="store_true",
                      help="load into an index that is not empty, replacing same-named projects")
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        if args.command == "migrate":
            from .migrate import cmd_migrate
            return cmd_migrate(args, load_config)
        return args.func(load_config(args.config), args)
    except (ConfigError, StorageError) as err:
        print(f"pypi {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
