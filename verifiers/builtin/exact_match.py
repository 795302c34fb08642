"""Exact answer match with normalisation of case, Unicode, punctuation and numbers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache

from ..answer_markers import extract_answer
from ..base import Verifier
from ..normalize import normalize_text, parse_number, strip_math_wrappers
from ..result import Result, Status
from ..sample import Sample

_INT = re.compile(r"[-+]?\d{1,300}\Z")
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
        answer = sample.answer
        if answer is None or (isinstance(answer, str) and not answer.strip()):
            return self.unverifiable("no gold answer")
        if isinstance(answer, (list, tuple)):
            forms = [_gold_form(str(g)) for g in answer]
        else:  # the common case: one gold answer, its form cached
            forms = [_gold_form(answer if type(answer) is str else str(answer))]
        strategies = self.strategies
        if strategies is None:
            numeric = forms[0][1] is not None if len(forms) == 1 else any(n is not None for _, n in forms)
            strategies = NUMBER_STRATEGIES if numeric else TEXT_STRATEGIES
        found, how = extract_answer(sample.text, strategies, self.tag_name)
        if found is None:
            return Result(0.0, Status.FAILED, "no answer found in the completion", {"extracted": None}, self.name)
        pred = strip_math_wrappers(found)
        # A plain integer needs no Fraction: comparing an int with the gold's Fraction is exact and cheaper.
        pred_number = int(pred) if _INT.match(pred) else parse_number(pred)
        for gold, gold_number in forms:
            if gold_number is not None and pred_number is not None:
                if gold_number == pred_number:
                    reason = f"{pred!r} equals {gold!r} numerically"
                    return Result(1.0, Status.PASSED, reason, {"extracted": pred, "method": how}, self.name)
                continue
            norm_pred = normalize_text(pred, self.case_sensitive, self.keep_punctuation)
            if norm_pred and norm_pred == normalize_text(gold, self.case_sensitive, self.keep_punctuation):
                return self.passed(f"{pred!r} matches {gold!r}", extracted=pred, method=how)
        shown = forms[0][0] if len(forms) == 1 else [text for text, _ in forms]
        reason = f"{_clip(pred)!r} does not match {shown!r}"
        return Result(0.0, Status.FAILED, reason, {"extracted": pred, "method": how}, self.name)


@lru_cache(maxsize=65536)
def _gold_form(gold: str) -> tuple[str, Fraction | None]:
    """The gold answer's text (boxed content if boxed) and its exact value when it is a number."""
    text = strip_math_wrappers(extract_answer(gold, ("boxed", "whole"))[0] or "")
    return text, parse_number(text)


def _clip(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."
