"""Loading the labelled maths corpus (data/corpus_*.toml) for tests and benchmarks, and a judge for tests."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data"


@functools.cache
def _backend(policy):
    from verifiers.maths.symbolic import SympyBackend

    return SympyBackend(policy)


def same(pred: str, gold: str, policy=None, **settings) -> bool | None:
    """Whether the staged comparison finds `pred` equal to `gold`, sympy in this process (default policy,
    the given one, or one made from `settings`)."""
    from verifiers.maths.compare import judge
    from verifiers.maths.policy import Policy

    policy = policy or Policy(**settings)
    return judge(pred, gold, policy, _backend(policy)).equal


@dataclass(frozen=True)
class Case:
    """One labelled pair: does `pred` (an answer or a whole completion) equal `gold`?"""

    category: str
    gold: str
    pred: str
    eq: bool
    note: str = ""


def load_corpus(data: Path = DATA) -> list[Case]:
    """Every labelled case, in file and category order."""
    cases = []
    for path in sorted(data.glob("corpus_*.toml")):
        with path.open("rb") as f:
            tables = tomllib.load(f)
        for category, body in tables.items():
            for raw in body["cases"]:
                cases.append(Case(category, raw["gold"], raw["pred"], bool(raw["eq"]), raw.get("note", "")))
    return cases


def descendants(pid: int) -> set[int]:
    """Process ids of every live descendant of `pid` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] == "Z":  # a zombie is already gone
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    out: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out
