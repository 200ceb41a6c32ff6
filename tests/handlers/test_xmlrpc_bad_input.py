"""Hostile and broken XML-RPC requests: a fault (HTTP 200) or a 4xx, never a 500, nothing stored changes."""
from __future__ import annotations

import dataclasses
import xmlrpc.client

import pytest
import webtest

from pypi.app import PypiApp
from pypi.backends import open_backends
from storage_backends.records import Actor, ReleaseMetadata

from .xmlrpc_calls import call, fault_for_body, fault_of, post_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<methodCall><methodName>package_releases</methodName>
<params><param><value><string>&lol9;</string></value></param></params></methodCall>"""


@pytest.fixture
def stored(app):
    """One release, and a function telling whether anything stored has changed since."""
    app.store.store_release(Actor("alice"), "demo", "1.0", ReleaseMetadata(summary="Demo"))
    before = (app.store.last_serial(), app.store.list_projects(), app.store.list_releases("demo"))

    def unchanged() -> bool:
        now = (app.store.last_serial(), app.store.list_projects(), app.store.list_releases("demo"))
        return now == before
    return unchanged


def test_billion_laughs_is_refused(web, stored):
    assert "DTDs and entities are not accepted" in fault_for_body(web, BILLION_LAUGHS)
    assert call(web, "package_releases", "demo") == ["1.0"] and stored()


def test_external_entity_is_not_read(web, stored, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    for doctype in (f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>',
                    f'<!DOCTYPE methodCall SYSTEM "file://{secret}">'):
        body = (f'<?xml version="1.0"?>{doctype}<methodCall><methodName>package_releases'
                f'</methodName><params><param><value><string>&xxe;</string></value></param>'
                f'</params></methodCall>').encode()
        response = post_xml(web, body, status=200)
        assert b"TOP-SECRET-CONTENT" not in response.body
        with pytest.raises(xmlrpc.client.Fault):
            xmlrpc.client.loads(response.body)
    assert stored()


def test_oversized_body_is_refused_unread(web, stored):
    padding = "x" * (11 * 1024 * 1024)
    body = xmlrpc.client.dumps((padding,), "package_releases").encode()
    assert "request content way too big" in fault_for_body(web, body)
    assert call(web, "package_releases", "demo") == ["1.0"] and stored()


def test_body_limit_is_configurable(config):
    small = dataclasses.replace(config, xmlrpc_max_body_size=200)
    web = webtest.TestApp(PypiApp(small, *open_backends(small, create=True)))
    assert call(web, "list_packages") == []
    assert "way too big" in fault_of(web, "search", {"name": "n" * 300})


def test_deep_nesting_is_a_fault(web, stored):
    depth = 10_000
    body = (b"<methodCall><methodName>search</methodName><params><param>"
            + b"<value><array><data>" * depth + b"<value>x</value>"
            + b"</data></array></value>" * depth + b"</param></params></methodCall>")
    assert "nested more than" in fault_for_body(web, body)
    assert stored()


@pytest.mark.parametrize("body", [
    b"", b"not xml at all", b"\xff\xfe\x00<", b"<methodCall><methodName>list_packages",
    b"<methodResponse><params/></methodResponse>", b"<methodCall/>",
    b"<methodCall><methodName>x</methodName><params><param/></params></methodCall>",
    b"<methodCall><methodName>package_releases</methodName><params><param><value>"
    b"<int>twelve</int></value></param></params></methodCall>",
    b"<methodCall><methodName>package_releases</methodName><params><param><value>"
    b"<blob>1</blob></value></param></params></methodCall>",
    b"<methodCall><methodName>search</methodName><params><param><value><struct><member>"
    b"<value>1</value></member></struct></value></param></params></methodCall>",
])
def test_malformed_calls_are_faults(web, stored, body):
    assert fault_for_body(web, body)
    assert stored()


def test_wrong_types_are_faults_and_change_nothing(web, stored):
    for method, args in (("package_releases", (["demo"],)), ("release_data", ("demo", 1.0)),
                         ("changelog", ("yesterday",)), ("browse", ([1, 2],)),
                         ("search", ({"name": {"nested": "struct"}},)),
                         ("system.multicall", ("calls",)), ("top_packages", ("ten",))):
        assert "TypeError" in fault_of(web, method, *args), method
    assert stored()


def test_other_value_types_decode(web):
    body = (b"<methodCall><methodName>search</methodName><params><param><value><struct>"
            b"<member><name>name</name><value><array><data><value>demo</value></data></array>"
            b"</value></member><member><name>x</name><value><dateTime.iso8601>20100601T12:00:00"
            b"</dateTime.iso8601></value></member><member><name>y</name><value><base64>eA=="
            b"</base64></value></member><member><name>z</name><value><nil/></value></member>"
            b"</struct></value></param><param><value><string>and</string></value></param>"
            b"</params></methodCall>")
    (hits,), _ = xmlrpc.client.loads(post_xml(web, body, status=200).body)
    assert hits == []
