"""Tool schemas from signatures and docstrings: many signature shapes, both docstring styles, clear refusals."""

# Old-style Optional/Union and quoted hints are signature shapes tools meet, so they are tested as written.
# ruff: noqa: UP007, UP037, UP045

from __future__ import annotations

import enum
from typing import Annotated, Any, Literal, Optional, Union

import pytest

from verifiers.environments import ToolSchemaError, tool_schema
from verifiers.environments.docstrings import parse_docstring


def params(func) -> dict[str, Any]:
    return tool_schema(func)["function"]["parameters"]


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


def test_scalars_required_and_defaults():
    def f(a: int, b: float, c: str, d: bool, e: int = 3, g: str = "x") -> str:
        """Do f."""
        return ""

    p = params(f)
    assert p["required"] == ["a", "b", "c", "d"]
    props = p["properties"]
    assert [props[k]["type"] for k in "abcdeg"] == ["integer", "number", "string", "boolean", "integer", "string"]
    assert props["e"]["default"] == 3 and props["g"]["default"] == "x"
    assert "default" not in props["a"]


@pytest.mark.parametrize(
    "hint, expected",
    [
        (list[int], {"type": "array", "items": {"type": "integer"}}),
        (list, {"type": "array"}),
        (list[list[str]], {"type": "array", "items": {"type": "array", "items": {"type": "string"}}}),
        (set[str], {"type": "array", "items": {"type": "string"}}),
        (tuple[int, ...], {"type": "array", "items": {"type": "integer"}}),
        (
            tuple[int, str],
            {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "minItems": 2, "maxItems": 2},
        ),
        (dict[str, float], {"type": "object", "additionalProperties": {"type": "number"}}),
        (dict, {"type": "object"}),
        (Literal["a", "b"], {"type": "string", "enum": ["a", "b"]}),
        (Literal[1, 2, 3], {"type": "integer", "enum": [1, 2, 3]}),
        (Literal[1, "a"], {"enum": [1, "a"]}),
        (Colour, {"type": "string", "enum": ["red", "blue"]}),
        (Optional[int], {"type": ["integer", "null"]}),
        (int | None, {"type": ["integer", "null"]}),
        (Union[int, str], {"type": ["integer", "string"]}),
        (Optional[list[int]], {"type": ["array", "null"], "items": {"type": "integer"}}),
        (Optional[Literal["x", "y"]], {"type": ["string", "null"], "enum": ["x", "y", None]}),
        (
            list[int] | dict[str, int],
            {
                "anyOf": [
                    {"type": "array", "items": {"type": "integer"}},
                    {"type": "object", "additionalProperties": {"type": "integer"}},
                ]
            },
        ),
        (Annotated[int, "meta"], {"type": "integer"}),
        (Any, {}),
    ],
)
def test_type_hints_become_json_schema(hint, expected):
    def f(x):
        """F."""

    f.__annotations__ = {"x": hint}
    assert params(f)["properties"]["x"] == expected


def test_defaults_are_written_as_json():
    def f(a: tuple[int, int] = (1, 2), c: Colour = Colour.RED, o: Optional[str] = None, x: object = None) -> None:
        """F."""

    f.__annotations__["x"] = Any
    props = params(f)["properties"]
    assert props["a"]["default"] == [1, 2] and props["c"]["default"] == "red"
    assert props["o"]["default"] is None
    assert props["x"]["default"] is None and "required" not in params(f)


def test_a_default_json_cannot_hold_is_left_out():
    def f(x: Any = object()) -> None:
        """F."""

    assert "default" not in params(f)["properties"]["x"] and "required" not in params(f)


def test_google_docstring_gives_summary_and_argument_descriptions():
    def add(a: int, b: int = 0) -> int:
        """Add two integers
        exactly.

        A longer explanation that is not the summary.

        Args:
            a (int): The first
                number.
            b: The second number.

        Returns:
            int: the sum.
        """
        return a + b

    fn = tool_schema(add)["function"]
    assert fn["name"] == "add" and fn["description"] == "Add two integers exactly."
    assert fn["parameters"]["properties"]["a"]["description"] == "The first number."
    assert fn["parameters"]["properties"]["b"]["description"] == "The second number."


def test_numpy_docstring_gives_argument_descriptions():
    def scale(x: float, factor: float = 2.0) -> float:
        """Scale a number.

        Parameters
        ----------
        x : float
            The number.
        factor : float, optional
            How much to
            multiply by.

        Returns
        -------
        float
        """
        return x * factor

    props = params(scale)["properties"]
    assert props["x"]["description"] == "The number."
    assert props["factor"]["description"] == "How much to multiply by."


def test_no_docstring_and_name_or_description_overrides():
    def f(a: int) -> int:
        return a

    fn = tool_schema(f, name="g", description="Does g.")["function"]
    assert fn["name"] == "g" and fn["description"] == "Does g."
    assert tool_schema(f)["function"]["description"] == ""
    assert "description" not in tool_schema(f)["function"]["parameters"]["properties"]["a"]


def test_methods_leave_out_self_and_string_hints_resolve():
    class Env:
        def move(self, steps: "int", where: "Literal['n', 's']" = "n") -> str:
            """Move."""
            return ""

    for target in (Env().move, Env.move):
        p = params(target)
        assert list(p["properties"]) == ["steps", "where"] and p["required"] == ["steps"]
        assert p["properties"]["where"]["enum"] == ["n", "s"]


def test_a_function_with_no_parameters():
    def now() -> str:
        """The time."""
        return ""

    assert params(now) == {"type": "object", "properties": {}}


@pytest.mark.parametrize(
    "source, message",
    [
        ("def f(a, b: int): pass", "argument 'a' has no type hint"),
        ("def f(*args: int): pass", r"\*args cannot be described"),
        ("def f(**kw: int): pass", r"\*kw cannot be described"),
        ("def f(a: int, /): pass", "positional-only"),
        ("def f(a: bytes): pass", "argument 'a': type <class 'bytes'> has no JSON schema"),
        ("def f(a: dict[int, str]): pass", "dict keys must be str"),
        ("def f(a: 'Missing'): pass", "cannot read its type hints"),
    ],
)
def test_unsupported_signatures_are_refused_with_the_reason(source, message):
    scope: dict[str, Any] = {}
    exec(source, scope)
    with pytest.raises(ToolSchemaError, match=message):
        tool_schema(scope["f"])


def test_parse_docstring_stops_the_argument_section_at_the_next_heading():
    summary, args = parse_docstring(
        """Summary line.

        Args:
            x: the x.

        Raises:
            ValueError: when x is bad.
        """
    )
    assert summary == "Summary line." and args == {"x": "the x."}
    assert parse_docstring(None) == ("", {})
