"""Tool calls read from `<tool_call>` text and from structured `tool_calls`; unreadable calls say why."""

from __future__ import annotations

import pytest

from verifiers.environments import ToolCall, format_tool_call, parse_tool_calls


def assistant(content=None, **extra):
    return {"role": "assistant", "content": content, **extra}


def test_text_calls_in_order_with_surrounding_text():
    text = (
        "Let me add. <tool_call>\n"
        '{"name": "add", "arguments": {"a": 1, "b": 2}}\n</tool_call> and '
        '<tool_call>{"name": "neg", "arguments": {"x": 5}}</tool_call> done'
    )
    parsed = parse_tool_calls(assistant(text))
    assert parsed.errors == []
    assert [(c.name, c.arguments) for c in parsed.calls] == [("add", {"a": 1, "b": 2}), ("neg", {"x": 5})]
    assert len({c.id for c in parsed.calls}) == 2


def test_format_round_trips():
    text = format_tool_call("lookup", {"q": "café", "n": [1, 2]})
    assert parse_tool_calls(text).calls == [ToolCall("lookup", {"q": "café", "n": [1, 2]}, "call_0")]


def test_content_parts_are_read_as_text():
    parts = [{"type": "text", "text": "<tool_call>"}, {"type": "text", "text": '{"name": "f"}</tool_call>'}]
    parsed = parse_tool_calls(assistant(parts))
    assert [(c.name, c.arguments) for c in parsed.calls] == [("f", {})]


def test_no_call_is_no_call_and_no_error():
    parsed = parse_tool_calls(assistant("The answer is 4."))
    assert parsed.calls == [] and parsed.errors == []
    assert parse_tool_calls(assistant(None)).calls == []


@pytest.mark.parametrize(
    "body, problem",
    [
        ("<tool_call>{not json}</tool_call>", "call 1: invalid JSON"),
        ('<tool_call>{"name": "f"', "call 1: <tool_call> without </tool_call>"),
        ("<tool_call>[1, 2]</tool_call>", "call 1: expected a JSON object, got list"),
        ('<tool_call>{"arguments": {}}</tool_call>', "call 1: no tool name"),
        ('<tool_call>{"name": "", "arguments": {}}</tool_call>', "call 1: no tool name"),
        ('<tool_call>{"name": "f", "arguments": [1]}</tool_call>', "call 1 (f): arguments must be an object, not list"),
        ('<tool_call>{"name": "f", "arguments": "{bad"}</tool_call>', "call 1 (f): arguments are not valid JSON"),
    ],
)
def test_unreadable_text_calls_are_errors_naming_the_call(body, problem):
    parsed = parse_tool_calls(assistant(body))
    assert parsed.calls == []
    assert len(parsed.errors) == 1 and parsed.errors[0].startswith(problem)


def test_a_bad_call_does_not_hide_a_good_one():
    text = '<tool_call>{oops}</tool_call><tool_call>{"name": "g", "arguments": {"k": true}}</tool_call>'
    parsed = parse_tool_calls(assistant(text))
    assert [(c.name, c.arguments) for c in parsed.calls] == [("g", {"k": True})]
    assert len(parsed.errors) == 1 and parsed.errors[0].startswith("call 1:")


def test_structured_calls_with_json_text_or_object_arguments():
    message = assistant(
        "",
        tool_calls=[
            {"id": "abc", "type": "function", "function": {"name": "add", "arguments": '{"a": 2, "b": 3}'}},
            {"type": "function", "function": {"name": "now", "arguments": {}}},
            {"type": "function", "function": {"name": "empty", "arguments": ""}},
        ],
    )
    parsed = parse_tool_calls(message, id_prefix="t")
    assert parsed.errors == []
    assert parsed.calls == [
        ToolCall("add", {"a": 2, "b": 3}, "abc"),
        ToolCall("now", {}, "t_1"),
        ToolCall("empty", {}, "t_2"),
    ]
    assert parsed.calls[0].to_message_call() == {
        "id": "abc",
        "type": "function",
        "function": {"name": "add", "arguments": {"a": 2, "b": 3}},
    }


def test_structured_calls_win_over_text_and_bad_ones_are_errors():
    message = assistant(
        '<tool_call>{"name": "ignored"}</tool_call>',
        tool_calls=[{"function": {"name": "f", "arguments": "[1]"}}, "junk", {"function": "x"}],
    )
    parsed = parse_tool_calls(message)
    assert parsed.calls == []
    assert parsed.errors == [
        "call 1 (f): arguments must be an object, not list",
        "call 2: expected a JSON object, got str",
        "call 3: 'function' must be an object",
    ]
    assert parse_tool_calls(assistant("", tool_calls={"a": 1})).errors == ["tool_calls must be a list, not dict"]


def test_parameters_is_read_as_arguments():
    parsed = parse_tool_calls(assistant('<tool_call>{"name": "f", "parameters": {"x": 1}}</tool_call>'))
    assert parsed.calls == [ToolCall("f", {"x": 1}, "call_0")]
