"""Helpers for the web UI tests: strict HTML parsing and page chrome checks.

Every HTML page is parsed with html5lib in strict mode, which raises on any
parse error (an unclosed or misnested element, a stray ``<``, a missing
doctype), so a page that a browser would have to repair fails its test.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

import html5lib

XHTML = "{http://www.w3.org/1999/xhtml}"


def parse_html(response) -> ET.Element:
    """The page as an element tree; fails the test on any HTML parse error."""
    assert response.content_type == "text/html", response.content_type
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(response.text)


def parse_xml(response) -> ET.Element:
    """An RSS or DOAP body as an element tree (xml.etree raises if not well-formed)."""
    return ET.fromstring(response.body)


def texts(tree: ET.Element, tag: str) -> list[str]:
    """The whitespace-normalised text of every ``tag`` element."""
    return [" ".join("".join(el.itertext()).split()) for el in tree.iter(tag)]


def links(tree: ET.Element) -> list[str]:
    return [a.get("href") for a in tree.iter("a")]


def login_box(tree: ET.Element) -> str:
    for div in tree.iter("div"):
        if div.get("class") == "login-box":
            return " ".join("".join(div.itertext()).split())
    raise AssertionError("no login box")
