"""The OpenAI tool schema of a plain Python function, from its type hints and docstring."""

from __future__ import annotations

import enum
import inspect
import json
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, Union

from .docstrings import parse_docstring

_SCALARS: dict[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


class ToolSchemaError(TypeError):
    """A function that cannot be described as a tool (a missing or unsupported type hint, *args)."""


def tool_schema(func: Callable[..., Any], name: str | None = None, description: str | None = None) -> dict[str, Any]:
    """The tool's schema in OpenAI's format: {"type": "function", "function": {name, description, parameters}}."""
    fname = name or getattr(func, "__name__", None)
    if not fname or not isinstance(fname, str):
        raise ToolSchemaError(f"{func!r} has no name; pass name=")
    summary, arg_docs = parse_docstring(inspect.getdoc(func))
    try:
        hints = typing.get_type_hints(func)
    except Exception as exc:  # noqa: BLE001 - a forward reference that does not resolve
        raise ToolSchemaError(f"tool '{fname}': cannot read its type hints: {exc}") from exc
    properties: dict[str, Any] = {}
    required: list[str] = []
    for p in inspect.signature(func).parameters.values():
        if p.name == "self":
            continue
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise ToolSchemaError(f"tool '{fname}': *{p.name} cannot be described; name every argument")
        if p.kind is p.POSITIONAL_ONLY:
            raise ToolSchemaError(f"tool '{fname}': argument '{p.name}' is positional-only; tools get keywords")
        if p.name not in hints:
            raise ToolSchemaError(f"tool '{fname}': argument '{p.name}' has no type hint")
        try:
            prop = type_schema(hints[p.name])
        except ToolSchemaError as exc:
            raise ToolSchemaError(f"tool '{fname}': argument '{p.name}': {exc}") from None
        if arg_docs.get(p.name):
            prop["description"] = arg_docs[p.name]
        if p.default is p.empty:
            required.append(p.name)
        elif (default := _json_default(p.default)) is not _NO_DEFAULT:
            prop["default"] = default
        properties[p.name] = prop
    parameters: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        parameters["required"] = required
    return {
        "type": "function",
        "function": {"name": fname, "description": description or summary, "parameters": parameters},
    }


def type_schema(hint: Any) -> dict[str, Any]:
    """The JSON schema of one type hint (str, int, float, bool, list, tuple, dict, Literal, Enum, Optional, unions)."""
    if hint is Any:
        return {}
    if hint is type(None) or hint is None:
        return {"type": "null"}
    if hint in _SCALARS:
        return {"type": _SCALARS[hint]}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum_schema([m.value for m in hint])
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is Literal:
        return _enum_schema(list(args))
    if origin is typing.Annotated:
        return type_schema(args[0])
    if origin in (Union, types.UnionType):
        return _union_schema(args)
    if hint in (list, set, frozenset) or origin in (list, set, frozenset):
        out: dict[str, Any] = {"type": "array"}
        if args:
            out["items"] = type_schema(args[0])
        return out
    if hint is tuple or origin is tuple:
        if not args:
            return {"type": "array"}
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": type_schema(args[0])}
        items = [type_schema(a) for a in args]
        return {"type": "array", "prefixItems": items, "minItems": len(items), "maxItems": len(items)}
    if hint is dict or origin is dict:
        out = {"type": "object"}
        if len(args) == 2:
            if args[0] is not str:
                raise ToolSchemaError(f"dict keys must be str in JSON, not {args[0]!r}")
            out["additionalProperties"] = type_schema(args[1])
        return out
    raise ToolSchemaError(f"type {hint!r} has no JSON schema (use str, int, float, bool, list, dict, Literal, Enum)")


def _union_schema(args: tuple[Any, ...]) -> dict[str, Any]:
    parts = [type_schema(a) for a in args]
    simple = [p.get("type") for p in parts if set(p) == {"type"} and isinstance(p.get("type"), str)]
    if len(simple) == len(parts):
        return {"type": simple}
    nullable = [p for p in parts if p != {"type": "null"}]
    if len(nullable) == 1 and len(parts) == 2:  # Optional[X]: X's schema, null allowed
        out = dict(nullable[0])
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
            return out
    return {"anyOf": parts}


def _enum_schema(values: list[Any]) -> dict[str, Any]:
    kinds = {type(v) for v in values}
    out: dict[str, Any] = {"enum": values}
    if len(kinds) == 1 and next(iter(kinds)) in _SCALARS:
        out = {"type": _SCALARS[next(iter(kinds))], "enum": values}
    return out


_NO_DEFAULT = object()


def _json_default(value: Any) -> Any:
    """A default as plain JSON data (tuples become lists, Enum members their values), or _NO_DEFAULT."""
    if isinstance(value, enum.Enum):
        value = value.value
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError):
        return _NO_DEFAULT
