"""The spelling dictionary: pyspellchecker's word list plus vocabularies, with cached lookups and suggestions."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from .british import american_forms

CACHE_LIMIT = 200_000
LONGEST_CACHED = 64  # longer "words" are junk; looking them up is cheap, keeping them is not


@functools.lru_cache(maxsize=8)
def load_checker(language: str):
    """pyspellchecker's SpellChecker for a language, loaded once per process."""
    from spellchecker import SpellChecker

    try:
        return SpellChecker(language=language)
    except ValueError as exc:
        from spellchecker import SpellChecker as SC

        known = ", ".join(sorted(SC.languages()))
        raise ValueError(f"no spelling dictionary for language {language!r} (known: {known})") from exc


def vocabulary_words(words: Iterable[str]) -> set[str]:
    """Lowercased single words from vocabulary entries (multi-word and hyphenated entries are split)."""
    out: set[str] = set()
    for entry in words:
        for w in str(entry).replace("’", "'").replace("-", " ").split():
            w = w.strip(".,;:()\"'").lower()
            if w:
                out.add(w)
    return out


class Dictionary:
    """Known-word lookups against one language's dictionary and extra words; results cached per word."""

    def __init__(self, language: str, extra: Iterable[str] = (), british: bool = True):
        self.language = language
        self.extra = frozenset(extra)
        self.british = british
        self._cache: dict[str, bool] = {}
        self._suggestions: dict[str, list[str]] = {}
        self._checker = load_checker(language)
        self._words = self._checker.word_frequency.dictionary

    def __getstate__(self):
        return {"language": self.language, "extra": self.extra, "british": self.british}

    def __setstate__(self, state):
        self.__init__(state["language"], state["extra"], state["british"])

    def _has(self, key: str) -> bool:
        return key in self._words or key in self.extra

    def known(self, word: str) -> bool:
        """True when the word (any case) is in the dictionary, the extra words, or is a British spelling of one."""
        key = word.lower().replace("’", "'")
        hit = self._cache.get(key)
        if hit is None:
            hit = self._lookup(key)
            if len(key) <= LONGEST_CACHED:
                if len(self._cache) >= CACHE_LIMIT:
                    self._cache.clear()
                self._cache[key] = hit
        return hit

    def _lookup(self, key: str) -> bool:
        if self._has(key):
            return True
        if key.endswith("'s") and self._has(key[:-2]):
            return True
        if key.endswith("s'") and self._has(key[:-1]):
            return True
        if "'" in key:
            parts = [p for p in key.split("'") if p]
            if parts and all(self._has(p) or len(p) <= 2 for p in parts) and self._has(parts[0]):
                return True
        if self.british:
            base = key[:-2] if key.endswith("'s") else key
            return any(self._has(form) for form in american_forms(base))
        return False

    def suggest(self, word: str, limit: int = 3, distance: int = 1) -> list[str]:
        """Known words within `distance` edits (1 or 2) of the word, most frequent first."""
        key = word.lower().replace("’", "'")
        if len(key) > LONGEST_CACHED:
            return []
        cache_key = f"{distance}:{key}"
        hit = self._suggestions.get(cache_key)
        if hit is None:
            checker = self._checker
            candidates = {w for w in checker.edit_distance_1(key) if self._has(w)}
            if not candidates and distance >= 2:
                candidates = {
                    w for e1 in checker.edit_distance_1(key) for w in checker.edit_distance_1(e1) if self._has(w)
                }
            candidates.discard(key)
            hit = sorted(candidates, key=lambda w: (-self._words.get(w, 1000), w))
            if len(self._suggestions) >= CACHE_LIMIT // 10:
                self._suggestions.clear()
            self._suggestions[cache_key] = hit
        return hit[:limit]
