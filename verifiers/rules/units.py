"""Units of doses and amounts: the spellings recognised in text, and conversion through pint."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import regex

# Written form (lowercase) -> canonical unit. Canonical units that pint knows are converted by pint;
# the others (IU, units, mEq) compare only with themselves.
ALIASES: dict[str, str] = {}
for canonical, forms in {
    "ng": ["ng", "nanogram", "nanograms"],
    "mcg": ["mcg", "µg", "μg", "ug", "microgram", "micrograms", "microgramme", "microgrammes"],
    "mg": ["mg", "mgs", "milligram", "milligrams", "milligramme", "milligrammes"],
    "g": ["g", "gm", "gms", "gram", "grams", "gramme", "grammes"],
    "kg": ["kg", "kilogram", "kilograms"],
    "mL": ["ml", "mls", "millilitre", "millilitres", "milliliter", "milliliters", "cc"],
    "L": ["l", "litre", "litres", "liter", "liters"],
    "tsp": ["tsp", "teaspoon", "teaspoons", "teaspoonful", "teaspoonfuls"],
    "tbsp": ["tbsp", "tablespoon", "tablespoons", "tablespoonful", "tablespoonfuls"],
    "mmol": ["mmol", "millimole", "millimoles"],
    "IU": ["iu", "i.u."],
    "units": ["unit", "units"],
    "mEq": ["meq"],
}.items():
    for form in forms:
        ALIASES[form] = canonical

PINT_NAMES = {
    "ng": "nanogram",
    "mcg": "microgram",
    "mg": "milligram",
    "g": "gram",
    "kg": "kilogram",
    "mL": "milliliter",
    "L": "liter",
    "tsp": "teaspoon",
    "tbsp": "tablespoon",
    "mmol": "millimole",
}
DIMENSIONS = {"mass": "[mass]", "volume": "[length] ** 3", "substance": "[substance]"}
# Neighbouring mass units a writer may confuse (mg for mcg, g for mg).
CONFUSABLE = {"mcg": ("mg", "ng"), "mg": ("mcg", "g"), "g": ("mg", "kg"), "ng": ("mcg",), "kg": ("g",)}

UNIT_ALTERNATION = "|".join(regex.escape(form) for form in sorted(ALIASES, key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def unit_registry():
    """pint's UnitRegistry, created once per process (it takes a few hundred milliseconds)."""
    import pint

    return pint.UnitRegistry(cache_folder=None)


@dataclass(frozen=True)
class UnitInfo:
    """A canonical unit, its factor to pint base units and its dimensionality (or a pseudo-dimension)."""

    unit: str
    factor: float
    dimension: str


@functools.lru_cache(maxsize=256)
def unit_info(unit: str) -> UnitInfo:
    """Factor and dimension of a canonical or written unit; pint parses units outside the alias table."""
    canonical = ALIASES.get(unit.lower(), unit)
    pint_name = PINT_NAMES.get(canonical)
    if pint_name is None and canonical in ("IU", "units", "mEq"):
        return UnitInfo(canonical, 1.0, f"[{canonical}]")
    ureg = unit_registry()
    try:
        q = ureg.Quantity(1, pint_name or canonical).to_base_units()
    except Exception as exc:  # noqa: BLE001 - pint raises several error types for bad units
        raise ValueError(f"unknown unit {unit!r}") from exc
    return UnitInfo(canonical, float(q.magnitude), str(q.dimensionality))


def dimension_of(name: str) -> str:
    """The pint dimensionality for a dimension name (mass, volume, substance) or a raw '[mass]' string."""
    if name in DIMENSIONS:
        return DIMENSIONS[name]
    if name in ("IU", "units", "mEq"):
        return f"[{name}]"
    if name.startswith("["):
        return name
    raise ValueError(f"unknown dimension {name!r}; use one of {', '.join(DIMENSIONS)}, IU, units, mEq")


QUANTITY_TEXT = regex.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*([^\d\s].*?)\s*$")


@dataclass(frozen=True)
class Amount:
    """A quantity written in a rule file, e.g. "4 g", kept with its value in base units."""

    text: str
    value: float
    unit: str
    base: float
    dimension: str

    @classmethod
    def parse(cls, text: str) -> Amount:
        """Parse "4 g", "300 mcg", "10 units"; raises ValueError naming the problem."""
        if not isinstance(text, str):
            raise ValueError(f'a quantity must be a string like "4 g", not {text!r}')
        m = QUANTITY_TEXT.match(text.replace(",", ""))
        if not m:
            raise ValueError(f'{text!r} is not a number followed by a unit (like "4 g")')
        info = unit_info(m.group(2))
        value = float(m.group(1))
        return cls(text, value, info.unit, value * info.factor, info.dimension)

    def __str__(self) -> str:
        return self.text
