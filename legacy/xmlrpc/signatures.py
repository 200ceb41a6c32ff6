"""Method signatures: how many arguments a method takes and of which XML-RPC type.

Legacy let Python's dispatcher call the function with whatever arrived, so a
wrong count or type surfaced as whatever exception the code hit first. Here
every method declares its parameters and the call is checked before the
handler runs, so the fault names the argument:
``<class 'TypeError'>:package_releases: argument 1 (name) must be a string, not int``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

REQUIRED = object()


@dataclass(frozen=True)
class Kind:
    """One XML-RPC argument type: its name in signatures and how a value is checked."""
    name: str
    accepts: Callable[[Any], bool]
    convert: Callable[[Any], Any] = lambda value: value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


TEXT = Kind("string", lambda v: isinstance(v, str))
INT = Kind("int", _is_int)
OPTIONAL_INT = Kind("int", lambda v: v is None or _is_int(v))
# show_hidden / with_ids: a boolean, or an int as clients in other languages send
FLAG = Kind("boolean", lambda v: isinstance(v, (bool, int)), bool)
STRUCT = Kind("struct", lambda v: isinstance(v, dict))
TEXT_ARRAY = Kind("array", lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v))
ARRAY = Kind("array", lambda v: isinstance(v, list))


@dataclass(frozen=True)
class Param:
    name: str
    kind: Kind
    default: Any = REQUIRED


def _type_name(value: Any) -> str:
    return "nil" if value is None else type(value).__name__


def bind(method: str, params: tuple[Param, ...], args: tuple[Any, ...]) -> list[Any]:
    """The converted arguments, defaults filled in; raises ``TypeError`` naming the problem."""
    required = sum(1 for p in params if p.default is REQUIRED)
    if not required <= len(args) <= len(params):
        expected = (str(required) if required == len(params)
                    else f"{required} to {len(params)}")
        raise TypeError(f"{method} takes {expected} argument{'s' * (len(params) != 1)} "
                        f"({len(args)} given)")
    bound = []
    for position, param in enumerate(params):
        if position >= len(args):
            bound.append(param.default)
            continue
        value = args[position]
        if not param.kind.accepts(value):
            raise TypeError(f"{method}: argument {position + 1} ({param.name}) must be "
                            f"{_article(param.kind.name)}, not {_type_name(value)}")
        bound.append(param.kind.convert(value))
    return bound


def _article(name: str) -> str:
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


def signatures(returns: str, params: tuple[Param, ...]) -> list[list[str]]:
    """``system.methodSignature``'s answer: one ``[return, arg, ...]`` per accepted count."""
    required = sum(1 for p in params if p.default is REQUIRED)
    return [[returns, *(p.kind.name for p in params[:count])]
            for count in range(required, len(params) + 1)]
