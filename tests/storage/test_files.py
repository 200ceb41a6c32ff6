"""File records: add, uniqueness of names and digests, listing, lookup, removal."""
from __future__ import annotations

import pytest

from storage_backends.errors import DigestExists, FileExists, NoSuchFile, NoSuchRelease
from storage_backends.records import Actor, ReleaseMetadata

from .samples import new_file


def test_add_file_round_trip_and_journal(store, alice, demo):
    new = new_file("demo", "1.0", "demo-1.0-py3-none-any.whl", python_version="py3",
                   packagetype="bdist_wheel", comment_text="built with ✓", has_signature=True,
                   metadata_sha256="ab" * 32)
    before = store.last_serial()
    record = store.add_file(alice, new)
    for field in ("name", "version", "filename", "python_version", "packagetype", "path",
                  "size", "md5_digest", "sha256_digest", "blake2_256_digest", "comment_text",
                  "has_signature", "metadata_sha256"):
        assert getattr(record, field) == getattr(new, field), field
    assert record.downloads == 0 and record.upload_time is not None
    assert record.upload_time.microsecond == 0 and record.upload_time.tzinfo is None
    assert store.get_file(new.filename) == record
    [entry] = store.changelog_since_serial(before)
    assert (entry.name, entry.version, entry.action, entry.submitted_by) == (
        "demo", "1.0", "add py3 file demo-1.0-py3-none-any.whl", "alice")
    assert store.get_project("demo").last_serial == entry.serial


def test_file_takes_requires_python_of_release(store, alice):
    store.store_release(alice, "demo", "1.0", ReleaseMetadata(requires_python=">=3.8"))
    assert store.add_file(alice, new_file("demo", "1.0", "demo-1.0.tar.gz")).requires_python \
        == ">=3.8"


def test_duplicate_filename(store, alice, demo):
    store.store_release(alice, "other", "1.0", ReleaseMetadata())
    store.add_file(alice, new_file("demo", "1.0", "demo-1.0.tar.gz"))
    before = store.last_serial()
    with pytest.raises(FileExists) as raised:                       # same release
        store.add_file(alice, new_file("demo", "1.0", "demo-1.0.tar.gz", b"other bytes"))
    assert raised.value.filename == "demo-1.0.tar.gz"
    with pytest.raises(FileExists):                                 # anywhere in the index
        store.add_file(alice, new_file("other", "1.0", "demo-1.0.tar.gz", b"more bytes"))
    assert store.last_serial() == before
    assert store.changelog_since_serial(before) == []
    assert len(store.list_files("demo")) == 1


def test_duplicate_digest(store, alice, demo):
    store.add_file(alice, new_file("demo", "1.0", "demo-1.0.tar.gz", b"same bytes"))
    before = store.last_serial()
    with pytest.raises(DigestExists) as raised:
        store.add_file(alice, new_file("demo", "1.0", "demo-1.0.zip", b"same bytes"))
    assert (raised.value.filename, raised.value.existing) == ("demo-1.0.zip", "demo-1.0.tar.gz")
    assert store.last_serial() == before
    assert store.get_file("demo-1.0.zip") is None


def test_no_such_release(store, alice, demo):
    with pytest.raises(NoSuchRelease):
        store.add_file(alice, new_file("demo", "2.0", "demo-2.0.tar.gz"))
    with pytest.raises(NoSuchRelease):
        store.add_file(alice, new_file("nothing", "1.0", "nothing-1.0.tar.gz"))
    with pytest.raises(NoSuchRelease):                              # names are exact
        store.add_file(alice, new_file("DEMO", "1.0", "DEMO-1.0.tar.gz"))
    assert store.last_serial() == store.get_project("demo").last_serial


def test_list_files_sorted(store, alice, demo):
    store.store_release(alice, "demo", "2.0", ReleaseMetadata())
    names = ["demo-2.0.tar.gz", "demo-1.0.zip", "demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]
    for filename in names:
        store.add_file(alice, new_file("demo", filename.split("-")[1].removesuffix(".tar.gz")
                                       .removesuffix(".zip"), filename))
    assert [f.filename for f in store.list_files("demo")] == sorted(names)
    assert [f.filename for f in store.list_files("demo", "1.0")] == sorted(names[1:])
    assert [f.filename for f in store.list_files("demo", "2.0")] == ["demo-2.0.tar.gz"]
    assert store.list_files("demo", "3.0") == []
    assert store.list_files("nothing") == []


def test_get_file_by_name_and_md5(store, alice, demo):
    record = store.add_file(alice, new_file("demo", "1.0", "demo-1.0.tar.gz"))
    assert store.get_file_by_md5(record.md5_digest) == record
    assert store.get_file("demo-1.0.tar.gz") == record
    assert store.get_file("DEMO-1.0.tar.gz") is None
    assert store.get_file_by_md5("0" * 32) is None
    assert store.get_file("missing.tar.gz") is None


def test_remove_file(store, alice, bob, demo):
    record = store.add_file(alice, new_file("demo", "1.0", "demo-1.0.tar.gz"))
    before = store.last_serial()
    assert store.remove_file(bob, "demo-1.0.tar.gz") == record
    assert store.get_file("demo-1.0.tar.gz") is None
    assert store.get_file_by_md5(record.md5_digest) is None
    [entry] = store.changelog_since_serial(before)
    assert (entry.name, entry.version, entry.action, entry.submitted_by) == (
        "demo", "1.0", "remove file demo-1.0.tar.gz", "bob")
    # name and content are free again
    store.add_file(alice, new_file("demo", "1.0", "demo-1.0.tar.gz"))


def test_remove_missing_file(store, alice, demo):
    with pytest.raises(NoSuchFile):
        store.remove_file(Actor("alice"), "missing.tar.gz")
    assert store.last_serial() == store.get_project("demo").last_serial
