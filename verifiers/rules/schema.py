"""Typed reads of rule-table keys that raise SchemaError naming the key path."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import SchemaError
from .patterns import CASES, Pattern

COMMON_KEYS = frozenset({"id", "type", "weight", "severity", "message"})
PATTERN_KEYS = frozenset({"patterns", "regex", "case", "whole_word"})


def check_keys(table: dict[str, Any], allowed: Iterable[str], path: tuple, what: str) -> None:
    """Fail on the first key that the table's type does not know."""
    allowed = set(allowed)
    for key in table:
        if key not in allowed:
            raise SchemaError(path + (key,), f"unknown key '{key}' for {what} (allowed: {', '.join(sorted(allowed))})")


def get_str(
    table: dict[str, Any],
    key: str,
    path: tuple,
    default: Any = None,
    required: bool = False,
    choices: Iterable[str] | None = None,
) -> Any:
    """A string value, optionally required or one of some choices."""
    if key not in table:
        if required:
            raise SchemaError(path, f"missing required key '{key}'")
        return default
    value = table[key]
    if not isinstance(value, str):
        raise SchemaError(path + (key,), f"'{key}' must be a string, not {type(value).__name__}")
    if choices is not None and value not in choices:
        raise SchemaError(path + (key,), f"'{key}' must be one of {', '.join(choices)}, not {value!r}")
    return value


def get_bool(table: dict[str, Any], key: str, path: tuple, default: bool) -> bool:
    """A true/false value."""
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise SchemaError(path + (key,), f"'{key}' must be true or false, not {value!r}")
    return value


def get_number(
    table: dict[str, Any],
    key: str,
    path: tuple,
    default: Any = None,
    minimum: float | None = None,
    integer: bool = False,
    maximum: float | None = None,
) -> Any:
    """A number (or integer) value at or above a minimum and, if given, at or below a maximum."""
    if key not in table:
        return default
    value = table[key]
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise SchemaError(path + (key,), f"'{key}' must be {'an integer' if integer else 'a number'}, not {value!r}")
    if minimum is not None and value < minimum:
        raise SchemaError(path + (key,), f"'{key}' must be at least {minimum:g}, not {value!r}")
    if maximum is not None and value > maximum:
        raise SchemaError(path + (key,), f"'{key}' must be at most {maximum:g}, not {value!r}")
    return value


def get_strings(table: dict[str, Any], key: str, path: tuple, required: bool = False) -> list[str]:
    """A string or a non-empty list of non-empty strings, as a list."""
    if key not in table:
        if required:
            raise SchemaError(path, f"missing required key '{key}'")
        return []
    value = table[key]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise SchemaError(path + (key,), f"'{key}' must be a string or a non-empty list of strings")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise SchemaError(path + (key,), f"'{key}' must hold non-empty strings, not {item!r}")
    return list(value)


def get_patterns(
    table: dict[str, Any], path: tuple, default_case: str, timeout: float, required: bool = True, key: str = "patterns"
) -> list[Pattern]:
    """Compiled patterns from `patterns` with the table's `regex`, `case` and `whole_word` settings."""
    sources = get_strings(table, key, path, required=required)
    is_regex = get_bool(table, "regex", path, False)
    case = get_str(table, "case", path, default=default_case, choices=CASES)
    whole_word = get_bool(table, "whole_word", path, True)
    out = []
    for s in sources:
        try:
            out.append(Pattern(s, is_regex, case, whole_word, timeout))
        except ValueError as exc:
            raise SchemaError(path + (key,), str(exc)) from None
    return out


def get_table(table: dict[str, Any], key: str, path: tuple) -> dict[str, Any]:
    """A required sub-table."""
    if key not in table:
        raise SchemaError(path, f"missing required table '{key}'")
    value = table[key]
    if not isinstance(value, dict):
        raise SchemaError(path + (key,), f"'{key}' must be a table, not {type(value).__name__}")
    return value
