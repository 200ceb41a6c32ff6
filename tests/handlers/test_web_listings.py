"""Finding packages: home, index, search, browse; and the RSS feeds."""
from __future__ import annotations

import pytest

from storage_backends.records import Actor, ReleaseMetadata
from tests.handlers.web_pages import links, parse_html, parse_xml, texts

UTIL, LIBS = "Topic :: Utilities", "Topic :: Software Development :: Libraries"
PY3 = "Programming Language :: Python :: 3"
BROWSER = {"User-Agent": "Mozilla/5.0"}


@pytest.fixture
def index(app):
    store, alice = app.store, Actor("alice")
    store.store_release(alice, "spam", "1.0", ReleaseMetadata(summary="Spam tools", classifiers=(UTIL,)))
    store.store_release(alice, "eggs", "2.0", ReleaseMetadata(summary="Eggs", keywords="spam",
                                                              classifiers=(UTIL, PY3)))
    store.store_release(alice, "ham", "0.1", ReleaseMetadata(summary="Ham", description="no spam here",
                                                             classifiers=(LIBS,)))
    return store


def test_home(web, index):
    response = web.get("/pypi", status=200)
    tree = parse_html(response)
    assert texts(tree, "title") == ["Python Package Index : PyPI"]
    assert "3" in texts(tree, "strong")
    assert [h for h in links(tree) if h.startswith("/pypi/")][:3] == ["/pypi/ham/0.1", "/pypi/eggs/2.0",
                                                                     "/pypi/spam/1.0"]


def test_index_lists_releases_and_filters(web, index):
    tree = parse_html(web.get("/pypi/", status=200))
    assert [h for h in links(tree) if h.startswith("/pypi/")] == ["/pypi/eggs/2.0", "/pypi/ham/0.1",
                                                                 "/pypi/spam/1.0"]
    one = parse_html(web.get("/pypi?:action=index&summary=SPAM"))
    assert texts(one, "h1") == ["spam 1.0"]          # exactly one match: the release page
    assert "There were no matches." in texts(parse_html(web.get("/pypi?:action=index&name=zzz")), "p")


def test_search_scores_and_orders(web, index):
    tree = parse_html(web.get("/pypi?:action=search&term=spam", status=200))
    rows = [texts(tr, "td") for tr in tree.iter("tr")][1:]
    assert [row[:2] for row in rows] == [["10", "spam 1.0"], ["2", "eggs 2.0"], ["1", "ham 0.1"]]
    assert texts(tree, "h1") == ["Index of Packages Matching 'spam'"]
    assert texts(parse_html(web.get("/pypi?:action=search&term=the+ham")), "h1") == ["ham 0.1"]
    assert "search term" in web.get("/pypi?:action=search&term=the+%21", status=400).status


def test_browse(web, index, app):
    ids = app.store.classifier_ids()
    tree = parse_html(web.get("/pypi?:action=browse", headers=BROWSER, status=200))
    assert "Utilities (2)" in texts(tree, "li")
    assert any(m.get("content") == "NOINDEX,NOFOLLOW" for m in tree.iter("meta"))
    assert texts(tree, "table") == []
    tree = parse_html(web.get(f"/pypi?:action=browse&c={ids[UTIL]}", headers=BROWSER))
    assert {"/pypi/spam/1.0", "/pypi/eggs/2.0"} <= set(links(tree))
    assert "/pypi/ham/0.1" not in links(tree)
    assert "3 (1)" in texts(tree, "li")
    tree = parse_html(web.get(f"/pypi?:action=browse&c={ids[UTIL]}&c={ids[PY3]}&c=x&c=999", headers=BROWSER))
    assert "/pypi/spam/1.0" not in links(tree) and "/pypi/eggs/2.0" in links(tree)
    robot = web.get("/pypi?:action=browse", headers={"User-Agent": "Googlebot"})
    assert robot.text == "This page intentionally blank."


def test_rss_feeds(web, index):
    channel = parse_xml(web.get("/pypi?:action=rss", status=200)).find("channel")
    assert channel.findtext("title") == "PyPI recent updates"
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["ham 0.1", "eggs 2.0", "spam 1.0"]
    assert items[0].findtext("link") == "http://127.0.0.1:8080/pypi/ham/0.1"
    assert items[0].findtext("pubDate").endswith(" GMT")
    newest = parse_xml(web.get("/pypi?:action=packages_rss")).find("channel")
    assert {i.findtext("title") for i in newest.findall("item")} == {
        "spam added to PyPI", "eggs added to PyPI", "ham added to PyPI"}
    hour = parse_xml(web.get("/pypi?:action=lasthour")).find("channel")
    assert "new release" in [i.findtext("description") for i in hour.findall("item")]
