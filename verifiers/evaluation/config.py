"""The settings of one evaluation: input, rewards, column names, statistics and engine."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..rows import Fields

ENGINES = ("local", "ray")
LENGTH_UNITS = ("chars", "words")


class MissingDependency(RuntimeError):
    """An optional package that this part of the evaluation needs is not installed."""


@dataclass
class EvalConfig:
    """Everything `aha eval` needs; the command line fills one in."""

    reward: str
    input: Path
    output: Path
    compare: str | None = None
    format: str | None = None
    split: str | None = None
    fields: Fields = field(default_factory=Fields)
    group_by: str | None = None
    label: str | None = None
    by: tuple[str, ...] = ()
    ks: tuple[int, ...] | None = None
    threshold: float | None = None
    vote_key: str = "extracted"
    length_unit: str = "chars"
    engine: str = "local"
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    chunk_size: int = 1024
    ray_address: str | None = None
    strict: bool = False
    restart: bool = False
    examples: int = 20
    limit: int | None = None
    row_timeout: float | None = None
    answer_explicit: bool = False

    def __post_init__(self) -> None:
        self.input = Path(self.input)
        self.output = Path(self.output)
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        if self.length_unit not in LENGTH_UNITS:
            raise ValueError(f"length unit must be one of {', '.join(LENGTH_UNITS)}, not {self.length_unit!r}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if self.ks is not None and any(k < 1 for k in self.ks):
            raise ValueError(f"every k must be at least 1, got {list(self.ks)}")

    def describe(self) -> dict[str, Any]:
        """The settings as JSON-ready values, for the report."""
        out = asdict(self)
        out["input"] = str(self.input)
        out["output"] = str(self.output)
        out["by"] = list(self.by)
        out["ks"] = list(self.ks) if self.ks is not None else None
        return out
