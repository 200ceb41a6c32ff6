"""Calling the XML-RPC endpoint through WebTest, as ``xmlrpc.client`` would over HTTP."""
from __future__ import annotations

import xmlrpc.client


def post_xml(web, body: bytes, path: str = "/pypi", content_type: str = "text/xml", **kwargs):
    return web.post(path, body, headers={"Content-Type": content_type}, **kwargs)


def call(web, method: str, *args, path: str = "/pypi"):
    """The method's result; a fault is raised as ``xmlrpc.client.Fault``."""
    response = post_xml(web, xmlrpc.client.dumps(args, method, allow_none=True).encode(), path,
                        status=200)
    assert response.content_type == "text/xml"
    (result,), _ = xmlrpc.client.loads(response.body, use_builtin_types=True)
    return result


def fault_of(web, method: str, *args) -> str:
    """The fault string a call answers with (the call must fail)."""
    try:
        call(web, method, *args)
    except xmlrpc.client.Fault as fault:
        assert fault.faultCode == 1
        return fault.faultString
    raise AssertionError(f"{method}{args} did not fail")


def fault_for_body(web, body: bytes, **kwargs) -> str:
    response = post_xml(web, body, status=200, **kwargs)
    try:
        xmlrpc.client.loads(response.body)
    except xmlrpc.client.Fault as fault:
        return fault.faultString
    raise AssertionError("the body was accepted")
