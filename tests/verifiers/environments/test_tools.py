"""Tools: arguments checked against the schema, results as text, a raise or a hang as an outcome."""

from __future__ import annotations

import enum
import threading
from typing import Literal

import pytest

from verifiers.environments import INVALID_ARGUMENTS, OK, TIMEOUT, TOOL_ERROR, Tool, as_tools, tool


class Unit(enum.Enum):
    CM = "cm"
    M = "m"


def convert(value: float, unit: Unit, digits: int | None = None, pair: tuple[int, int] = (0, 0)) -> dict:
    """Convert a length."""
    return {"value": value, "unit": unit.value, "digits": digits, "pair_is_tuple": isinstance(pair, tuple)}


def test_decorator_keeps_the_function_callable_and_describes_it():
    @tool(timeout=1)
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    assert add(2, 3) == 5
    assert add.name == "add" and add.description == "Add two integers." and add.timeout == 1
    assert add.schema["function"]["parameters"]["required"] == ["a", "b"]


def test_arguments_are_converted_to_the_hinted_types():
    out = Tool(convert).run({"value": 3, "unit": "cm", "digits": 2, "pair": [1, 2]})
    assert out.status == OK
    assert out.content == '{"value": 3, "unit": "cm", "digits": 2, "pair_is_tuple": true}'


@pytest.mark.parametrize(
    "arguments, problem",
    [
        ([1, 2], "arguments must be a JSON object, not list"),
        ({"value": 1}, "missing required argument(s) unit"),
        ({"value": 1, "unit": "cm", "speed": 3}, "unknown argument(s) speed; convert takes value, unit, digits, pair"),
        ({"value": "1", "unit": "cm"}, 'value: expected number, got "1" (str)'),
        ({"value": True, "unit": "cm"}, "value: expected number, got true (bool)"),
        ({"value": 1, "unit": "km"}, 'unit: "km" (str) is not one of "cm", "m"'),
        ({"value": 1, "unit": "cm", "digits": 1.5}, "digits: expected integer or null, got 1.5 (float)"),
        ({"value": 1, "unit": "cm", "pair": [1]}, "pair: expected 2 items, got 1"),
        ({"value": 1, "unit": "cm", "pair": [1, "x"]}, 'pair[1]: expected integer, got "x" (str)'),
    ],
)
def test_bad_arguments_are_invalid_arguments_with_the_reason(arguments, problem):
    out = Tool(convert).run(arguments)
    assert out.status == INVALID_ARGUMENTS and not out.ok
    assert out.error == problem and out.content == f"error: {problem}"


def test_nested_lists_and_dicts_are_checked():
    def total(groups: dict[str, list[int]], mode: Literal["sum", "max"] = "sum") -> int:
        """Total."""
        values = [v for g in groups.values() for v in g]
        return sum(values) if mode == "sum" else max(values)

    t = Tool(total)
    assert t.run({"groups": {"a": [1, 2], "b": [3]}}).content == "6"
    assert t.run({"groups": {"a": [1, 2]}, "mode": "max"}).content == "2"
    assert t.run({"groups": {"a": [1, "2"]}}).error == 'groups.a[1]: expected integer, got "2" (str)'


def test_a_tool_that_raises_is_a_tool_error_not_a_crash():
    def divide(a: int, b: int) -> float:
        """Divide."""
        return a / b

    out = Tool(divide).run({"a": 1, "b": 0})
    assert out.status == TOOL_ERROR
    assert out.error == "divide raised ZeroDivisionError: division by zero"
    assert Tool(divide).run({"a": 1, "b": 4}, timeout=5).content == "0.25"


def test_a_tool_that_hangs_is_a_timeout_and_the_caller_goes_on():
    release = threading.Event()
    started = threading.Event()

    def wait_forever(x: int) -> int:
        """Hang until released."""
        started.set()
        release.wait(30)
        return x

    try:
        out = Tool(wait_forever, timeout=0.2).run({"x": 1})
        assert started.is_set()
        assert out.status == TIMEOUT and out.error == "wait_forever did not return within 0.2 s"
    finally:
        release.set()


def test_results_become_text():
    def none() -> None:
        """Nothing."""

    def obj() -> object:
        """An object."""
        return {1, 2}

    assert Tool(none).run({}).content == "null"
    assert Tool(obj).run({}).content == "{1, 2}"


def test_as_tools_rejects_two_tools_with_one_name():
    def f(a: int) -> int:
        """F."""
        return a

    assert list(as_tools([f, Tool(f, name="g")])) == ["f", "g"]
    with pytest.raises(ValueError, match="two tools are named 'f'"):
        as_tools([f, f])


def test_an_async_tool_is_awaited_with_or_without_a_time_limit():
    import asyncio

    async def fetch(key: str) -> str:
        """Fetch a value."""
        await asyncio.sleep(0)
        return key.upper()

    async def broken(key: str) -> str:
        """Fails after awaiting."""
        await asyncio.sleep(0)
        raise LookupError(key)

    assert Tool(fetch).run({"key": "ab"}).content == "AB"
    assert Tool(fetch).run({"key": "ab"}, timeout=5).content == "AB"
    out = Tool(broken).run({"key": "k"}, timeout=5)
    assert out.status == TOOL_ERROR and out.error == "broken raised LookupError: k"
