"""Unit conversion with pint for quantities in answers (the registry loads on first use, in workers)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_REGISTRY: Any = None
_POWER_WORDS = re.compile(r"^(square|sq\.?|cubic|cu\.?)\s+(.+)$")
_SQUARED = re.compile(r"^(.+?)\s+(squared|cubed)$")


def registry() -> Any:
    """The process-wide pint UnitRegistry."""
    global _REGISTRY
    if _REGISTRY is None:
        import pint

        _REGISTRY = pint.UnitRegistry()
    return _REGISTRY


@lru_cache(maxsize=512)
def pint_unit(text: str) -> Any:
    """The pint unit a unit text names (`cm`, `km/h`, `square feet`, `m^2`), or None."""
    s = text.strip().replace("^", "**").replace("\\", "")
    m = _POWER_WORDS.match(s)
    if m:
        s = f"({m.group(2)})**{2 if m.group(1).startswith(('square', 'sq')) else 3}"
    m = _SQUARED.match(s)
    if m:
        s = f"({m.group(1)})**{2 if m.group(2) == 'squared' else 3}"
    if not s or len(s) > 60:
        return None
    try:
        unit = registry().parse_units(s)
    except Exception:  # noqa: BLE001 - pint raises many kinds of errors for unknown words
        return None
    if unit.dimensionless:
        return None
    return unit


def convert(value: float, from_unit: str, to_unit: str) -> float | bool | None:
    """`value` in `from_unit` expressed in `to_unit` (offsets such as °C to °F included);
    False for different dimensions; None when a unit is not known."""
    a, b = pint_unit(from_unit), pint_unit(to_unit)
    if a is None or b is None:
        return None
    if a.dimensionality != b.dimensionality:
        return False
    reg = registry()
    return float(reg.Quantity(value, a).to(b).magnitude)
