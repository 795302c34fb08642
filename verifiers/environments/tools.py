"""Tools: plain Python functions described by their signature, called with checked arguments and a time limit."""

from __future__ import annotations

import asyncio
import enum
import inspect
import json
import threading
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .schema import tool_schema

# What a tool call came to: `ok`, or why the tool gave no result.
OK = "ok"
INVALID_ARGUMENTS = "invalid_arguments"
UNKNOWN_TOOL = "unknown_tool"
TOOL_ERROR = "tool_error"
TIMEOUT = "timeout"

_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


@dataclass(frozen=True)
class ToolOutcome:
    """The result of one tool call: its status, the text the model sees, and the error when there is one."""

    status: str
    content: str
    error: str = ""

    @property
    def ok(self) -> bool:
        """Whether the tool ran and returned."""
        return self.status == OK


class Tool:
    """A plain function offered to the model; its OpenAI schema comes from its type hints and docstring."""

    def __init__(
        self,
        func: Callable[..., Any],
        name: str | None = None,
        description: str | None = None,
        timeout: float | None = None,
    ):
        self.func = func
        self.schema = tool_schema(func, name=name, description=description)
        self.name: str = self.schema["function"]["name"]
        self.description: str = self.schema["function"]["description"]
        self.timeout = timeout
        self._hints = typing.get_type_hints(func)

    @property
    def parameters(self) -> dict[str, Any]:
        """The JSON schema of the arguments."""
        return self.schema["function"]["parameters"]

    def check_arguments(self, arguments: Any) -> dict[str, Any]:
        """The arguments ready for the call; raises ValueError saying what is wrong with them."""
        if not isinstance(arguments, dict):
            raise ValueError(f"arguments must be a JSON object, not {type(arguments).__name__}")
        props = self.parameters["properties"]
        unknown = sorted(set(arguments) - set(props))
        if unknown:
            raise ValueError(
                f"unknown argument(s) {', '.join(unknown)}; {self.name} takes {', '.join(props) or 'none'}"
            )
        missing = [n for n in self.parameters.get("required", []) if n not in arguments]
        if missing:
            raise ValueError(f"missing required argument(s) {', '.join(missing)}")
        out: dict[str, Any] = {}
        for key, value in arguments.items():
            problem = value_problem(value, props[key], key)
            if problem:
                raise ValueError(problem)
            out[key] = _to_python(value, self._hints.get(key))
        return out

    def run(self, arguments: Any, timeout: float | None = None) -> ToolOutcome:
        """Call the tool: bad arguments, an exception or overrunning `timeout` seconds become an outcome, never raise."""
        try:
            kwargs = self.check_arguments(arguments)
        except ValueError as exc:
            return ToolOutcome(INVALID_ARGUMENTS, f"error: {exc}", str(exc))
        limit = timeout if timeout is not None else self.timeout
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                value = self.func(**kwargs)
                if inspect.isawaitable(value):  # an async tool runs on an event loop of this thread
                    value = asyncio.run(_awaited(value))
                box["value"] = value
            except BaseException as exc:  # noqa: BLE001 - reported as the call's outcome
                box["error"] = exc

        if limit is None:
            target()
        else:
            # A thread cannot be killed: a tool that hangs is left running (daemon) and the episode ends.
            thread = threading.Thread(target=target, name=f"tool-{self.name}", daemon=True)
            thread.start()
            thread.join(limit)
            if thread.is_alive():
                reason = f"{self.name} did not return within {limit:g} s"
                return ToolOutcome(TIMEOUT, f"error: {reason}", reason)
        if "error" in box:
            exc = box["error"]
            reason = f"{self.name} raised {type(exc).__name__}: {exc}"
            return ToolOutcome(TOOL_ERROR, f"error: {reason}", reason)
        return ToolOutcome(OK, result_text(box.get("value")))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.func(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Tool({self.name!r})"


def tool(
    func: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    timeout: float | None = None,
) -> Any:
    """Decorator: make a Tool of a function (`@tool` or `@tool(timeout=2)`)."""

    def wrap(f: Callable[..., Any]) -> Tool:
        return Tool(f, name=name, description=description, timeout=timeout)

    return wrap(func) if func is not None else wrap


def as_tools(items: Iterable[Tool | Callable[..., Any]]) -> dict[str, Tool]:
    """Tools by name from Tools and plain functions; raises ValueError on a repeated name."""
    out: dict[str, Tool] = {}
    for item in items:
        t = item if isinstance(item, Tool) else Tool(item)
        if t.name in out:
            raise ValueError(f"two tools are named '{t.name}'")
        out[t.name] = t
    return out


def result_text(value: Any) -> str:
    """A tool's return value as the text of a tool message (JSON for anything but a string)."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return str(value)


def value_problem(value: Any, schema: dict[str, Any], where: str) -> str:
    """What is wrong with a JSON value for a schema from `type_schema` ('' when nothing)."""
    if "anyOf" in schema:
        if all(value_problem(value, s, where) for s in schema["anyOf"]):
            return f"{where}: {_shown(value)} matches none of the allowed types"
        return ""
    kinds = schema.get("type")
    if kinds is not None:
        names = [kinds] if isinstance(kinds, str) else list(kinds)
        if not any(_JSON_TYPES[k](value) for k in names):
            return f"{where}: expected {' or '.join(names)}, got {_shown(value)}"
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(json.dumps(v) for v in schema["enum"])
        return f"{where}: {_shown(value)} is not one of {allowed}"
    if isinstance(value, list):
        if "prefixItems" in schema:
            items = schema["prefixItems"]
            if len(value) != len(items):
                return f"{where}: expected {len(items)} items, got {len(value)}"
            for i, (v, s) in enumerate(zip(value, items, strict=True)):
                if problem := value_problem(v, s, f"{where}[{i}]"):
                    return problem
        elif "items" in schema:
            for i, v in enumerate(value):
                if problem := value_problem(v, schema["items"], f"{where}[{i}]"):
                    return problem
    if isinstance(value, dict) and "additionalProperties" in schema:
        for k, v in value.items():
            if problem := value_problem(v, schema["additionalProperties"], f"{where}.{k}"):
                return problem
    return ""


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=repr)
    kind = "null" if value is None else type(value).__name__
    return f"{text[:60]} ({kind})"


def _to_python(value: Any, hint: Any) -> Any:
    """A checked JSON value as the type the function asked for (Enum members, tuples, sets)."""
    if hint is None or value is None:
        return value
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _to_python(value, inner[0]) if len(inner) == 1 else value
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    origin = typing.get_origin(hint) or hint
    if origin is tuple and isinstance(value, list):
        return tuple(value)
    if origin in (set, frozenset) and isinstance(value, list):
        return origin(value)
    return value
