"""Multiple-choice letter extraction and comparison."""

from __future__ import annotations

import re

from ..answer_markers import boxed, tag
from ..base import Verifier
from ..result import Result
from ..sample import Sample


class MultipleChoice(Verifier):
    """The chosen option letter ("(B)", "Answer: b", "the answer is B.") equals the gold letter."""

    name = "multiple_choice"

    def __init__(self, choices: str = "ABCDEFGHIJ"):
        if not choices or not all(c.isalpha() for c in choices):
            raise ValueError(f"choices must be letters, not {choices!r}")
        self.choices = choices.upper()
        letters = re.escape(self.choices) + re.escape(self.choices.lower())
        cls = f"[{letters}]"
        self._answer_phrase = re.compile(
            rf"(?:answer|option|choice)\s*(?:is|:|=)?\s*(?:option\s+|choice\s+)?[\(\[*]*\s*({cls})\s*[\)\]*]*(?![\w])",
            re.IGNORECASE,
        )
        self._paren = re.compile(rf"\(({cls})\)")
        self._line = re.compile(rf"^\s*[\(\[*]*({cls})[\)\]*]*\s*[.:)]?\s*$")
        self._lead = re.compile(rf"^\s*[\(\[*]*({cls})\s*[\).:]\s")

    def params(self) -> dict:
        """Settings, for repr."""
        return {"choices": self.choices}

    def extract(self, text: str) -> tuple[str | None, str]:
        """The chosen letter and how it was found (None when absent or ambiguous)."""
        for how, found in (("boxed", boxed(text)), ("tag", tag(text))):
            if found is not None:
                letter = self._single_letter(found)
                if letter:
                    return letter, how
        phrases = self._answer_phrase.findall(text)
        if phrases:
            return phrases[-1].upper(), "answer phrase"
        lines = [ln for ln in text.strip().splitlines() if ln.strip()]
        if lines:
            m = self._line.match(lines[-1]) or self._lead.match(lines[-1] + " ")
            if m:
                return m.group(1).upper(), "last line"
        parens = {p.upper() for p in self._paren.findall(text)}
        if len(parens) == 1:
            return parens.pop(), "parenthesised letter"
        return None, "ambiguous" if len(parens) > 1 else "not found"

    def _single_letter(self, s: str) -> str | None:
        s = s.strip().strip("()[]*.: ").replace("\\text{", "").replace("}", "").strip()
        if len(s) == 1 and s.upper() in self.choices:
            return s.upper()
        m = self._line.match(s) or self._lead.match(s + " ")
        return m.group(1).upper() if m else None

    def check(self, sample: Sample) -> Result:
        """Compare the extracted letter with the gold letter."""
        gold = self._single_letter(str(sample.answer)) if sample.answer is not None else None
        if gold is None:
            return self.unverifiable(f"gold answer {sample.answer!r} is not one of the letters {self.choices}")
        letter, how = self.extract(sample.text)
        if letter is None:
            return self.failed(f"no option letter found ({how})", extracted=None)
        if letter == gold:
            return self.passed(f"chose {letter} ({how}), the gold answer", extracted=letter)
        return self.failed(f"chose {letter} ({how}), gold is {gold}", extracted=letter)
