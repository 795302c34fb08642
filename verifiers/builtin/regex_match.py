"""Regular-expression match against the completion or the extracted answer."""

from __future__ import annotations

from ..answer_markers import extract_answer
from ..base import Verifier
from ..result import Result
from ..safe_regex import MAX_MATCH_TIMEOUT
from ..sample import Sample

# The `regex` module's flag values (IGNORECASE, MULTILINE, DOTALL), so that registering the built-ins
# does not import it; a test checks they agree.
FLAGS = {"ignorecase": 2, "multiline": 8, "dotall": 16}


class RegexMatch(Verifier):
    """The completion (or its extracted answer) matches a regex; the gold answer is the pattern if none is given.

    Patterns, given or gold, are compiled within the limits of `verifiers.safe_regex` (a gold answer
    over them makes its row an `error`); `timeout` bounds each search, at most MAX_MATCH_TIMEOUT.
    """

    name = "regex_match"

    def __init__(
        self,
        pattern: str | None = None,
        mode: str = "search",
        flags: list[str] | tuple[str, ...] = (),
        target: str = "completion",
        timeout: float = 1.0,
    ):
        if mode not in ("search", "fullmatch"):
            raise ValueError(f"mode must be 'search' or 'fullmatch', not {mode!r}")
        if target not in ("completion", "answer"):
            raise ValueError(f"target must be 'completion' or 'answer', not {target!r}")
        bad = [f for f in flags if f not in FLAGS]
        if bad:
            raise ValueError(f"unknown regex flag(s) {bad}; known: {', '.join(FLAGS)}")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_MATCH_TIMEOUT:
            raise ValueError(
                f"timeout must be a number of seconds above 0 and at most {MAX_MATCH_TIMEOUT:g}, not {timeout!r}"
            )
        self.pattern = pattern
        self.mode = mode
        self.flags = tuple(flags)
        self.target = target
        self.timeout = timeout
        self._flag_value = 0
        for f in self.flags:
            self._flag_value |= FLAGS[f]
        self._compiled = self._compile(pattern, "regex") if pattern is not None else None

    def params(self) -> dict:
        """Settings, for repr."""
        return {"pattern": self.pattern, "mode": self.mode, "target": self.target}

    def _compile(self, pattern: str, what: str):
        from ..safe_regex import compile_pattern

        return compile_pattern(pattern, self._flag_value, what)

    def check(self, sample: Sample) -> Result:
        """Search or full-match the pattern, bounded by a timeout against catastrophic backtracking."""
        compiled = self._compiled
        if compiled is None:
            if sample.answer is None:
                return self.unverifiable("no pattern given and no gold answer to use as one")
            try:
                compiled = self._compile(str(sample.answer), "regex (the gold answer)")
            except ValueError as exc:
                return self.error(str(exc))
        text = sample.text
        if self.target == "answer":
            text = extract_answer(text, ("boxed", "tag", "phrase", "whole"))[0] or ""
        match_fn = compiled.search if self.mode == "search" else compiled.fullmatch
        try:
            m = match_fn(text, timeout=self.timeout)
        except TimeoutError:
            return Result(0.0, "timeout", f"regex took longer than {self.timeout:g}s", {}, self.name)
        if m:
            return self.passed(f"matched {compiled.pattern!r} at {m.start()}", match=m.group(0)[:200])
        return self.failed(f"no match for {compiled.pattern!r}")
