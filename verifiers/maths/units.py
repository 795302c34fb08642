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

        reg = pint.UnitRegistry()
        for definition in ("yuan = [currency_cny]", "jiao = 0.1 yuan", "fen_cny = 0.01 yuan"):
            reg.define(definition)  # Chinese money units: 10 jiao make a yuan
        _REGISTRY = reg
    return _REGISTRY


# Units written in Chinese after a number, as the units pint knows (longest spelling first in the pattern).
CJK_UNITS = {
    "平方千米": "km^2",
    "平方公里": "km^2",
    "平方厘米": "cm^2",
    "平方米": "m^2",
    "立方厘米": "cm^3",
    "立方米": "m^3",
    "千米": "km",
    "公里": "km",
    "厘米": "cm",
    "毫米": "mm",
    "分米": "dm",
    "米": "m",
    "千克": "kg",
    "公斤": "kg",
    "克": "g",
    "吨": "t",
    "毫升": "mL",
    "升": "L",
    "公顷": "hectare",
    "小时": "hours",
    "分钟": "minutes",
    "秒钟": "seconds",
    "秒": "seconds",
    "天": "days",
    "元": "yuan",
    "角": "jiao",
}
_CJK_UNIT = re.compile(r"(?<=[\d}])\s*(" + "|".join(sorted(CJK_UNITS, key=len, reverse=True)) + r")(?![\u3400-\u9fff])")


def cjk_units(text: str) -> str:
    """`3千米` -> `3 \\text{km}`: a unit written in Chinese after a number, in the spelling the parser reads."""
    if not _CJK_UNIT.search(text):
        return text
    return _CJK_UNIT.sub(lambda m: f" \\text{{{CJK_UNITS[m.group(1)]}}}", text)


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
