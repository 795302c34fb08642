"""The `rubric` verifier: criteria with points, each checked by a rule or an LLM judge (HealthBench-style)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base import Verifier
from ..result import Result, Status
from ..rules import RulePackError, RuleSet, SchemaError, build_pack
from ..sample import Sample

CRITERION_KEYS = frozenset({"id", "text", "points", "rule", "judge", "met"})
RUBRIC_KEYS = frozenset({"name", "description", "pass_at", "judge"})


@dataclass(frozen=True)
class Criterion:
    """One rubric line: what is looked for, its points (negative for harms) and how it is checked."""

    id: str
    text: str
    points: float
    rule: dict[str, Any] | None = None
    met_when: str = "holds"

    @property
    def by_judge(self) -> bool:
        """Whether an LLM judge checks this criterion (otherwise a rule does)."""
        return self.rule is None


class RubricError(ValueError):
    """A rubric that cannot be used, naming the file and the criterion."""


class Rubric(Verifier):
    """Rubric scoring: points earned over points possible; criteria checked by rules or an LLM judge."""

    name = "rubric"

    def __init__(
        self,
        rubric: str | Path | None = None,
        criteria: list[dict[str, Any]] | None = None,
        pass_at: float | None = None,
        **judge_options: Any,
    ):
        source = "<inline criteria>"
        settings: dict[str, Any] = {}
        if rubric is not None:
            source = str(rubric)
            data = _read(Path(rubric))
            settings = data.get("rubric", {})
            _check_keys(settings, RUBRIC_KEYS, source, "[rubric]")
            criteria = data.get("criterion")
        if not criteria:
            raise RubricError(f"{source}: a rubric needs [[criterion]] tables (or criteria=[...])")
        self.source = source
        self.rubric_name = str(settings.get("name", Path(source).stem if rubric else "inline"))
        self.criteria = [_criterion(c, i, source) for i, c in enumerate(criteria)]
        ids = [c.id for c in self.criteria]
        duplicate = sorted({i for i in ids if ids.count(i) > 1})
        if duplicate:
            raise RubricError(f"{source}: criterion ids must be unique; repeated: {', '.join(duplicate)}")
        self.possible = sum(c.points for c in self.criteria if c.points > 0)
        if self.possible <= 0:
            raise RubricError(f"{source}: at least one criterion needs positive points")
        self.pass_at = float(pass_at if pass_at is not None else settings.get("pass_at", 0.5))
        rule_tables = [{"id": c.id, "message": c.text, **c.rule} for c in self.criteria if c.rule is not None]
        try:
            pack = (
                build_pack({"pack": {"name": self.rubric_name}, "rule": rule_tables}, source) if rule_tables else None
            )
        except (SchemaError, RulePackError) as exc:
            raise RubricError(f"{source}: a criterion's rule is invalid: {exc}") from None
        self.rules = RuleSet(pack.rules) if pack else None
        self.judge_settings = {**settings.get("judge", {}), **judge_options}
        self._judge: Verifier | None = None

    def params(self) -> dict[str, Any]:
        """Settings, for repr."""
        return {"rubric": self.rubric_name, "criteria": len(self.criteria)}

    @property
    def judge(self):
        """The LLM judge for judge-checked criteria (made on first use)."""
        if self._judge is None:
            from .verifier import LLMJudge

            self._judge = LLMJudge(**self.judge_settings)
        return self._judge

    def check(self, sample: Sample) -> Result:
        """Check every criterion of one sample."""
        return self.batch([sample])[0]

    def batch(self, samples) -> list[Result]:
        """Check many samples; judge-checked criteria of all samples go to the judge together."""
        samples = [Sample.coerce(s) for s in samples]
        judged = [c for c in self.criteria if c.by_judge]
        verdicts: list[Result] = []
        if judged and samples:
            verdicts = self.judge.judge([(s, c.text) for s in samples for c in judged])
        out = []
        for n, sample in enumerate(samples):
            outcome = {c.id: r for c, r in zip(judged, verdicts[n * len(judged) : (n + 1) * len(judged)], strict=True)}
            out.append(self._score(sample, outcome))
        return out

    def _score(self, sample: Sample, judged: dict[str, Result]) -> Result:
        lines: list[dict[str, Any]] = []
        fired: set[str] = set()
        problems: dict[str, tuple[Status, str]] = {}
        if self.rules is not None:
            ev = self.rules.evaluate(sample)
            fired = {f["id"] for f in ev.fired}
            problems.update({e["id"]: (Status.ERROR, e["error"]) for e in ev.errors})
            problems.update({u["id"]: (Status.UNVERIFIABLE, u["reason"]) for u in ev.unchecked})
        earned = 0.0
        for c in self.criteria:
            line: dict[str, Any] = {"id": c.id, "points": c.points, "by": "judge" if c.by_judge else "rule"}
            if c.by_judge:
                verdict = judged[c.id]
                if verdict.status in (Status.PASSED, Status.FAILED):
                    line["met"] = verdict.status is Status.PASSED
                    line["why"] = verdict.details.get("judge_reason", "")
                else:
                    problems[c.id] = (verdict.status, verdict.reason)
            elif c.id not in problems:
                line["met"] = (c.id in fired) == (c.met_when == "fires")
            if c.id in problems:
                line["problem"] = problems[c.id][1]
            elif line["met"]:
                earned += c.points
            lines.append(line)
        score = min(1.0, max(0.0, earned / self.possible))
        summary = "; ".join(_describe(line) for line in lines)
        details = {"criteria": lines, "earned": earned, "possible": self.possible, "rubric": self.rubric_name}
        if problems:
            worst = Status.ERROR if any(s is Status.ERROR for s, _ in problems.values()) else Status.UNVERIFIABLE
            reason = f"{len(problems)} of {len(self.criteria)} criteria could not be checked: {summary}"
            return Result(0.0, worst, reason, details, self.name)
        reason = f"{earned:g} of {self.possible:g} points: {summary}"
        return (self.passed if score >= self.pass_at else self.failed)(reason, score=score, **details)


def _describe(line: dict[str, Any]) -> str:
    if "problem" in line:
        return f"{line['id']} not checked ({line['problem']})"
    mark = "met" if line["met"] else "not met"
    return f"{line['id']} {mark} ({line['points']:+g})"


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise RubricError(f"{path}: no such rubric file") from None
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(f"{path}: not valid TOML: {exc}") from None
    _check_keys(data, {"rubric", "criterion"}, str(path), "a rubric (expected [rubric] and [[criterion]] tables)")
    return data


def _check_keys(table: Any, allowed: set[str] | frozenset[str], source: str, where: str) -> None:
    if not isinstance(table, dict):
        raise RubricError(f"{source}: {where} must be a table")
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise RubricError(
            f"{source}: unknown key(s) {', '.join(unknown)} in {where}; allowed: {', '.join(sorted(allowed))}"
        )


def _criterion(table: Any, index: int, source: str) -> Criterion:
    where = f"criterion {index + 1}"
    _check_keys(table, CRITERION_KEYS, source, where)
    cid, text, points = table.get("id", f"c{index + 1}"), table.get("text"), table.get("points")
    if not isinstance(text, str) or not text.strip():
        raise RubricError(f"{source}: {where} needs a non-empty 'text'")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points == 0:
        raise RubricError(f"{source}: {where} ({cid}) needs non-zero numeric 'points' (negative for harms)")
    rule, judge = table.get("rule"), table.get("judge", False)
    if (rule is None) == (not judge):
        raise RubricError(f"{source}: {where} ({cid}) needs exactly one of 'rule = {{...}}' or 'judge = true'")
    if rule is not None and not isinstance(rule, dict):
        raise RubricError(
            f"{source}: {where} ({cid}): 'rule' must be a table such as {{ type = \"must_include\", ... }}"
        )
    met = table.get("met", "holds")
    if met not in ("holds", "fires"):
        raise RubricError(f'{source}: {where} ({cid}): \'met\' must be "holds" or "fires", got {met!r}')
    if judge and "met" in table:
        raise RubricError(f"{source}: {where} ({cid}): 'met' applies to rule criteria only")
    return Criterion(str(cid), text.strip(), float(points), rule, met)
