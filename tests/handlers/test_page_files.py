"""Built index pages kept as files (``legacy/page_files.py``).

A page file may be read by any process on the machine, long after it was
written: it must be served only while the serials it was built from are
current, exactly as a freshly built page would be, and a damaged or
unwritable file must never cost more than a rebuild.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import webtest

from legacy.page_files import PageFiles
from pypi.app import PypiApp
from pypi.config import Config
from storage_backends.local_blobs import LocalBlobStore
from storage_backends.records import Actor
from storage_backends.sql import open_sql_store
from tests.handlers.uploading import upload_sdist, upload_wheel

V1_JSON = "application/vnd.pypi.simple.v1+json"
PAGES = [("/simple/demo/", {}), ("/simple/demo/", {"Accept": V1_JSON}), ("/simple/", {}),
         ("/simple/", {"Accept": V1_JSON})]


def _answers(web) -> list[tuple[int, list, bytes]]:
    answers = []
    for path, headers in PAGES:
        response = web.get(path, headers=headers, status="*")
        answers.append((response.status_int, sorted(response.headerlist), response.body))
    return answers


def _fresh_app(config: Config) -> PypiApp:
    """Another server process on the same database and page directory, its memory empty."""
    return PypiApp(config, open_sql_store(config.database_url), LocalBlobStore(config.files_dir))


def _count_reads(app: PypiApp, monkeypatch) -> list[str]:
    reads = []
    for method in ("index_page", "index_listing"):
        original = getattr(app.store, method)
        monkeypatch.setattr(app.store, method, lambda name, method=method, original=original:
                            reads.append(method) or original(name))
    return reads


def _page_files(config: Config) -> list:
    return [path for path in config.page_directory.rglob("*") if path.is_file()]


def test_a_new_process_serves_the_kept_pages_without_reading_the_listing(web, config,
                                                                         monkeypatch):
    upload_sdist(web, status=200)
    upload_wheel(web, status=200)
    built = _answers(web)
    assert len(_page_files(config)) == len(PAGES)
    other = _fresh_app(config)
    try:
        reads = _count_reads(other, monkeypatch)
        assert _answers(webtest.TestApp(other)) == built
        assert reads == []
    finally:
        other.close()


def test_a_kept_page_of_older_serials_is_rebuilt_and_replaced(web, app, config):
    upload_sdist(web, status=200)
    before = _answers(web)
    writer = _fresh_app(config)      # writes while this app's pages and files are current
    try:
        upload_wheel(webtest.TestApp(writer), status=200)
        app.pages._entries.clear()   # this process must now go to the files, which are stale
        after = _answers(web)
        assert b"demo-1.0-py3-none-any.whl" in after[0][2]
        assert after != before and after == _answers(webtest.TestApp(writer))
        assert len(_page_files(config)) == len(PAGES)   # replaced, one file per page
        app.pages._entries.clear()
        assert _answers(web) == after                   # and read back as written
    finally:
        writer.close()


def test_a_write_from_another_process_is_seen_through_kept_pages(web, app, config):
    """A writer in a subprocess: what the page files hold must never hide its commit."""
    upload_sdist(web, status=200)
    _answers(web)
    script = ("import sys\nfrom storage_backends.sql import open_sql_store\n"
              "from storage_backends.records import Actor\n"
              "store = open_sql_store(sys.argv[1])\n"
              "store.set_release_hidden(Actor('alice'), 'demo', '1.0', True)\nstore.close()\n")
    subprocess.run([sys.executable, "-c", script, config.database_url], check=True)
    app.pages._entries.clear()
    assert b'data-yanked=""' in web.get("/simple/demo/").body
    assert web.get("/simple/demo/", headers={"Accept": V1_JSON}).json["files"][0]["yanked"]


@pytest.mark.parametrize("damage", [
    lambda data: data[: len(data) // 2],                          # cut short by a crash
    lambda data: data[:-5] + bytes([data[-5] ^ 1]) + data[-4:],   # a flipped bit in the body
    lambda data: b"",                                             # empty
    lambda data: b"not a page at all\n" + data,                   # something else entirely
    lambda data: data.replace(b"pypi-page-1", b"pypi-page-9", 1),  # another format
])
def test_a_damaged_page_file_is_rebuilt_not_served(web, app, config, damage):
    upload_sdist(web, status=200)
    built = _answers(web)
    for path in _page_files(config):
        path.write_bytes(damage(path.read_bytes()))
    app.pages._entries.clear()
    assert _answers(web) == built
    app.pages._entries.clear()
    assert _answers(web) == built     # the rebuilt files are whole again


def test_an_unwritable_page_directory_costs_a_warning_not_a_request(web, app, config, caplog):
    upload_sdist(web, status=200)
    for child in config.page_directory.iterdir():
        child.rename(child.with_name(child.name + "-moved"))
    (config.page_directory / "blocked").write_text("")
    app.pages.files = PageFiles(config.page_directory / "blocked")   # a file, not a directory
    with caplog.at_level(logging.WARNING, logger="legacy.page_files"):
        first = _answers(web)
        app.pages._entries.clear()
        assert _answers(web) == first
    assert first[0][0] == 200 and b"demo-1.0.tar.gz" in first[0][2]
    warnings = [r for r in caplog.records if "could not be kept as a file" in r.getMessage()]
    assert len(warnings) == 1


def test_page_files_are_named_by_digest_inside_their_directory(tmp_path):
    files = PageFiles(tmp_path / "pages")
    for key in (("../../etc/passwd", "text/html"), ("/simple/", "x"), ("a\x00b", "\n")):
        path = Path(files._path(key))
        assert path.resolve().is_relative_to((tmp_path / "pages").resolve())
        assert path.parent.parent == tmp_path / "pages" and len(path.name) == 30


def test_a_kept_file_with_another_etag_is_not_used(tmp_path):
    files = PageFiles(tmp_path)
    files.keep(("demo", "text/html"), b"<html>", 'Content-Type: text/html\nETag: "one"', 1)
    assert files.read(("demo", "text/html"), '"one"') == (
        b"<html>", 'Content-Type: text/html\nETag: "one"', 1)
    assert files.read(("demo", "text/html"), '"two"') is None
    assert files.read(("other", "text/html"), '"one"') is None


def test_page_files_setting(tmp_path, app, config):
    ini = tmp_path / "config.ini"
    ini.write_text("[server]\n")
    assert Config.from_ini(ini).page_directory == tmp_path / "pypi-data" / "pages"
    ini.write_text("[server]\npage_dir = elsewhere\n")
    assert Config.from_ini(ini).page_directory == tmp_path / "elsewhere"
    ini.write_text("[server]\npage_files = off\n")
    off = Config.from_ini(ini)
    assert off.page_directory is None and off.ignored_keys == ()
    without = _fresh_app(replace(config, page_files=False))
    try:
        assert without.pages.files is None and app.pages.files is not None
    finally:
        without.close()


def test_initdb_clears_the_pages_of_an_earlier_index_only(tmp_path):
    ini = tmp_path / "config.ini"
    ini.write_text(f"[database]\nurl = sqlite:///{tmp_path / 'pypi.db'}\n")
    pages = tmp_path / "pypi-data" / "pages"

    def initdb():
        subprocess.run([sys.executable, "-m", "pypi", "initdb", "--config", str(ini)],
                       check=True, capture_output=True)

    stale = pages / PageFiles.name_of(("gone", "text/html"))   # a page file of the old index
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"a page of an index that is gone")
    initdb()
    assert not stale.exists()          # a new database: serials start again
    store = open_sql_store(f"sqlite:///{tmp_path / 'pypi.db'}")
    try:
        store.create_user("alice", "alice@example.org", "x")
        store.create_project(Actor("alice"), "demo")
    finally:
        store.close()
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"a page of this index")
    initdb()
    assert stale.exists()              # initdb on an index in use keeps its pages


def test_build_pages_keeps_every_page_and_drops_the_stale(web, app, config, monkeypatch, capsys):
    from pypi.build_pages import cmd_build_pages
    upload_sdist(web, status=200)
    upload_sdist(web, name="Other.Name", status=200)
    app.store.create_project(Actor("alice"), "no-files-yet")
    orphan = config.page_directory / "ab" / ("c" * 30)
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"the page of a project removed since")
    old = orphan.stat().st_mtime - 3600
    os.utime(orphan, (old, old))
    assert cmd_build_pages(config, None) == 0
    assert "6 pages of 3 projects" in capsys.readouterr().out   # three forms of two pages
    assert not orphan.exists()
    other = _fresh_app(config)
    try:
        reads = _count_reads(other, monkeypatch)
        served = _answers(webtest.TestApp(other))
        assert reads == [] and served[0][0] == served[1][0] == 200
        assert served[:2] == _answers(web)[:2]
        assert webtest.TestApp(other).get("/simple/other-name/").status_int == 200
        assert webtest.TestApp(other).get(
            "/simple/demo/", headers={"Accept": "application/vnd.pypi.simple.v1+html"}).status_int == 200
        assert reads == []
    finally:
        other.close()


def test_build_pages_needs_page_files(config, app, capsys):
    from pypi.build_pages import cmd_build_pages
    assert cmd_build_pages(replace(config, page_files=False), None) == 2
    assert "page_files is off" in capsys.readouterr().err


def test_clearing_touches_only_page_files(tmp_path):
    """Should page_dir point at a shared directory, nothing but this class's files goes."""
    files = PageFiles(tmp_path)
    files.keep(("demo", "text/html"), b"<html>", 'Content-Type: text/html\nETag: "one"', 1)
    kept = Path(files._path(("demo", "text/html")))
    others = [tmp_path / "ab" / "setup.py", tmp_path / "py" / "x.tar.gz",
              kept.parent / "not-a-page.txt", tmp_path / "readme"]
    for other in others:
        other.parent.mkdir(exist_ok=True)
        other.write_text("keep me")
    assert files.remove_others(set(), unchanged_for_s=-1) == 1 and not kept.exists()
    files.keep(("demo", "text/html"), b"<html>", 'Content-Type: text/html\nETag: "one"', 1)
    files.clear()
    assert not kept.exists() and all(other.exists() for other in others)


def test_a_write_that_fails_midway_leaves_no_temporary_file(tmp_path, monkeypatch, caplog):
    files = PageFiles(tmp_path)

    def full_disk(source, target):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", full_disk)
    with caplog.at_level(logging.WARNING, logger="legacy.page_files"):
        files.keep(("demo", "text/html"), b"<html>", 'Content-Type: text/html\nETag: "one"', 1)
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []
    assert "No space left on device" in caplog.text
