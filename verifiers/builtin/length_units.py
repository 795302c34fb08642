"""A completion's length in tokens, words or characters, as the length verifiers measure it."""

from __future__ import annotations

from ..sample import Sample

UNITS = ("tokens", "words", "chars")


def completion_length(sample: Sample, unit: str) -> tuple[int, str]:
    """The completion's length and the unit it was measured in.

    `tokens` uses `metadata["completion_tokens"]` (set by the trainer) and falls back to words.
    """
    if unit == "tokens":
        n = sample.metadata.get("completion_tokens")
        if isinstance(n, int) and not isinstance(n, bool):
            return n, "tokens"
        unit = "words"
    if unit == "words":
        return len(sample.text.split()), "words"
    return len(sample.text), "chars"


def check_unit(unit: str) -> str:
    """The unit, if it is one of UNITS; else a ValueError naming them."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    return unit
