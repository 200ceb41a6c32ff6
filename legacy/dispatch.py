"""Choosing the handler under ``/pypi``: XML-RPC, the ``:action`` field, or the path.

Follows legacy's order: a ``text/xml`` body is XML-RPC; a ``:action`` field
wins over the path; otherwise ``/pypi/<name>/<version>/<action>`` segments.
"""
from __future__ import annotations

from webob import Response

from . import xmlrpc as xmlrpc_api
from .actions import ACTIONS
from .context import RequestContext
from .http_errors import BadRequest, NotFound

xmlrpc = xmlrpc_api.handle        # also routed at /RPC2 (pypi/routing.py)
PATH_ACTIONS = {"json", "doap"}   # /pypi/<name>/json and /pypi/<name>/doap


def dispatch(ctx: RequestContext, subpath: str) -> Response:
    if ctx.request.content_type == "text/xml":
        return xmlrpc(ctx)
    actions = ctx.form.getall(":action")
    if len(actions) > 1:
        raise BadRequest("Multiple actions not allowed")
    if actions:
        action = actions[0]
        if not isinstance(action, str):
            raise BadRequest(":action must be a text field")
    else:
        action = _action_from_path(ctx, subpath)
    handler = ACTIONS.get(action)
    if handler is None:
        raise BadRequest(f"Unknown action {action!r}")
    return handler(ctx)


def _action_from_path(ctx: RequestContext, subpath: str) -> str:
    """Legacy path rules; the name and version found go into ``ctx.path_args``."""
    if subpath == "":
        return "home"
    if subpath == "/":
        ctx.path_args["name"] = ""
        return "index"
    segments = subpath.strip("/").split("/")
    if any(segment == "" for segment in segments):
        raise NotFound()
    ctx.path_args["name"] = segments[0]
    action = "display"
    if len(segments) >= 2:
        ctx.path_args["version"] = segments[1]
    if len(segments) == 3:
        action = segments[2]
    if ctx.path_args.get("version") in PATH_ACTIONS:
        action = ctx.path_args.pop("version")
    return action
