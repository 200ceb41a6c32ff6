"""File records: add, uniqueness of names and digests, listing, lookup, removal."""
from __future__ import annotations

import pytest

from storage_backends.errors import (
    DigestExists, FileExists, NoSuchFile, NoSuchRelease, ProjectExists, UnknownClassifier,
)
from storage_backends.records import Actor, ReleaseMetadata

from .samples import CLASSIFIERS, FULL_METADATA, new_file


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


# -- add_file with new_release: an upload's release, project and file in one commit ----------
def test_add_file_creates_the_missing_project_and_release_in_one_go(store, alice):
    store.add_classifiers(CLASSIFIERS)
    before = store.last_serial()
    record = store.add_file(alice, new_file("fresh", "2.0", "fresh-2.0.tar.gz"),
                            new_release=FULL_METADATA)
    assert record.requires_python == FULL_METADATA.requires_python
    assert store.get_file("fresh-2.0.tar.gz") == record
    assert store.get_release("fresh", "2.0").metadata == FULL_METADATA
    assert [r.role_name for r in store.roles_for_project("fresh")] == ["Owner"]
    entries = store.changelog_since_serial(before)
    assert [e.action for e in entries] == ["create", "add Owner alice", "new release",
                                           "add source file fresh-2.0.tar.gz"]
    assert [e.serial for e in entries] == list(range(before + 1, before + 5))
    assert store.get_project("fresh").last_serial == store.last_serial() == before + 4


def test_add_file_with_new_release_to_an_existing_project_hides_and_orders(store, alice, demo):
    store.add_file(alice, new_file("demo", "2.0", "demo-2.0.tar.gz"),
                   new_release=ReleaseMetadata(summary="Two"))
    releases = store.list_releases("demo")
    assert [(r.version, r.hidden) for r in releases] == [("2.0", False), ("1.0", True)]
    assert releases[0].ordering > releases[1].ordering


def test_add_file_leaves_an_existing_release_as_it_is(store, alice, demo):
    before = store.last_serial()
    store.add_file(alice, new_file("demo", "1.0", "demo-1.0.tar.gz"),
                   new_release=ReleaseMetadata(summary="Changed"))
    assert store.get_release("demo", "1.0").metadata.summary == "Demo"
    assert [e.action for e in store.changelog_since_serial(before)] == [
        "add source file demo-1.0.tar.gz"]


@pytest.mark.parametrize("clash", ["filename", "digest", "classifier", "spelling"])
def test_add_file_with_new_release_writes_nothing_when_refused(store, alice, demo, clash):
    store.add_file(alice, new_file("demo", "1.0", "demo-1.0.tar.gz", b"demo bytes"))
    name = "Demo" if clash == "spelling" else "fresh"
    new = new_file(name, "1.0", "demo-1.0.tar.gz" if clash == "filename" else "fresh-1.0.tar.gz",
                   b"demo bytes" if clash == "digest" else b"fresh bytes")
    metadata = ReleaseMetadata(classifiers=("Not :: A :: Classifier",) if clash == "classifier"
                               else ())
    expected = {"filename": FileExists, "digest": DigestExists,
                "classifier": UnknownClassifier, "spelling": ProjectExists}[clash]
    before = store.last_serial()
    with pytest.raises(expected):
        store.add_file(alice, new, new_release=metadata)
    assert store.last_serial() == before and store.changelog_since_serial(before) == []
    assert store.get_project("fresh") is None and store.get_project("Demo") is None
    assert store.get_file("fresh-1.0.tar.gz") is None
