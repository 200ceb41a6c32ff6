"""XML-RPC on the wire: reading a ``methodCall``, writing a ``methodResponse`` or fault.

Parsing: ``defusedxml.ElementTree`` with ``forbid_dtd=True``, then our own
walk over the elements. We do not feed the body to ``xmlrpc.client.loads``
(even after a defusedxml check) and do not use ``defusedxml.xmlrpc``'s
monkey patch, because:

- one parse, by a parser that refuses any DTD outright, is all it takes to
  exclude entity expansion (billion laughs) and external entities (XXE):
  without a DTD neither can be declared; ``defusedxml.xmlrpc.monkey_patch``
  would change ``xmlrpc.client`` for the whole process (and every client in it);
- the walk knows how deep it is and stops at ``MAX_DEPTH``, so a 10,000-deep
  array is a fault, not a deep Python structure for handlers to trip over;
- it accepts exactly a ``methodCall`` (``loads`` also takes responses).

Writing uses ``xmlrpc.client.dumps`` (UTF-8, ``allow_none`` as legacy), then
strips the control characters XML 1.0 forbids, as legacy did, so a stray
``\\x0c`` in a description cannot make the answer unreadable.
"""
from __future__ import annotations

import base64
import binascii
import io
import re
import xmlrpc.client
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any, Iterable
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

FAULT_CODE = 1          # legacy's only fault code: Python's dispatcher used 1 for everything
MAX_DEPTH = 50          # nested arrays/structs in one argument; real calls use 2
LISTING_PIECE = 4096    # items dumped at a time by dump_listing
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_INT_TAGS = {"int", "i4", "i8", "i1", "i2", "bigint"}
_DATE_FORMATS = ("%Y%m%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S")


class CallError(Exception):
    """A request that is not a usable ``methodCall``; answered as a fault."""


@dataclass(frozen=True)
class Call:
    method: str
    params: tuple[Any, ...]


def fault_string(exc_type: type, message: str) -> str:
    """``<class 'TypeError'>:message``: the shape Python's dispatcher gave legacy's faults."""
    return f"{exc_type}:{message}"


def parse_call(body: bytes) -> Call:
    """The method name and decoded parameters of a ``methodCall`` body.

    Raises ``CallError`` naming the problem: not XML, a DTD or entity, not a
    ``methodCall``, a malformed or too deeply nested value.
    """
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as err:
        raise CallError(f"refused XML: {type(err).__name__} (DTDs and entities are not accepted)")
    except (ParseError, ValueError) as err:
        raise CallError(f"the request body is not well-formed XML: {err}") from None
    if _tag(root) != "methodCall":
        raise CallError(f"expected a methodCall element, got {_tag(root)!r}")
    name = root.find("methodName")
    if name is None or not (name.text or "").strip():
        raise CallError("the methodCall has no methodName")
    params = root.find("params")
    values = []
    for param in (params if params is not None else ()):
        value = param.find("value")
        if _tag(param) != "param" or value is None:
            raise CallError("each param must hold one value")
        values.append(_decode(value, 1))
    return Call(name.text.strip(), tuple(values))


def _tag(element: Element) -> str:
    """The local name, so that ``ex:nil`` (Apache's extension namespace) is ``nil``."""
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


def _decode(value: Element, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise CallError(f"values nested more than {MAX_DEPTH} deep")
    typed = list(value)
    if not typed:
        return value.text or ""            # an untyped value is a string
    if len(typed) != 1:
        raise CallError("a value must hold exactly one typed element")
    element = typed[0]
    tag, text = _tag(element), element.text or ""
    try:
        if tag == "string":
            return text
        if tag in _INT_TAGS:
            return int(text.strip())
        if tag == "boolean":
            return {"0": False, "1": True}[text.strip()]
        if tag == "double":
            return float(text.strip())
        if tag == "nil":
            return None
        if tag == "dateTime.iso8601":
            return _datetime(text.strip())
        if tag == "base64":
            return base64.b64decode(text.encode("ascii"), validate=False)
    except (ValueError, KeyError, UnicodeError, binascii.Error):
        raise CallError(f"malformed {tag} value {text[:40]!r}") from None
    if tag == "array":
        data = element.find("data")
        items = data if data is not None else ()
        return [_decode(item, depth + 1) for item in items if _tag(item) == "value"]
    if tag == "struct":
        return {_member_name(m): _decode(_member_value(m), depth + 1)
                for m in element if _tag(m) == "member"}
    raise CallError(f"unknown value type {tag!r}")


def _datetime(text: str) -> datetime:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise ValueError(text)


def _member_name(member: Element) -> str:
    name = member.find("name")
    if name is None:
        raise CallError("a struct member has no name")
    return name.text or ""


def _member_value(member: Element) -> Element:
    value = member.find("value")
    if value is None:
        raise CallError("a struct member has no value")
    return value


def dump_result(result: Any) -> bytes:
    """A ``methodResponse`` carrying ``result``; a value XML-RPC cannot carry becomes a fault."""
    try:
        text = _dumps(result)
    except (TypeError, OverflowError) as err:
        return dump_fault(fault_string(type(err), f"cannot send the result: {err}"))
    return _CONTROL.sub("", text).encode("utf-8")


def dump_listing(items: Iterable, struct: bool) -> bytes:
    """``dump_result`` of a long array (``items`` are its values) or struct (``items`` are
    ``(name, value)`` pairs), the same bytes made ``LISTING_PIECE`` items at a time.

    At 100k projects ``xmlrpc.client.dumps`` of the whole answer holds a string
    per XML line, their join, the copy without control characters and its bytes
    at once (about 50 MB). Each piece is dumped as a whole answer of its own,
    whose members (or array elements) sit between the envelope of an empty one.
    """
    empty = _dumps({} if struct else [])
    split = empty.index("</struct>" if struct else "</data>")
    head, tail = empty[:split], empty[split:]
    items = iter(items)
    body = io.BytesIO()
    body.write(head.encode("utf-8"))
    try:
        while piece := list(islice(items, LISTING_PIECE)):
            text = _dumps(dict(piece) if struct else piece)
            body.write(_CONTROL.sub("", text[len(head):len(text) - len(tail)]).encode("utf-8"))
    except (TypeError, OverflowError) as err:
        return dump_fault(fault_string(type(err), f"cannot send the result: {err}"))
    body.write(tail.encode("utf-8"))
    return body.getvalue()


def _dumps(result: Any) -> str:
    return xmlrpc.client.dumps((result,), methodresponse=True, allow_none=True, encoding="utf-8")


def dump_fault(message: str, code: int = FAULT_CODE) -> bytes:
    text = xmlrpc.client.dumps(xmlrpc.client.Fault(code, message), methodresponse=True,
                               allow_none=True, encoding="utf-8")
    return _CONTROL.sub("", text).encode("utf-8")
