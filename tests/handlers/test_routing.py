"""The legacy URL space: actions, paths, 501 for what is not built yet, 400 for nonsense."""
from __future__ import annotations

import pytest


def test_unknown_action_is_400(web):
    response = web.get("/pypi?:action=no_such_thing", status=400)
    assert "Unknown action 'no_such_thing'" in response.status


def test_multiple_actions_are_400(web):
    web.get("/pypi?:action=home&:action=index", status=400)


@pytest.mark.parametrize("url", ["/pypi?:action=purge", "/pypi?:action=gae_file"])
def test_later_features_answer_501_with_a_message(web, url):
    response = web.get(url, status=501)
    assert "Not implemented yet" in response.text


def test_xmlrpc_is_routed(web):
    for path in ("/pypi", "/RPC2"):
        response = web.post(path, "<methodCall/>", headers={"Content-Type": "text/xml"}, status=200)
        assert b"<fault>" in response.body and b"no methodName" in response.body


def test_serial_and_daytime(web):
    assert web.get("/serial", status=200).text == "0" or web.get("/serial").text.isdigit()
    assert web.get("/daytime", status=200).text.endswith("\n")


def test_unrouted_path_is_404(web):
    web.get("/nowhere", status=404)


def test_root_redirects_to_the_index(web):
    assert web.get("/", status=301).headers["Location"].endswith("/pypi")


def test_invalid_utf8_path_is_404(web):
    web.get("/pypi/%ff%fe", status=404)


def test_rss_regen_has_nothing_to_rebuild(web):
    assert web.get("/pypi?:action=rss_regen", status=200).text == "OK\n"
