"""Capitalised words that look like misspelt place names ("Frnace", "Pariss") rather than real names."""

from __future__ import annotations

import functools
from pathlib import Path

PLACES = Path(__file__).with_name("places.txt")
MIN_LENGTH = 4


@functools.lru_cache(maxsize=1)
def place_index() -> tuple[frozenset[str], dict[str, str]]:
    """The place words and a map from each one-letter deletion of a place word to the place."""
    places = frozenset(
        line.strip() for line in PLACES.read_text(encoding="utf-8").splitlines() if line.strip() and line[0] != "#"
    )
    deletes: dict[str, str] = {}
    for p in places:
        deletes.setdefault(p, p)
        for i in range(len(p)):
            deletes.setdefault(p[:i] + p[i + 1 :], p)
    return places, deletes


def near_place(word: str) -> str | None:
    """The place a word is one or two edits from (same first letter), or None; real places are not near-misses.

    Deletion on both sides (symmetric delete) finds insertions, deletions, substitutions and transpositions.
    """
    key = word.lower()
    if len(key) < MIN_LENGTH:
        return None
    places, deletes = place_index()
    if key in places:
        return None
    for variant in (key, *(key[:i] + key[i + 1 :] for i in range(len(key)))):
        place = deletes.get(variant)
        if place is not None and place[0] == key[0] and place != key:
            return place
    return None
