"""Format checks for reasoning output: `<think>...</think>` then `<answer>...</answer>`."""

from __future__ import annotations

import re

from ..base import Verifier
from ..result import Result
from ..sample import Sample

MODES = ("strict", "soft", "partial")


class ThinkAnswerFormat(Verifier):
    """Reasoning in <think> tags followed by the answer in <answer> tags (strict, soft or partial credit)."""

    name = "think_answer_format"

    def __init__(
        self,
        mode: str = "soft",
        think_tag: str = "think",
        answer_tag: str = "answer",
        prompt_opens_think: bool = False,
    ):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        for t in (think_tag, answer_tag):
            if not re.fullmatch(r"[A-Za-z][\w-]*", t):
                raise ValueError(f"tag names must be plain words, not {t!r}")
        self.mode = mode
        self.think_tag = think_tag
        self.answer_tag = answer_tag
        self.prompt_opens_think = prompt_opens_think
        t, a = re.escape(think_tag), re.escape(answer_tag)
        opening = "" if prompt_opens_think else rf"<{t}>"
        self._strict = re.compile(
            rf"\A\s*{opening}\n(?:(?!</?{t}>).)*?\n</{t}>\n<{a}>\n(?:(?!</?{a}>).)*?\n</{a}>\s*\Z", re.DOTALL
        )
        self._soft = re.compile(
            rf"\A\s*{opening}(?:(?!</?{t}>).)*?</{t}>\s*<{a}>(?:(?!</?{a}>).)*?</{a}>\s*\Z", re.DOTALL
        )
        self._tags = [f"<{think_tag}>", f"</{think_tag}>", f"<{answer_tag}>", f"</{answer_tag}>"]
        if prompt_opens_think:
            self._tags = self._tags[1:]

    def params(self) -> dict:
        """Settings, for repr."""
        return {"mode": self.mode}

    def check(self, sample: Sample) -> Result:
        """Check the tag structure; partial mode gives credit per tag present exactly once and in order."""
        text = sample.text
        if self.mode == "strict":
            ok = bool(self._strict.match(text))
            return self.passed("strict think/answer format") if ok else self.failed(self._diagnose(text))
        if self.mode == "soft":
            ok = bool(self._soft.match(text))
            return self.passed("think/answer format") if ok else self.failed(self._diagnose(text))
        credit = 0.0
        per_tag = 1.0 / len(self._tags)
        positions = []
        problems = []
        for t in self._tags:
            n = text.count(t)
            if n == 1:
                credit += per_tag
                positions.append(text.index(t))
            else:
                problems.append(f"{t} appears {n} times")
        if len(positions) == len(self._tags) and positions != sorted(positions):
            credit -= per_tag
            problems.append("tags are out of order")
        credit = max(credit, 0.0)
        if credit >= 1.0 - 1e-9:
            return self.passed("every tag present once, in order", score=1.0)
        return self.failed("; ".join(problems), score=round(credit, 6))

    def _diagnose(self, text: str) -> str:
        problems = [f"{t} appears {text.count(t)} times" for t in self._tags if text.count(t) != 1]
        if not problems:
            stripped = text.strip()
            end = f"</{self.answer_tag}>"
            if not stripped.endswith(end):
                problems.append(f"text after {end}")
            elif self.mode == "strict":
                problems.append("tags not each on their own line")
            else:
                problems.append("tags out of order or text outside them")
        return "format: " + "; ".join(problems)
