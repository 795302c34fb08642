"""The bundled medical tables: adult maximum doses (each with its source) and dangerous interaction pairs."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from verifiers.rules import Amount

HERE = Path(__file__).parent
DOSES = HERE / "doses.toml"
INTERACTIONS = HERE / "interactions.toml"
DRUG_NAMES = HERE / "drug_names.txt"
MEDICAL_TERMS = HERE / "medical_terms.txt"
DOSE_KEYS = {
    "name",
    "aliases",
    "max_daily",
    "max_single",
    "min_daily",
    "max_daily_per_kg",
    "max_single_per_kg",
    "source",
    "url",
    "note",
    "confirmed",
}
PAIR_KEYS = {"id", "a", "b", "severity", "risk", "warning_terms", "source", "url", "confirmed"}
PAIR_SEVERITIES = ("major", "moderate")


class TableError(ValueError):
    """A malformed dose or interaction table: the file, the entry and the problem."""


@dataclass(frozen=True)
class DoseLimit:
    """One drug's adult limits and where they come from."""

    name: str
    aliases: tuple[str, ...]
    max_daily: Amount
    source: str
    max_single: Amount | None = None
    min_daily: Amount | None = None
    max_daily_per_kg: Amount | None = None
    max_single_per_kg: Amount | None = None
    url: str = ""
    note: str = ""
    confirmed: bool = True

    @property
    def names(self) -> list[str]:
        """The generic name first, then the aliases."""
        return [self.name, *self.aliases]


@dataclass(frozen=True)
class Pair:
    """A dangerous combination of two groups of drugs."""

    id: str
    a: str
    b: str
    severity: str
    risk: str
    source: str
    warning_terms: tuple[str, ...] = ()
    url: str = ""
    confirmed: bool = True


@dataclass
class Interactions:
    """Drug groups, the dangerous pairs between them, and the generic caution phrases."""

    groups: dict[str, list[str]] = field(default_factory=dict)
    pairs: list[Pair] = field(default_factory=list)
    caution_phrases: list[str] = field(default_factory=list)

    def members(self, name: str) -> list[str]:
        """The drugs of a group, or the drug itself when it is not a group name."""
        return self.groups.get(name, [name])


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TableError(f"{path}: {exc}") from None


def _amount(path: Path, i: int, name: str, key: str, value: object) -> Amount:
    try:
        return Amount.parse(value)  # type: ignore[arg-type]
    except ValueError as exc:
        raise TableError(f"{path}: drug {i + 1} ({name}): {key}: {exc}") from None


@functools.lru_cache(maxsize=4)
def load_doses(path: str | None = None, confirmed_only: bool = False) -> tuple[DoseLimit, ...]:
    """The dose table; every entry needs a name, a max_daily amount and a source.

    `confirmed = false` marks a row whose values were not checked against the public text of its source;
    `confirmed_only` leaves those rows out.
    """
    p = Path(path) if path else DOSES
    out = []
    for i, row in enumerate(_read(p).get("drug", [])):
        name = row.get("name")
        unknown = set(row) - DOSE_KEYS
        if unknown:
            raise TableError(f"{p}: drug {i + 1} ({name}): unknown key(s) {', '.join(sorted(unknown))}")
        for key in ("name", "max_daily", "source"):
            if not isinstance(row.get(key), str) or not row[key].strip():
                raise TableError(f"{p}: drug {i + 1} ({name}): '{key}' is required")
        confirmed = row.get("confirmed", True)
        if not isinstance(confirmed, bool):
            raise TableError(f"{p}: drug {i + 1} ({name}): 'confirmed' must be true or false")
        if confirmed_only and not confirmed:
            continue
        optional = {
            key: _amount(p, i, name, key, row[key])
            for key in ("max_single", "min_daily", "max_daily_per_kg", "max_single_per_kg")
            if key in row
        }
        out.append(
            DoseLimit(
                name=name,
                aliases=tuple(row.get("aliases", [])),
                max_daily=_amount(p, i, name, "max_daily", row["max_daily"]),
                source=row["source"],
                url=row.get("url", ""),
                note=row.get("note", ""),
                confirmed=confirmed,
                **optional,
            )
        )
    if not out:
        raise TableError(f"{p}: no [[drug]] entries")
    return tuple(out)


@functools.lru_cache(maxsize=4)
def load_interactions(path: str | None = None) -> Interactions:
    """The interaction table; pairs refer to groups (or single drugs) and each names its source.

    `confirmed = false` marks a pair whose warning was not checked against the public text of its source (`url`).
    """
    p = Path(path) if path else INTERACTIONS
    data = _read(p)
    groups = {k: list(v) for k, v in data.get("groups", {}).items()}
    pairs = []
    for i, row in enumerate(data.get("pair", [])):
        unknown = set(row) - PAIR_KEYS
        if unknown:
            raise TableError(f"{p}: pair {i + 1}: unknown key(s) {', '.join(sorted(unknown))}")
        for key in ("id", "a", "b", "risk", "source"):
            if not isinstance(row.get(key), str) or not row[key].strip():
                raise TableError(f"{p}: pair {i + 1}: '{key}' is required")
        severity = row.get("severity", "major")
        if severity not in PAIR_SEVERITIES:
            raise TableError(f"{p}: pair {i + 1} ({row['id']}): severity must be major or moderate, not {severity!r}")
        confirmed = row.get("confirmed", True)
        if not isinstance(confirmed, bool):
            raise TableError(f"{p}: pair {i + 1} ({row['id']}): 'confirmed' must be true or false")
        pairs.append(
            Pair(
                row["id"],
                row["a"],
                row["b"],
                severity,
                row["risk"],
                row["source"],
                tuple(row.get("warning_terms", [])),
                url=row.get("url", ""),
                confirmed=confirmed,
            )
        )
    return Interactions(groups, pairs, list(data.get("caution_phrases", [])))


def drug_vocabulary() -> list[str]:
    """Every drug name the plugin knows (dose table, interaction groups, name list) and the clinical terms."""
    names: list[str] = []
    # read the raw table: parsing its amounts would start pint, too slow for plugin registration
    for row in _read(DOSES).get("drug", []):
        names += [row.get("name", ""), *row.get("aliases", [])]
    for members in load_interactions().groups.values():
        names += members
    return names + word_list(DRUG_NAMES) + word_list(MEDICAL_TERMS)


def word_list(path: Path) -> list[str]:
    """Entries of a word-list file, one per line, '#' comments dropped."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out
