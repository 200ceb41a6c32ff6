"""Every page in one pack file (``legacy/page_pack.py``), written by ``pypi build-pages``.

A pack is read by every server process for as long as it is in place, while
the index goes on changing: a page in it may be served only while its ETag is
the page's current one, a running process must find a new pack by itself, and
a damaged pack must cost rebuilds, never a wrong page or an error.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from pathlib import Path

import pytest
import webtest

from legacy import cached_reads, large_bodies, page_files
from legacy.page_files import PACK_NAME, PageFiles
from legacy.page_pack import HEADER_SIZE, PackWriter, PagePack, etag_key
from pypi.build_pages import cmd_build_pages
from storage_backends.records import Actor, ReleaseMetadata
from tests.handlers.test_page_files import V1_JSON, _answers, _count_reads, _fresh_app
from tests.handlers.uploading import upload_sdist, upload_wheel

V1_HTML = "application/vnd.pypi.simple.v1+html"


def _pack(config) -> Path:
    return config.page_directory / PACK_NAME


def _loose_page_files(config) -> list[Path]:
    return [path for path in config.page_directory.rglob("*")
            if path.is_file() and path.name != PACK_NAME]


def _reading_files_only(config):
    """Another process that holds no page in memory: every page comes from the pack or a file."""
    return _fresh_app(replace(config, page_cache_mb=0))


def test_build_pages_packs_every_project_page_and_drops_their_files(web, app, config,
                                                                   monkeypatch, capsys):
    upload_sdist(web, status=200)
    upload_wheel(web, status=200)
    upload_sdist(web, name="Other.Name", status=200)
    built = _answers(web)
    assert cmd_build_pages(config, None) == 0
    # three forms of two project pages and of /simple/, and the two XML-RPC listings
    assert "11 of them in" in capsys.readouterr().out
    assert _loose_page_files(config) == []
    other = _reading_files_only(config)
    try:
        reads = _count_reads(other, monkeypatch)
        client = webtest.TestApp(other)
        assert _answers(client) == built
        assert client.get("/simple/other-name/").status_int == 200
        assert client.get("/simple/demo/", headers={"Accept": V1_HTML}).status_int == 200
        assert reads == []           # not one page built: the pack had them all
    finally:
        other.close()


def test_build_pages_reuses_a_current_pack(web, app, config, monkeypatch):
    upload_sdist(web, status=200)
    assert cmd_build_pages(config, None) == 0
    first = _pack(config).stat().st_ino
    reads = _count_reads_everywhere(monkeypatch)
    assert cmd_build_pages(config, None) == 0
    assert _pack(config).stat().st_ino != first        # a new pack, put in place whole
    assert reads == []                                 # of the pages the old one held
    assert _loose_page_files(config) == []


def _count_reads_everywhere(monkeypatch) -> list[str]:
    """The listing reads of every store opened from now on (build-pages opens its own)."""
    from storage_backends.sql.store import SqlStore
    reads = []
    for method in ("index_page", "index_listing"):
        original = getattr(SqlStore, method)
        monkeypatch.setattr(SqlStore, method, lambda self, name, method=method, original=original:
                            reads.append(method) or original(self, name))
    return reads


def test_a_page_changed_since_the_pack_is_never_served_from_it(web, app, config):
    upload_sdist(web, status=200)
    assert cmd_build_pages(config, None) == 0
    packed = _pack(config).read_bytes()
    other = _reading_files_only(config)
    try:
        client = webtest.TestApp(other)
        before = client.get("/simple/demo/").body
        upload_wheel(client, status=200)
        after = client.get("/simple/demo/")
        assert b"demo-1.0-py3-none-any.whl" in after.body and after.body != before
        files = client.get("/simple/demo/", headers={"Accept": V1_JSON}).json["files"]
        assert "demo-1.0-py3-none-any.whl" in [file["filename"] for file in files]
        assert _pack(config).read_bytes() == packed     # the pack still holds the old page,
        assert len(_loose_page_files(config)) == 2      # the new one is a file of its own
        assert client.get("/simple/demo/").body == after.body
        app.pages._entries.clear()
        assert web.get("/simple/demo/").body == after.body   # and so in the other process
    finally:
        other.close()


def test_a_running_process_finds_a_new_pack_by_itself(web, app, config, monkeypatch):
    upload_sdist(web, status=200)
    other = _reading_files_only(config)
    try:
        client = webtest.TestApp(other)
        built = _answers(client)                 # pages kept as files, no pack yet
        assert not _pack(config).exists()
        assert cmd_build_pages(config, None) == 0
        assert _loose_page_files(config) == []
        reads = _count_reads(other, monkeypatch)
        later = page_files.time.monotonic() + page_files.RECHECK_S
        monkeypatch.setattr(page_files.time, "monotonic", lambda: later)
        assert _answers(client) == built
        assert reads == []                       # read from the pack: its files are gone
    finally:
        other.close()


@pytest.mark.parametrize("damage", [
    lambda data: data[: len(data) // 2],                        # the table cut off
    lambda data: data[:HEADER_SIZE - 3],                        # the header cut short
    lambda data: b"not a pack" + data[10:],                     # another file altogether
    lambda data: data[:HEADER_SIZE] + bytes(b ^ 0x55 for b in data[HEADER_SIZE:]),  # records, table
    lambda data: data[:HEADER_SIZE + 40] + b"x" + data[HEADER_SIZE + 41:],  # one record's bytes
    lambda data: data[:-20] + b"\xff" * 20,                     # lengths past any record
])
def test_a_damaged_pack_costs_rebuilds_never_a_wrong_page(web, app, config, damage):
    upload_sdist(web, status=200)
    upload_sdist(web, name="Other.Name", status=200)
    built = _answers(web)
    assert cmd_build_pages(config, None) == 0
    _pack(config).write_bytes(damage(_pack(config).read_bytes()))
    other = _reading_files_only(config)
    try:
        client = webtest.TestApp(other)
        assert _answers(client) == built
        assert client.get("/simple/other-name/").status_int == 200
    finally:
        other.close()


def test_initdb_clearing_removes_the_pack_and_only_stale_temporary_packs_go(tmp_path):
    files = PageFiles(tmp_path)
    writer = PackWriter(Path(files.pack_path))
    writer.add('"one"', b"a page", _head('"one"'), 1)
    writer.finish()
    stale = tmp_path / ".tmp-pack-left-by-a-crash"
    stale.write_bytes(b"half a pack")
    os.utime(stale, (1, 1))
    young = tmp_path / ".tmp-pack-being-written"
    young.write_bytes(b"a pack on its way")
    assert files.remove_others(set(), unchanged_for_s=0) == 1
    assert not stale.exists() and young.exists() and Path(files.pack_path).exists()
    files.clear()
    assert not Path(files.pack_path).exists()


def _head(etag: str) -> str:
    return f"Content-Type: text/html; charset=utf-8\nETag: {etag}\nX-PyPI-Last-Serial: 7"


def test_every_page_is_found_by_its_etag_and_no_other(tmp_path):
    path = tmp_path / PACK_NAME
    writer = PackWriter(path)
    # as page_cache.etag_for makes them (a quoted hex digest), and a few others
    etags = [f'"{hashlib.blake2b(b"%d" % number, digest_size=12).hexdigest()}"'
             for number in range(1990)] + [f'"v{number}"' for number in range(5)]
    etags += ['"-123456789abcdef0"', '"+123456789abcdef0"', '" 123456789abcdef0"',
              '"1_23456789abcdef0"', '"0123456789abcdef"']   # none of them read as a sign
    for number, etag in enumerate(etags):
        writer.add(etag, b"page %d" % number, _head(etag), number % 4)
    writer.finish()
    pack = PagePack.open(str(path))
    assert writer.count == pack.count == 2000
    for number, etag in enumerate(etags):
        assert pack.page(etag) == (b"page %d" % number, _head(etag), number % 4)
    assert pack.page('"not packed"') is None
    smallest, largest = min(map(etag_key, etags)), max(map(etag_key, etags))
    outside = next(f'"{n}"' for n in range(10**6)
                   if not smallest <= etag_key(f'"{n}"') <= largest)
    assert pack.page(outside) is None     # beyond either end of the table


def test_an_empty_pack_answers_nothing(tmp_path):
    path = tmp_path / PACK_NAME
    writer = PackWriter(path)
    writer.finish()
    pack = PagePack.open(str(path))
    assert pack.count == 0 and pack.page('"any"') is None


def test_a_pack_of_the_earlier_format_is_not_read(tmp_path):
    """Its table was keyed otherwise; servers then read page files or build, until
    build-pages writes a pack of this format."""
    path = tmp_path / PACK_NAME
    path.write_bytes(b"pypi-pages-pack-1\n" + bytes(24 + 64))
    assert PagePack.open(str(path)) is None


def test_the_last_page_given_for_an_etag_is_the_one_packed(tmp_path):
    path = tmp_path / PACK_NAME
    writer = PackWriter(path)
    writer.add('"2"', b"old", 'Content-Type: text/html\nETag: "2"', 1)
    writer.add('"2"', b"new", 'Content-Type: text/html\nETag: "2"', 1)
    writer.finish()
    files = PageFiles(tmp_path)
    assert files.read(("demo", "text/html"), '"2"')[0] == b"new"
    assert PagePack.open(files.pack_path).count == 1


def test_a_record_holding_another_etag_than_its_key_is_not_served(tmp_path):
    """As if two ETags' keys collided: the ETag inside the record decides."""
    path = tmp_path / PACK_NAME
    writer = PackWriter(path)
    writer.add('"asked"', b"another page", 'Content-Type: text/html\nETag: "other"', 1)
    writer.finish()
    assert PageFiles(tmp_path).read(("demo", "text/html"), '"asked"') is None


