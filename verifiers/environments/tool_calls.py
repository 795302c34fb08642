"""Tool calls read from an assistant message: structured `tool_calls`, or `<tool_call>` JSON in its text.

The text format is the Hermes/Qwen one: each call is a JSON object with a `name` and an `arguments`
object (or `parameters`, as Llama models write it) between `<tool_call>` and `</tool_call>`:

    <tool_call>{"name": "add", "arguments": {"a": 2, "b": 3}}</tool_call>
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..sample import message_text

OPEN_TAG = "<tool_call>"
CLOSE_TAG = "</tool_call>"
_BLOCK = re.compile(re.escape(OPEN_TAG) + r"(.*?)(" + re.escape(CLOSE_TAG) + r"|$)", re.DOTALL)


@dataclass(frozen=True)
class ToolCall:
    """One call the model asked for: the tool's name, its arguments and the call's id."""

    name: str
    arguments: dict[str, Any]
    id: str = ""

    def to_message_call(self) -> dict[str, Any]:
        """The call in OpenAI's structured `tool_calls` format (arguments as an object, as chat templates take)."""
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": self.arguments}}


@dataclass
class ParsedCalls:
    """The calls read from one assistant message and what could not be read (one line per problem)."""

    calls: list[ToolCall] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def format_tool_call(name: str, arguments: dict[str, Any]) -> str:
    """A tool call written in the text format this module reads."""
    body = json.dumps({"name": name, "arguments": arguments}, ensure_ascii=False)
    return f"{OPEN_TAG}{body}{CLOSE_TAG}"


def parse_tool_calls(message: dict[str, Any] | str, id_prefix: str = "call") -> ParsedCalls:
    """The tool calls of an assistant message (its `tool_calls`, else `<tool_call>` blocks in its text)."""
    out = ParsedCalls()
    if isinstance(message, dict) and message.get("tool_calls"):
        raw_calls = message["tool_calls"]
        if not isinstance(raw_calls, list):
            out.errors.append(f"tool_calls must be a list, not {type(raw_calls).__name__}")
            return out
        for i, raw in enumerate(raw_calls):
            _add(out, raw, i, id_prefix, structured=True)
        return out
    text = message if isinstance(message, str) else message_text(message.get("content"))
    for i, m in enumerate(_BLOCK.finditer(text)):
        if not m.group(2):
            out.errors.append(f"call {i + 1}: {OPEN_TAG} without {CLOSE_TAG}")
            continue
        body = m.group(1).strip()
        try:
            raw = json.loads(body)
        except ValueError as exc:
            out.errors.append(f"call {i + 1}: invalid JSON ({exc.args[0] if exc.args else exc}): {body[:80]}")
            continue
        _add(out, raw, i, id_prefix, structured=False)
    return out


def _add(out: ParsedCalls, raw: Any, i: int, id_prefix: str, structured: bool) -> None:
    where = f"call {i + 1}"
    if not isinstance(raw, dict):
        out.errors.append(f"{where}: expected a JSON object, got {type(raw).__name__}")
        return
    body = raw.get("function", raw) if structured else raw
    if not isinstance(body, dict):
        out.errors.append(f"{where}: 'function' must be an object")
        return
    name = body.get("name")
    if not isinstance(name, str) or not name:
        out.errors.append(f"{where}: no tool name")
        return
    # Some models (Llama's format) write "parameters" for the arguments.
    arguments = body["arguments"] if "arguments" in body else body.get("parameters", {})
    if isinstance(arguments, str):  # the OpenAI API sends arguments as JSON text
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except ValueError:
            out.errors.append(f"{where} ({name}): arguments are not valid JSON: {arguments[:80]}")
            return
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        out.errors.append(f"{where} ({name}): arguments must be an object, not {type(arguments).__name__}")
        return
    call_id = raw.get("id") if structured else None
    out.calls.append(ToolCall(name, arguments, str(call_id) if call_id else f"{id_prefix}_{i}"))
