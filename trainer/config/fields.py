"""The pieces every config section is made of: the error type, `opt` fields with help, and range checks."""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Any

DEMO = "demo"
NO_COLUMN = ("", "none", "null")  # data.answer_column values that mean "no gold answer"


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the field."""


def opt(default: Any = dataclasses.MISSING, help: str = "", factory: Any = None) -> Any:
    """A config field with its help text (string choices come from the field's `Literal` type)."""
    meta = {"help": help}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


class Checks:
    """Collects the value errors of one section; each message starts with the dotted option name."""

    def __init__(self, section: str) -> None:
        self.prefix = f"{section}." if section else ""
        self.errors: list[str] = []

    def need(self, cond: bool, name: str, message: str) -> None:
        """Record `name: message` unless `cond` holds."""
        if not cond:
            self.errors.append(f"{self.prefix}{name}: {message}")

    def range(self, name: str, value: Any, lo: float, hi: float | None = None, lo_open: bool = False) -> None:
        """Record an error unless lo <= value (or lo < value) and value <= hi; None and non-numbers pass."""
        if not is_number(value):
            return  # None is allowed where the type says so; wrong types are reported as type errors
        ok = (value > lo if lo_open else value >= lo) and (hi is None or value <= hi)
        if not ok:
            rng = f"{'>' if lo_open else '>='} {lo:g}" + (f" and <= {hi:g}" if hi is not None else "")
            self.errors.append(f"{self.prefix}{name}: must be {rng}, got {value!r}")


def is_number(value: Any) -> bool:
    """True for an int or float that is not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def all_ints(*values: Any) -> bool:
    """True when every value is an int (not a bool)."""
    return all(isinstance(v, int) and not isinstance(v, bool) for v in values)