def test_an_abandoned_pack_leaves_nothing(tmp_path):
    writer = PackWriter(tmp_path / PACK_NAME)
    writer.add('"one"', b"a page", _head('"one"'), 1)
    writer.abandon()
    assert list(tmp_path.iterdir()) == []


def test_reads_from_the_page_cache_and_from_the_disk_give_the_same_bytes(tmp_path):
    data = os.urandom(200_000)
    path = tmp_path / "data"
    path.write_bytes(data)
    descriptor = os.open(path, os.O_RDONLY)
    try:
        spans = [(0, 10), (5, 70_000), (199_990, 10), (199_990, 100), (300_000, 5), (0, 0)]
        for offset, length in spans:
            assert cached_reads.pread(descriptor, length, offset) == data[offset:offset + length]
        if cached_reads._preadv2 is not None:
            os.fsync(descriptor)
            os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)   # out of the page cache
            try:
                if os.preadv(descriptor, [bytearray(100)], 150_000, os.RWF_NOWAIT) == 100:
                    pytest.skip("this file system keeps the file cached (tmpfs?)")
            except BlockingIOError:   # not cached, as wanted
                pass
            # not cached: read from the disk instead, with the GIL released
            assert cached_reads.pread(descriptor, 100, 150_000) == data[150_000:150_100]
    finally:
        os.close(descriptor)


