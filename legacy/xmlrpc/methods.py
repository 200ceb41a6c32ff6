"""Every XML-RPC method in one table, and calling one by name.

The table holds the union of the 2010 interface and the final legacy one
(``spec/xmlrpc.md`` §2), with the introspection methods and
``system.multicall`` that legacy's dispatcher registered. Each entry declares
its parameters (``signatures``), so argument errors are faults naming the
argument and ``system.methodSignature`` can answer truthfully.

A failing call becomes ``Fault(1, "<class 'Type'>:message")``, the shape
Python's dispatcher gave legacy. Errors a caller can cause (wrong arguments,
unknown names) carry their message; anything else is logged with its
traceback and reported without details. A database outage is not a fault:
it propagates, and the app answers 503.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable

from storage_backends.errors import ServiceUnavailable, StorageError

from ..context import RequestContext
from . import changes, packages, search
from .protocol import fault_string
from .signatures import (
    ARRAY, FLAG, INT, OPTIONAL_INT, STRUCT, TEXT, TEXT_ARRAY, Param, bind, signatures,
)

log = logging.getLogger("pypi.xmlrpc")
MAX_MULTICALL = 100
CALLER_ERRORS = (TypeError, ValueError, LookupError, PermissionError, StorageError)


class MethodFault(Exception):
    """A call that failed; ``str()`` is the fault string."""


@dataclass(frozen=True)
class Method:
    handler: Callable[..., Any]
    params: tuple[Param, ...] = ()
    returns: str = "array"


NAME, VERSION = Param("package_name", TEXT), Param("version", TEXT)
SINCE = Param("since", INT)


def list_methods(ctx: RequestContext) -> list[str]:
    """The names of every method this server answers."""
    return sorted(METHODS)


def method_help(ctx: RequestContext, method_name: str) -> str:
    """What a method does, from its description here."""
    return (_method(method_name).handler.__doc__ or "").strip()


def method_signature(ctx: RequestContext, method_name: str) -> list[list[str]]:
    """[return type, argument types...] for each accepted number of arguments."""
    method = _method(method_name)
    return signatures(method.returns, method.params)


def multicall(ctx: RequestContext, calls: list[Any]) -> list[Any]:
    """Several calls in one request (at most 100): [result] or a fault struct per call."""
    if len(calls) > MAX_MULTICALL:
        raise ValueError(f"multicall too large: at most {MAX_MULTICALL} calls")
    results = []
    for call in calls:
        try:
            name, params = _multicall_entry(call)
            results.append([invoke(ctx, name, params)])
        except MethodFault as fault:
            results.append({"faultCode": 1, "faultString": str(fault)})
    return results


def _multicall_entry(call: Any) -> tuple[str, tuple[Any, ...]]:
    if not (isinstance(call, dict) and isinstance(call.get("methodName"), str)
            and isinstance(call.get("params", []), list)):
        raise MethodFault(fault_string(TypeError, "system.multicall: each call must be a "
                                                  "struct with methodName and params"))
    if call["methodName"] == "system.multicall":
        raise MethodFault(fault_string(ValueError, "system.multicall cannot be nested"))
    return call["methodName"], tuple(call.get("params", []))


def post_cheesecake_for_release(ctx, name, version, score_data, password) -> None:
    """Retired (2010): code-quality scores are not accepted, no password is configured."""
    raise PermissionError("post_cheesecake_for_release: Cheesecake scores are not accepted")


def ratings(ctx: RequestContext, name: str, version: str, since: int) -> list[list[Any]]:
    """Retired in 2011: [ratings, comments], always empty."""
    return [[], []]


METHODS: dict[str, Method] = {
    # present in 2010
    "list_packages": Method(packages.list_packages),
    "package_releases": Method(packages.package_releases,
                               (NAME, Param("show_hidden", FLAG, False))),
    "release_urls": Method(packages.release_urls, (NAME, VERSION)),
    "package_urls": Method(packages.release_urls, (NAME, VERSION)),
    "release_data": Method(packages.release_data, (NAME, VERSION), "struct"),
    "package_data": Method(packages.release_data, (NAME, VERSION), "struct"),
    "search": Method(search.search, (Param("spec", STRUCT), Param("operator", TEXT, "and"))),
    "updated_releases": Method(changes.updated_releases, (SINCE,)),
    "changelog": Method(changes.changelog, (SINCE, Param("with_ids", FLAG, False))),
    "post_cheesecake_for_release": Method(post_cheesecake_for_release, (
        NAME, VERSION, Param("score_data", STRUCT), Param("password", TEXT)), "nil"),
    "ratings": Method(ratings, (NAME, VERSION, SINCE)),
    # added 2011-2013
    "changed_packages": Method(changes.changed_packages, (SINCE,)),
    "release_downloads": Method(packages.release_downloads, (NAME, VERSION)),
    "package_roles": Method(packages.package_roles, (NAME,)),
    "user_packages": Method(packages.user_packages, (Param("user", TEXT),)),
    "browse": Method(search.browse, (Param("categories", TEXT_ARRAY),)),
    "package_hosting_mode": Method(packages.package_hosting_mode, (NAME,), "string"),
    "changelog_last_serial": Method(changes.changelog_last_serial, (), "int"),
    "changelog_since_serial": Method(changes.changelog_since_serial,
                                     (Param("since_serial", INT),)),
    "top_packages": Method(packages.top_packages, (Param("num", OPTIONAL_INT, None),)),
    "list_packages_with_serial": Method(packages.list_packages_with_serial, (), "struct"),
    # introspection, as Python's dispatcher registered them
    "system.listMethods": Method(list_methods),
    "system.methodHelp": Method(method_help, (Param("method_name", TEXT),), "string"),
    "system.methodSignature": Method(method_signature, (Param("method_name", TEXT),)),
    "system.multicall": Method(multicall, (Param("calls", ARRAY),)),
}


def _method(name: str) -> Method:
    method = METHODS.get(name)
    if method is None:
        raise LookupError(f'method "{name}" is not supported')
    return method


def invoke(ctx: RequestContext, name: str, params: tuple[Any, ...]) -> Any:
    """Call a method; raises ``MethodFault`` with the fault string when it fails."""
    method = METHODS.get(name)
    if method is None:
        raise MethodFault(fault_string(Exception, f'method "{name}" is not supported'))
    try:
        return method.handler(ctx, *bind(name, method.params, params))
    except ServiceUnavailable:
        raise
    except CALLER_ERRORS as err:
        raise MethodFault(fault_string(type(err), str(err))) from None
    except Exception:
        log.exception("XML-RPC method %s failed", name)
        raise MethodFault(fault_string(Exception, f"{name}: internal server error")) from None
