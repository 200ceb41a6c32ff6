"""Release pages: display, display_pkginfo, doap, files (view), show_md5; escaping everywhere."""
from __future__ import annotations

import dataclasses
import hashlib

import pytest

from storage_backends.records import Actor, ReleaseMetadata
from tests.conftest import basic_auth
from tests.handlers.uploading import register, upload_sdist
from tests.handlers.web_pages import links, login_box, parse_html, parse_xml, texts

XSS = "<script>alert(1)</script>"
DOAP = "{http://usefulinc.com/ns/doap#}"
FOAF = "{http://xmlns.com/foaf/0.1/}"


@pytest.fixture
def demo(web):
    register(web, version="1.0", status=200, summary="Demo *summary*", author="Ada",
             author_email="ada@example.org", home_page="https://example.org",
             classifiers="Topic :: Utilities", description="Title\n=====\n\nSome *reST*.\n",
             license="MIT")
    upload_sdist(web, version="1.0", status=200)


def test_release_page(web, demo):
    response = web.get("/pypi/demo/1.0", status=200)
    tree = parse_html(response)
    assert texts(tree, "title") == ["Python Package Index : demo 1.0"]
    assert "Demo *summary*" in texts(tree, "p")
    assert "<em>reST</em>" in response.text
    assert "ada at example org" in response.text and "ada@example.org" not in response.text
    assert "<!-- <th>Home Page -->" in response.text
    assert any(h and "/packages/source/d/demo/demo-1.0.tar.gz#md5=" in h for h in links(tree))
    assert any(h and "browse" in h and "c=" in h for h in links(tree))
    assert "Package Index Owner:" in response.text and "Journal" not in texts(tree, "h2")


def test_one_visible_release_without_version(web, demo):
    assert texts(parse_html(web.get("/pypi/demo")), "h1")[0] == "demo 1.0"


def test_several_visible_releases_are_listed(web, demo, app):
    register(web, version="2.0", status=200)
    app.store.store_release(Actor("alice"), "demo", "1.0", ReleaseMetadata(summary="x"), hidden=False)
    tree = parse_html(web.get("/pypi/demo"))
    assert texts(tree, "h1") == ["Index of Packages"]
    assert {"/pypi/demo/1.0", "/pypi/demo/2.0"} <= set(links(tree))
    page = web.get("/pypi/demo/1.0")
    assert "Latest Version:" in page.text


def test_unknown_and_missing(web, demo):
    web.get("/pypi/nothing", status=404)
    web.get("/pypi/demo/9.9", status=404)
    assert "Which package" in web.get("/pypi?:action=display", status=400).status


def test_other_spelling_redirects_to_canonical_name(web, demo):
    response = web.get("/pypi/DEMO/1.0", status=301)
    assert response.location.endswith("/pypi/demo/1.0")


def test_script_in_every_field_is_inert(web, app):
    """Stored directly, past the register checks: the pages alone must keep it inert."""
    singles = {f.name: XSS for f in dataclasses.fields(ReleaseMetadata) if f.type == "str | None"}
    lists = {f: (XSS, f"Home, {XSS}") for f in ("requires", "provides", "obsoletes", "requires_dist",
                                                 "provides_dist", "obsoletes_dist", "requires_external",
                                                 "project_urls")}
    singles["description_content_type"] = None
    app.store.store_release(Actor("alice"), "evil", "1.0", ReleaseMetadata(**singles, **lists))
    app.store.add_role(Actor("root"), "Maintainer", "bob", "evil")
    for path in ("/pypi/evil/1.0", "/pypi?:action=index", "/pypi", "/pypi?:action=search&term=evil",
                 "/pypi?:action=files&name=evil&version=1.0"):
        response = web.get(path, status=200)
        parse_html(response)
        assert "<script>" not in response.text, path
    for path in ("/pypi/evil/1.0/doap", "/pypi?:action=rss", "/pypi?:action=lasthour",
                 "/pypi?:action=packages_rss"):
        response = web.get(path, status=200)
        assert "<script>" not in response.text, path
        parse_xml(response)


def test_journal_and_package_bar_need_a_session(web, demo):
    tree = parse_html(web.get("/pypi/demo/1.0", headers=basic_auth("alice")))
    assert "Journal" not in texts(tree, "h2") and "Clear Basic Auth" in login_box(tree)
    assert not any(h and "pkg_edit" in h for h in links(tree))


def test_display_pkginfo(web, demo):
    response = web.get("/pypi/demo/1.0/display_pkginfo", status=200)
    assert response.content_type == "text/plain"
    lines = response.text.splitlines()
    assert lines[:3] == ["Metadata-Version: 1.1", "Name: demo", "Version: 1.0"]
    assert "Author-email: ada at example org" in lines
    assert "        Some *reST*." in lines and "Classifier: Topic :: Utilities" in lines
    assert web.get("/pypi?:action=display_pkginfo&name=demo").text == response.text
    assert web.get("/pypi/demo/9.9/display_pkginfo", status=400)
    web.get("/pypi?:action=display_pkginfo&name=nothing", status=404)


def test_doap(web, demo):
    response = web.get("/pypi/demo/doap", status=200)
    assert response.headers["Content-Type"] == 'text/xml; charset="UTF-8"'
    assert response.headers["Content-Disposition"] == "attachment; filename=demo-1.0.xml"
    project = parse_xml(response).find(f"{DOAP}Project")
    assert project.findtext(f"{DOAP}name") == "demo"
    assert project.findtext(f"{DOAP}shortdesc") == "Demo *summary*"
    person = project.find(f"{DOAP}maintainer/{FOAF}Person")
    assert person.findtext(f"{FOAF}name") == "Ada"
    assert person.findtext(f"{FOAF}mbox_sha1sum") == hashlib.sha1(b"ada@example.org").hexdigest()
    assert project.findtext(f"{DOAP}release/{DOAP}Version/{DOAP}revision") == "1.0"
    assert web.get("/pypi/demo/1.0/doap").body == response.body


def test_files_view_and_show_md5(web, demo, app):
    tree = parse_html(web.get("/pypi?:action=files&name=demo&version=1.0", status=200))
    assert texts(tree, "h1") == ["Files for demo 1.0"]
    digest = app.store.get_file("demo-1.0.tar.gz").md5_digest
    assert f"/pypi?:action=show_md5&digest={digest}" in links(tree)
    assert web.get(f"/pypi?:action=show_md5&digest={digest}").text == digest
    web.get("/pypi?:action=show_md5&digest=00", status=404)
    web.get("/pypi?:action=show_md5", status=404)
    assert "required" in web.get("/pypi?:action=files&name=demo", status=400).status
