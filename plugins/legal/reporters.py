"""The table of US case reporters (Bluebook abbreviations, court level, years), loaded from reporters.toml."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).with_name("reporters.toml")
COURT_LEVELS = ("supreme", "circuit", "district", "bankruptcy", "regional", "implied")


@dataclass(frozen=True)
class Reporter:
    """One reporter series."""

    abbreviation: str
    name: str
    court: str
    start: int | None = None
    end: int | None = None


def reporter_key(text: str) -> str:
    """A lookup key that ignores spacing, periods, apostrophes and case: "F. Supp. 2d" -> "fsupp2d"."""
    return re.sub(r"[\s.'’]", "", text).lower()


@functools.lru_cache(maxsize=4)
def load_reporters(path: str | None = None) -> dict[str, Reporter]:
    """Reporters by lookup key, from the bundled table or another TOML file of the same shape."""
    p = Path(path) if path else TABLE
    data = tomllib.loads(p.read_text(encoding="utf-8"))
    out: dict[str, Reporter] = {}
    for i, row in enumerate(data.get("reporter", [])):
        if row.get("court") not in COURT_LEVELS:
            raise ValueError(f"{p}: reporter {i + 1} ({row.get('abbreviation')!r}) has court {row.get('court')!r}")
        rep = Reporter(row["abbreviation"], row["name"], row["court"], row.get("start"), row.get("end"))
        out[reporter_key(rep.abbreviation)] = rep
    return out
