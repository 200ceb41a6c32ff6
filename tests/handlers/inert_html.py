"""Is a page inert? Nothing in it that a browser would run or follow into script.

The page is parsed the way a browser parses it (html5lib, not strict: a hostile
page is exactly the one that may be malformed), then every element is looked
at: no ``<script>`` (our templates have none), no element that embeds or
redirects (``iframe``, ``object``, ``embed``, ``base``, ``meta http-equiv``),
no ``on*`` event attribute, no ``style`` attribute or element from outside our
stylesheet, and no URL attribute whose scheme, as a browser reads it (control
characters and whitespace dropped, any case), is ``javascript:``, ``vbscript:``
or ``data:``.
"""
from __future__ import annotations

import re

import html5lib

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "poster", "data",
                  "xlink:href", "srcset", "cite", "codebase", "manifest", "longdesc", "ping"}
FORBIDDEN_ELEMENTS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
                      "svg", "math", "style", "template", "portal"}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")


def _scheme_of(url: str) -> str:
    return _IGNORED_IN_URLS.sub("", url).lower()


def problems(html: str) -> list[str]:
    """What would make the page run script; empty when the page is inert."""
    tree = html5lib.HTMLParser(namespaceHTMLElements=False).parse(html)
    found = []
    for element in tree.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag.rpartition("}")[2].lower() in FORBIDDEN_ELEMENTS:
            found.append(f"<{tag}> element")
        if tag == "meta" and element.get("http-equiv"):
            found.append(f"<meta http-equiv={element.get('http-equiv')!r}>")
        if tag == "link" and element.get("rel") != "stylesheet" and element.get("href", "").startswith(
                DANGEROUS_SCHEMES):
            found.append("<link> to a script URL")
        for name, value in element.attrib.items():
            name = name.lower()
            if name.startswith("on"):
                found.append(f"<{tag} {name}=...>")
            if name == "style":
                found.append(f"<{tag} style=...>")
            if name in URL_ATTRIBUTES and _scheme_of(value).startswith(DANGEROUS_SCHEMES):
                found.append(f"<{tag} {name}={value[:40]!r}>")
    return found


def assert_inert(response, *payload_markers: str) -> None:
    """The page runs nothing, and no marker of the payload appears unescaped in it."""
    text = response.text
    assert not problems(text), (response.request.url, problems(text))
    for marker in payload_markers:
        assert marker not in text, (response.request.url, marker)
