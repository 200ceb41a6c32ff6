"""distutils ``register``: submit, verify and list_classifiers."""
from __future__ import annotations

from tests.handlers.uploading import register


def test_anonymous_submit_gets_the_basic_challenge(web):
    response = register(web, user=None, status=401)
    assert response.headers["WWW-Authenticate"] == 'Basic realm="pypi"'


def test_submit_creates_project_release_and_journal(web, app):
    response = register(web, summary="Hello", classifiers=["Topic :: Utilities"],
                        requires=["foo (>=1.0)"], keywords=["a", "b"], status=200)
    assert "new release" in response.text
    release = app.store.get_release("demo", "1.0")
    assert release.metadata.summary == "Hello"
    assert release.metadata.requires == ("foo (>=1.0)",)
    assert release.metadata.keywords == "a,b"
    assert app.store.has_role("alice", "demo", "Owner")


def test_resubmit_reports_changed_fields(web, app):
    register(web, summary="One", status=200)
    response = register(web, summary="Two", status=200)
    assert "update summary" in response.text
    assert app.store.project_journal("demo")[-1].action == "update summary"
    serial = app.store.last_serial()
    register(web, summary="Two", status=200)
    assert app.store.last_serial() == serial


def test_submit_by_stranger_is_403(web):
    register(web, status=200)
    response = register(web, user="bob", version="1.1", status=403)
    assert "You are not allowed to store 'demo' package information" in response.status


def test_submit_of_spelling_variant_is_403(web):
    register(web, name="Demo.Pkg", status=200)
    response = register(web, name="demo_pkg", user="bob", status=403)
    assert "conflicts with existing package 'Demo.Pkg'" in response.status


def test_missing_name_is_400(web):
    response = register(web, name="", status=400)
    assert response.status == '400 Missing required field "name"'


def test_bad_requires_syntax_is_400(web):
    response = register(web, requires=["foo (>>1"], status=400)
    assert 'Bad "requires" syntax' in response.status


def test_bad_home_page_is_400(web):
    response = register(web, home_page="javascript:alert(1)", status=400)
    assert "Invalid URI" in response.status


def test_verify_needs_no_login_and_writes_nothing(web, app):
    response = web.post("/pypi", params={":action": "verify", "name": "demo", "version": "1.0"}, status=200)
    assert "Validated OK" in response.text
    assert app.store.get_project("demo") is None
    response = web.post("/pypi", params={":action": "verify", "name": "demo", "version": "1.0",
                                         "classifiers": "Nope :: Nope"}, status=400)
    assert "Package verification" in response.text


def test_list_classifiers_is_sorted_plain_text(web):
    response = web.get("/pypi?:action=list_classifiers", status=200)
    assert response.content_type == "text/plain"
    lines = response.text.splitlines()
    assert lines == sorted(lines) and "Topic :: Utilities" in lines
    assert response.text.endswith("\n")


def test_rst_raw_and_include_directives_are_refused(web, app):
    for block in (".. raw:: html\n\n   <script>alert(1)</script>\n", ".. include:: /etc/passwd\n",
                  "..  RAW  :: html\n\n   <b>x</b>\n"):
        response = register(web, description="Title\n=====\n\n" + block, status=400)
        assert "raw and include directives are not allowed" in response.status
    assert app.store.get_project("demo") is None
    register(web, description=".. raw:: html\n", description_content_type="text/markdown", status=200)


PKG_INFO = """Metadata-Version: 2.1
Name: fromfile
Version: 1.0
Summary: Registered from PKG-INFO
Platform: linux
Platform: win32
Classifier: Topic :: Utilities
Requires-Dist: foo>=1
Project-URL: Source, https://example.org/src

The *description* is the body.
"""


def test_submit_pkg_info_registers_from_an_uploaded_file(web, app):
    from tests.conftest import basic_auth
    web.post("/pypi", params={":action": "submit_pkg_info"},
             upload_files=[("pkginfo", "PKG-INFO", PKG_INFO.encode())], headers=basic_auth("alice"),
             status=200)
    metadata = app.store.get_release("fromfile", "1.0").metadata
    assert metadata.summary == "Registered from PKG-INFO"
    assert metadata.platform == "linux,win32"
    assert metadata.classifiers == ("Topic :: Utilities",)
    assert metadata.requires_dist == ("foo>=1",)
    assert metadata.project_urls == ("Source, https://example.org/src",)
    assert metadata.description.strip() == "The *description* is the body."
    assert app.store.has_role("alice", "fromfile", "Owner")


def test_submit_pkg_info_needs_login_and_a_file(web, app):
    from tests.conftest import basic_auth
    web.post("/pypi", params={":action": "submit_pkg_info", "pkginfo": PKG_INFO}, status=401)
    response = web.post("/pypi", params={":action": "submit_pkg_info"}, headers=basic_auth("alice"),
                        status=400)
    assert "pkginfo" in response.status
    web.post("/pypi", params={":action": "submit_pkg_info", "pkginfo": PKG_INFO},
             headers=basic_auth("bob"), status=200)
    response = web.post("/pypi", params={":action": "submit_pkg_info",
                                         "pkginfo": PKG_INFO.replace("1.0", "1.1")},
                        headers=basic_auth("alice"), status=403)
    assert "not allowed to store 'fromfile'" in response.status
