"""The simple index and /packages/ file serving."""
from __future__ import annotations

import hashlib
import html
import json
import re
from urllib.parse import quote

import pytest

from legacy import simple
from storage_backends.errors import StorageError
from storage_backends.records import Actor, ReleaseMetadata
from tests.distributions import make_wheel
from tests.handlers.uploading import upload, upload_sdist, upload_wheel


def test_root_lists_projects_with_serial(web, app):
    upload_sdist(web, name="Demo_Pkg", status=200)
    response = web.get("/simple/", status=200)
    assert '<a href="demo-pkg/">Demo_Pkg</a>' in response.text
    assert response.headers["X-PyPI-Last-Serial"] == str(app.store.last_serial())


def test_simple_redirects_to_canonical_urls(web):
    assert web.get("/simple", status=301).headers["Location"].endswith("/simple/")
    assert web.get("/simple/Demo_Pkg/", status=301).headers["Location"].endswith("/simple/demo-pkg/")
    assert web.get("/simple/demo", status=301).headers["Location"].endswith("/simple/demo/")
    web.get("/simple/a/b/", status=404)


def test_project_page_links_files_with_sha256_and_requires_python(web, app):
    upload_wheel(web, requires_python=">=3.8", status=200)
    upload_sdist(web, status=200)
    response = web.get("/simple/demo/", status=200)
    record = app.store.get_file("demo-1.0-py3-none-any.whl")
    assert (f'<a href="../../packages/py3/d/demo/demo-1.0-py3-none-any.whl#sha256={record.sha256_digest}" '
            'data-requires-python="&gt;=3.8" data-dist-info-metadata=') in response.text
    assert "demo-1.0.tar.gz" in response.text
    assert response.headers["X-PyPI-Last-Serial"] == str(app.store.get_project("demo").last_serial)


def test_unknown_or_empty_project_is_404(web, app):
    web.get("/simple/nothing/", status=404)


def test_file_download_with_etag_range_and_head(web, app):
    filename, data = make_wheel("demo", "1.0")
    upload(web, filename, data, name="demo", version="1.0", filetype="bdist_wheel", pyversion="py3", status=200)
    url = f"/packages/py3/d/demo/{filename}"
    response = web.get(url, status=200)
    assert response.body == data
    assert response.content_type == "application/octet-stream"
    md5 = hashlib.md5(data).hexdigest()
    assert response.headers["ETag"] == f'"{md5}"'
    assert "Last-Modified" in response.headers
    web.get(url, headers={"If-None-Match": f'"{md5}"'}, status=304)
    web.get(url, headers={"If-None-Match": md5}, status=304)
    partial = web.get(url, headers={"Range": "bytes=2-9"}, status=206)
    assert partial.body == data[2:10]
    assert partial.headers["Content-Range"] == f"bytes 2-9/{len(data)}"
    assert web.get(url, headers={"Range": "bytes=-4"}, status=206).body == data[-4:]
    web.get(url, headers={"Range": f"bytes={len(data)}-"}, status=416)
    head = web.head(url, status=200)
    assert head.body == b"" and head.headers["Content-Length"] == str(len(data))


def test_files_without_a_record_are_never_served(web, app, config):
    orphan = config.files_dir / "source" / "x" / "x" / "x-1.0.tar.gz"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"orphan")
    web.get("/packages/source/x/x/x-1.0.tar.gz", status=404)


def test_traversal_paths_are_404(web, app):
    upload_sdist(web, status=200)
    for path in ("/packages/../pypi.db", "/packages/source/d/demo/../../../pypi.db",
                 "/packages/%2e%2e/pypi.db", "/packages/source/d/demo/demo-1.0.tar.gz%00"):
        web.get(path, status=404)


def test_pip_style_hrefs_resolve_to_served_files(web):
    upload_sdist(web, status=200)
    page = web.get("/simple/demo/").text
    href = re.search(r'href="\.\./\.\./(packages/[^"#]+)', page).group(1)
    web.get("/" + href, status=200)


AWKWARD_NAMES = ["Demo_Pkg", "zeta.two", 'say"hi', "back\\slash", "<b>&amp;", "Émile", "naïve",
                 "a b", "a%20b", "x/y", "Zz-9", "ünï", "", "-", "plain"]


@pytest.mark.parametrize("piece", [1, 3, 4096])
def test_root_pages_are_exactly_the_listing(web, app, monkeypatch, piece):
    """Every name, however spelt, in both forms, written piece by piece as one whole would be."""
    monkeypatch.setattr(simple, "ROOT_PIECE", piece)
    actor = Actor("alice")
    for name in AWKWARD_NAMES:
        try:
            app.store.store_release(actor, name, "1.0", ReleaseMetadata())
        except StorageError:   # a name this backend refuses (the empty one)
            pass
    projects = app.store.list_project_names()
    assert len(projects) >= len(AWKWARD_NAMES) - 1
    expected_html = (f"{simple.HEAD}<title>Simple Index</title></head><body>\n"
                     + "".join(f'<a href="{html.escape(quote(p.normalized_name))}/">'
                               f'{html.escape(p.name)}</a><br/>\n' for p in projects)
                     + "</body></html>\n").encode("utf-8")
    assert web.get("/simple/", status=200).body == expected_html
    expected_json = json.dumps({"meta": {"api-version": "1.1", "_last-serial": app.store.last_serial()},
                                "projects": [{"name": p.name} for p in projects]}).encode()
    assert web.get("/simple/", headers={"Accept": simple.V1_JSON}, status=200).body == expected_json
