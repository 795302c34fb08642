"""Number formatting shared by the HTML and Markdown reports."""

from __future__ import annotations

from typing import Any

DASH = "–"


def num(value: Any) -> str:
    """An integer with thousands separators, a float to 4 significant digits, a dash for None."""
    if value is None or value == "":
        return DASH
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != value:
            return DASH
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.4g}"
    return str(value)


def pct(value: Any) -> str:
    """A fraction as a percentage with one decimal, a dash for None."""
    if value is None or not isinstance(value, (int, float)) or value != value:
        return DASH
    return f"{100 * value:.1f}%"
