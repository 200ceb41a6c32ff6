"""The layout shared by every page, the stylesheet, /security, /tos and about."""
from __future__ import annotations

import pytest

from tests.conftest import basic_auth
from tests.handlers.web_pages import links, login_box, parse_html, texts


@pytest.mark.parametrize("path, title", [
    ("/security", "Security"), ("/tos", "Terms of Service"), ("/pypi?:action=about", "About PyPI"),
])
def test_static_pages_in_the_standard_layout(web, path, title):
    response = web.get(path, status=200)
    assert response.charset == "utf-8"
    tree = parse_html(response)
    assert texts(tree, "title") == [f"Python Package Index : {title}"]
    assert texts(tree, "h1") == [title]
    assert "/static/pypi.css" in [link.get("href") for link in tree.iter("link")]
    assert "Not Logged In" in login_box(tree)


def test_stylesheet_is_served_with_an_etag(web):
    response = web.get("/static/pypi.css", status=200)
    assert response.content_type == "text/css"
    assert b".login-box" in response.body
    web.get("/static/pypi.css", headers={"If-None-Match": response.headers["ETag"]}, status=304)


def test_anonymous_chrome_offers_login_and_registration(web):
    tree = parse_html(web.get("/tos"))
    box = login_box(tree)
    assert "Not Logged In" in box and "Clear Basic Auth" not in box
    assert "/pypi?:action=login_form" in links(tree)
    assert "/pypi?:action=register_form" in links(tree)
    assert "/pypi?:action=role_form" not in links(tree)


def test_basic_auth_user_is_not_logged_in_but_may_clear_auth(web):
    tree = parse_html(web.get("/pypi?:action=about", headers=basic_auth("alice")))
    box = login_box(tree)
    assert "Not Logged In" in box and "Clear Basic Auth" in box
    assert "/pypi?:action=role_form" not in links(tree)


def test_admin_sees_the_admin_link(web):
    tree = parse_html(web.get("/pypi?:action=about", headers=basic_auth("root")))
    assert "/pypi?:action=role_form" in links(tree)


def test_current_page_is_marked_in_the_navigation(web):
    tree = parse_html(web.get("/security"))
    selected = [li for li in tree.iter("li") if li.get("class") == "selected"]
    assert [texts(li, "a") for li in selected] == [["Security"]]
