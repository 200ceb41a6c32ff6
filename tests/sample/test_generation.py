"""The sample index of ``pypi load-sample``: deterministic, shaped like the real index, valid files."""
from __future__ import annotations

import base64
import hashlib
import io
import re
import statistics
import tarfile
import zipfile

import pytest
from packaging.version import Version
from trove_classifiers import classifiers as KNOWN_CLASSIFIERS

from pypi.sample import SampleIndex
from pypi.sample import _is_pep440 as _valid
from pypi.sample_text import every_classifier
from storage_backends.ordering import normalize_name

COUNT = 300


@pytest.fixture(scope="module")
def sample():
    index = SampleIndex(7, COUNT)
    return index, [index.project(i) for i in range(COUNT)]


def test_same_seed_same_data_and_a_smaller_sample_is_a_prefix():
    one, two, bigger = SampleIndex(3, 40), SampleIndex(3, 40), SampleIndex(3, 90)
    assert [one.project(i) for i in range(40)] == [two.project(i) for i in range(40)]
    assert one.users() == two.users()
    assert [one.project(i) for i in range(40)] == [bigger.project(i) for i in range(40)]
    assert bigger.users()[:len(one.users())] == one.users()


def test_another_seed_gives_other_data():
    one, other = SampleIndex(3, 40), SampleIndex(4, 40)
    assert one.project_names != other.project_names
    assert one.project(5) != other.project(5)


def test_names_have_the_real_index_shapes_and_are_unique(sample):
    index, _ = sample
    names = index.project_names
    assert len({normalize_name(n) for n in names}) == COUNT
    for mark in ("-", ".", "_"):
        assert any(mark in n for n in names), mark
    assert any(n != n.lower() for n in names) and any(n == n.lower() for n in names)
    assert all(re.fullmatch(r"[A-Za-z0-9._]+", u) for u in index.user_names)


def test_versions_include_legacy_and_pre_releases(sample):
    _, projects = sample
    versions = [r.version for p in projects for r in p.export.releases]
    invalid = [v for v in versions if not _valid(v)]
    assert invalid, "no version PEP 440 cannot parse"
    assert any(v.startswith("r") for v in invalid)
    assert any(Version(v).is_prerelease for v in versions if _valid(v))
    assert any(v != str(Version(v)) for v in versions if _valid(v))   # e.g. 1.0-beta


def test_release_counts_are_skewed(sample):
    _, projects = sample
    counts = [len(p.export.releases) for p in projects]
    assert statistics.median(counts) <= 2
    assert max(counts) >= 40
    assert sum(1 for c in counts if c == 1) > COUNT // 3


def test_files_are_valid_archives_with_matching_records(sample):
    _, projects = sample
    wheels = sdists = 0
    for project in projects[:120]:
        blobs = dict(project.blobs)
        for record in project.export.files:
            data = blobs[record.path]
            assert record.size == len(data)
            assert record.md5_digest == hashlib.md5(data).hexdigest()
            assert record.sha256_digest == hashlib.sha256(data).hexdigest()
            assert record.blake2_256_digest == hashlib.blake2b(data, digest_size=32).hexdigest()
            if record.packagetype == "sdist":
                sdists += 1
                _check_sdist(record, data)
            else:
                wheels += 1
                _check_wheel(record, data, blobs[record.path + ".metadata"])
    assert sdists and wheels


def _check_sdist(record, data):
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        top = record.filename.removesuffix(".tar.gz")
        pkg_info = archive.extractfile(f"{top}/PKG-INFO").read().decode()
    assert f"\nName: {record.name}\n" in pkg_info
    assert f"\nVersion: {record.version}\n" in pkg_info


def _check_wheel(record, data, metadata):
    assert record.metadata_sha256 == hashlib.sha256(metadata).hexdigest()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        dist_info = next(n for n in names if n.endswith(".dist-info/METADATA")).rsplit("/", 1)[0]
        assert archive.read(f"{dist_info}/METADATA") == metadata
        assert b"Tag: py3-none-any" in archive.read(f"{dist_info}/WHEEL")
        for line in archive.read(f"{dist_info}/RECORD").decode().splitlines():
            path, digest, size = line.split(",")
            if path.endswith("RECORD"):
                continue
            member = archive.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(member).digest()).rstrip(b"=")
            assert digest == "sha256=" + expected.decode() and int(size) == len(member)
    assert f"Name: {record.name}\n".encode() in metadata


def test_file_names_and_digests_are_unique_index_wide(sample):
    _, projects = sample
    files = [f for p in projects for f in p.export.files]
    assert len({f.filename for f in files}) == len(files)
    assert len({f.md5_digest for f in files}) == len(files)


def test_journal_roles_and_users_fit_together(sample):
    index, projects = sample
    users = {u.user.name: u for u in index.users()}
    assert all(u.user.email.rsplit("@", 1)[1].startswith("example.") for u in users.values())
    for project in projects[:100]:
        export, actions = project.export, [e.action for e in project.journal]
        owner = next(r.user_name for r in export.roles if r.role_name == "Owner")
        assert owner in users and users[owner].registration is None
        assert actions[:2] == ["create", f"add Owner {owner}"]
        assert actions.count("new release") == len(export.releases)
        for f in export.files:
            assert f"add {f.python_version} file {f.filename}" in actions
        times = [e.when for e in project.journal]
        assert times == sorted(times)
        assert {r.version: r.ordering for r in export.releases} == _orderings(export.releases)


def test_every_classifier_used_is_a_known_trove_classifier(sample):
    _, projects = sample
    used = {c for p in projects for r in p.export.releases for c in r.metadata.classifiers}
    assert used <= every_classifier() <= set(KNOWN_CLASSIFIERS)


def _orderings(releases):
    from storage_backends.ordering import compute_orderings
    return compute_orderings(r.version for r in releases)
