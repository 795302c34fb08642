"""Exact answer match with normalisation of case, Unicode, punctuation and numbers."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache

from ..base import Verifier
from ..extract import extract_answer
from ..normalize import normalize_text, parse_number, strip_math_wrappers
from ..result import Result
from ..sample import Sample

TEXT_STRATEGIES = ("boxed", "tag", "phrase", "whole")
NUMBER_STRATEGIES = ("boxed", "tag", "phrase", "last_number")


class ExactMatch(Verifier):
    """Extracted answer equals the gold answer after normalisation (numbers compared exactly)."""

    name = "exact_match"

    def __init__(
        self,
        case_sensitive: bool = False,
        strategies: Sequence[str] | None = None,
        keep_punctuation: bool = False,
        tag_name: str = "answer",
    ):
        self.case_sensitive = case_sensitive
        self.strategies = tuple(strategies) if strategies else None
        self.keep_punctuation = keep_punctuation
        self.tag_name = tag_name

    def params(self) -> dict:
        """Settings, for repr."""
        return {"case_sensitive": self.case_sensitive, "strategies": self.strategies}

    def check(self, sample: Sample) -> Result:
        """Compare the extracted answer with the gold answer."""
        if sample.answer is None or (isinstance(sample.answer, str) and not sample.answer.strip()):
            return self.unverifiable("no gold answer")
        golds = sample.answer if isinstance(sample.answer, (list, tuple)) else [sample.answer]
        forms = [_gold_form(str(g)) for g in golds]
        gold_texts = [f[0] for f in forms]
        gold_numbers = [f[1] for f in forms]
        numeric = any(n is not None for n in gold_numbers)
        strategies = self.strategies or (NUMBER_STRATEGIES if numeric else TEXT_STRATEGIES)
        found, how = extract_answer(sample.text, strategies, self.tag_name)
        if found is None:
            return self.failed("no answer found in the completion", extracted=None)
        pred = strip_math_wrappers(found)
        pred_number = parse_number(pred)
        for gold, gold_number in zip(gold_texts, gold_numbers):
            if gold_number is not None and pred_number is not None:
                if gold_number == pred_number:
                    return self.passed(f"{pred!r} equals {gold!r} numerically", extracted=pred, method=how)
                continue
            norm_pred = normalize_text(pred, self.case_sensitive, self.keep_punctuation)
            if norm_pred and norm_pred == normalize_text(gold, self.case_sensitive, self.keep_punctuation):
                return self.passed(f"{pred!r} matches {gold!r}", extracted=pred, method=how)
        shown = gold_texts[0] if len(gold_texts) == 1 else gold_texts
        return self.failed(f"{_clip(pred)!r} does not match {shown!r}", extracted=pred, method=how)


@lru_cache(maxsize=65536)
def _gold_form(gold: str) -> tuple[str, Fraction | None]:
    """The gold answer's text (boxed content if boxed) and its exact value when it is a number."""
    text = strip_math_wrappers(extract_answer(gold, ("boxed", "whole"))[0] or "")
    return text, parse_number(text)


def _clip(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."
