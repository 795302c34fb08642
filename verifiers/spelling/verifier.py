"""The `spelling` verifier: a capped penalty per misspelt word, with suggestions in the reason."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..base import Verifier
from ..result import Result
from ..safe_regex import compile_pattern
from ..sample import Sample
from .dictionary import Dictionary, vocabulary_words
from .masking import MASKS, mask_text
from .names import near_place
from .tokens import PROPER_NOUN_POLICIES, Policy, Word, split_words

OUTPUTS = ("penalty", "score")
COUNTS = ("occurrences", "distinct")


class Spelling(Verifier):
    """Penalty per misspelt word (real dictionary), capped; lists the words with suggestions."""

    name = "spelling"

    def __init__(
        self,
        penalty_per_word: float = 0.1,
        max_penalty: float = 1.0,
        output: str = "penalty",
        count: str = "occurrences",
        language: str = "en",
        vocabularies: str | Sequence[str] | None = "all",
        words: Iterable[str] = (),
        words_file: str | None = None,
        ignore: Sequence[str] = ("code", "latex", "urls", "markup"),
        ignore_patterns: Sequence[str] = (),
        ignore_numbers: bool = True,
        ignore_units: bool = True,
        ignore_identifiers: bool = True,
        ignore_acronyms: bool = True,
        proper_nouns: str = "mid_sentence",
        near_names: bool = True,
        british: bool = True,
        min_length: int = 2,
        max_suggestions: int = 3,
        suggest_distance: int = 1,
        suggest_words: int = 5,
        max_chars: int = 200_000,
    ):
        if penalty_per_word < 0 or max_penalty < 0:
            raise ValueError("penalty_per_word and max_penalty must be >= 0")
        if output not in OUTPUTS:
            raise ValueError(f"output must be one of {', '.join(OUTPUTS)}, not {output!r}")
        if count not in COUNTS:
            raise ValueError(f"count must be one of {', '.join(COUNTS)}, not {count!r}")
        if proper_nouns not in PROPER_NOUN_POLICIES:
            raise ValueError(f"proper_nouns must be one of {', '.join(PROPER_NOUN_POLICIES)}, not {proper_nouns!r}")
        bad = [k for k in ignore if k not in MASKS]
        if bad:
            raise ValueError(f"unknown ignore kind(s) {bad}; known: {', '.join(MASKS)}")
        if suggest_distance not in (1, 2):
            raise ValueError("suggest_distance must be 1 or 2")
        if min_length < 1 or max_chars < 1:
            raise ValueError("min_length and max_chars must be positive")
        self.penalty_per_word = float(penalty_per_word)
        self.max_penalty = float(max_penalty)
        self.output = output
        self.count = count
        self.language = language
        self.ignore = tuple(ignore)
        self.ignore_patterns = tuple(ignore_patterns)
        self._extra_masks = [self._compile(p) for p in self.ignore_patterns]
        self.policy = Policy(
            ignore_numbers=ignore_numbers,
            ignore_units=ignore_units,
            ignore_identifiers=ignore_identifiers,
            ignore_acronyms=ignore_acronyms,
            proper_nouns=proper_nouns,
            min_length=min_length,
        )
        self.near_names = near_names
        self.max_suggestions = max_suggestions
        self.suggest_distance = suggest_distance
        self.suggest_words = suggest_words
        self.max_chars = max_chars
        self.vocabularies = self._vocabulary_names(vocabularies)
        extra = set(vocabulary_words(words))
        if words_file is not None:
            extra |= vocabulary_words(_read_words_file(words_file))
        extra |= self._registered_words(self.vocabularies)
        self.dictionary = Dictionary(language, extra, british)

    @staticmethod
    def _compile(pattern: str):
        return compile_pattern(pattern, what="ignore pattern")

    @staticmethod
    def _vocabulary_names(vocabularies: str | Sequence[str] | None) -> tuple[str, ...] | str:
        if vocabularies is None:
            return ()
        if isinstance(vocabularies, str):
            return "all" if vocabularies == "all" else (vocabularies,)
        return tuple(vocabularies)

    @staticmethod
    def _registered_words(names: tuple[str, ...] | str) -> set[str]:
        from ..registry import get_registry

        registered = get_registry().vocabularies()
        if names == "all":
            chosen = list(registered)
        else:
            missing = [n for n in names if n not in registered]
            if missing:
                known = ", ".join(sorted(registered)) or "none"
                raise ValueError(f"unknown vocabulary {', '.join(missing)} (registered: {known})")
            chosen = list(names)
        out: set[str] = set()
        for name in chosen:
            out |= vocabulary_words(registered[name][1])
        return out

    def params(self) -> dict[str, Any]:
        """Settings, for repr."""
        return {"penalty_per_word": self.penalty_per_word, "max_penalty": self.max_penalty, "output": self.output}

    def misspellings(self, text: str) -> tuple[dict[str, list[list[int]]], int, dict[str, int]]:
        """Misspelt words (as first written) with their spans, the number of words checked, and skip counts."""
        masked = mask_text(text, self.ignore)
        for pattern in self._extra_masks:
            masked = pattern.sub(lambda m: " " * len(m.group(0)), masked)
        proper: list[Word] | None = [] if self.near_names else None
        words, skipped, names = split_words(masked, self.policy, proper)
        known = self.dictionary.known
        # a capitalised word skipped as a name, unknown to the dictionary and one slip from a well-known place,
        # is a misspelling ("Frnace", "Pariss"); real names far from any place stay skipped
        near = {w.text.lower() for w in proper or () if not known(w.text) and near_place(w.text)}
        if near:
            for w in proper or ():
                if w.text.lower() in near:
                    words.append(w)
                    skipped["proper_nouns"] -= 1
            words.sort(key=lambda w: w.start)
        found: dict[str, list[list[int]]] = {}
        first_form: dict[str, str] = {}
        for w in words:
            if known(w.text):
                continue
            key = w.text.lower()
            if w.sentence_start and key in names and key not in near:
                skipped["proper_nouns"] += 1
                continue
            form = first_form.setdefault(key, w.text if len(w.text) <= 64 else w.text[:60] + "...")
            found.setdefault(form, []).append([w.start, w.end])
        return found, len(words), dict(skipped)

    def check(self, sample: Sample) -> Result:
        """Count misspelt words outside code, maths, URLs and names; penalise each up to the cap."""
        text = sample.text
        truncated = len(text) > self.max_chars
        if truncated:
            text = text[: self.max_chars]
        found, checked, skipped = self.misspellings(text)
        errors = sum(len(v) for v in found.values()) if self.count == "occurrences" else len(found)
        penalty = min(self.max_penalty, self.penalty_per_word * errors)
        score = (-penalty if penalty else 0.0) if self.output == "penalty" else 1.0 - penalty
        misspelt = []
        for i, (word, spans) in enumerate(found.items()):
            suggestions = (
                self.dictionary.suggest(word, self.max_suggestions, self.suggest_distance)
                if i < self.suggest_words
                else []
            )
            misspelt.append({"word": word, "count": len(spans), "suggestions": suggestions, "spans": spans[:10]})
        details: dict[str, Any] = {
            "misspelt": misspelt,
            "errors": errors,
            "words_checked": checked,
            "skipped": skipped,
            "penalty": penalty,
        }
        note = f" (checked the first {self.max_chars} of {len(sample.text)} characters)" if truncated else ""
        if truncated:
            details["truncated_at"] = self.max_chars
        if not found:
            if checked == 0 and skipped.get("other_script"):
                return self.unverifiable(
                    f"no words in the dictionary's script to check ({skipped['other_script']} in other scripts)",
                    score=score,
                    **details,
                )
            return self.passed(f"no misspelt words in {checked} checked{note}", score=score, **details)
        listed = "; ".join(_describe(m) for m in misspelt[:20])
        more = f"; and {len(misspelt) - 20} more" if len(misspelt) > 20 else ""
        capped = " (capped)" if penalty < self.penalty_per_word * errors else ""
        return self.failed(
            f"{errors} misspelt of {checked} words, penalty {penalty:g}{capped}: {listed}{more}{note}",
            score=score,
            **details,
        )


def _describe(m: dict[str, Any]) -> str:
    times = f" (x{m['count']})" if m["count"] > 1 else ""
    hint = f" -> {', '.join(m['suggestions'])}" if m["suggestions"] else ""
    return f"'{m['word']}'{times}{hint}"


def _read_words_file(path: str) -> list[str]:
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ValueError(f"cannot read words_file {path}: {exc}") from exc
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]