def test_reads_without_preadv2_are_plain_preads(tmp_path, monkeypatch):
    monkeypatch.setattr(cached_reads, "_preadv2", None)
    path = tmp_path / "data"
    path.write_bytes(b"0123456789")
    descriptor = os.open(path, os.O_RDONLY)
    try:
        assert cached_reads.pread(descriptor, 4, 3) == b"3456"
        assert cached_reads.pread(descriptor, 4, 8) == b"89"
    finally:
        os.close(descriptor)
    with pytest.raises(OSError):
        cached_reads.pread(descriptor, 4, 0)            # a closed descriptor still raises


def test_a_project_removed_since_the_pack_is_not_served(web, app, config):
    upload_sdist(web, status=200)
    assert cmd_build_pages(config, None) == 0
    other = _reading_files_only(config)
    try:
        client = webtest.TestApp(other)
        assert client.get("/simple/demo/").status_int == 200
        other.store.remove_project(Actor("alice"), "demo")
        assert client.get("/simple/demo/", status=404).status_int == 404
    finally:
        other.close()


def test_pages_of_a_mib_or_more_stay_files_of_their_own(web, app, config, monkeypatch):
    """They are sent from their files (``legacy/large_bodies.py``), so the pack leaves them out."""
    monkeypatch.setattr(large_bodies, "FILE_FROM", 1200)   # more than a project page here
    upload_sdist(web, status=200)
    for number in range(60):
        app.store.store_release(Actor("alice"), f"a-rather-long-project-name-{number}", "1.0",
                                ReleaseMetadata())
    whole_index = [("/simple/", "text/html"), ("/simple/", V1_HTML), ("/simple/", V1_JSON),
                   ("xmlrpc", "list_packages"), ("xmlrpc", "list_packages_with_serial")]
    assert cmd_build_pages(config, None) == 0
    loose = {f"{path.parent.name}/{path.name}" for path in _loose_page_files(config)}
    assert loose == {PageFiles.name_of(key) for key in whole_index}
    other = _reading_files_only(config)
    try:
        client = webtest.TestApp(other)
        assert b"a-rather-long-project-name-59" in client.get("/simple/").body
        assert client.get("/simple/demo/").status_int == 200
        assert _count_reads(other, monkeypatch) == []
    finally:
        other.close()


def test_the_pack_and_page_files_are_readable_by_other_users(tmp_path):
    """build-pages may run as another user than the servers; the pages are public anyway."""
    files = PageFiles(tmp_path)
    files.keep(("demo", "text/html"), b"<html>", 'Content-Type: text/html\nETag: "one"', 1)
    writer = PackWriter(Path(files.pack_path))
    writer.add('"one"', b"a page", _head('"one"'), 1)
    writer.finish()
    for path in (Path(files.pack_path), Path(files._path(("demo", "text/html")))):
        assert path.stat().st_mode & 0o777 == 0o644
