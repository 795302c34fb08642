"""The `math_equivalence` verifier: extract, then compare in stages; sympy only in killable workers."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from ..base import Verifier
from ..isolation import Outcome, shared_pool
from ..result import Result, Status
from ..sample import Sample
from .answer_extraction import extract, extract_gold, parse_priority
from .compare import NeedsSymbolic, judge
from .exact_values import OverBudget, time_budget
from .form import form_mismatch
from .policy import Policy

_PRELOAD = ("verifiers.maths.worker",)  # imports sympy and warms it up, in the zygote only
_TASK = "verifiers.maths.worker:judge_task"
_WARM_CALL = (_TASK, ("2\\sqrt{3}", "\\sqrt{12}", Policy()))  # each new worker's first call, before timing


@dataclass(frozen=True, slots=True)
class Decision:
    """How one (prediction, gold) pair was judged."""

    status: Status
    reason: str
    stage: str


class _LRU:
    """A small thread-safe LRU mapping."""

    def __init__(self, size: int):
        self.size = size
        self.data: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            value = self.data.get(key)
            if value is not None:
                self.data.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        if self.size <= 0:
            return
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)


class MathEquivalence(Verifier):
    """The final answer is mathematically equivalent to the gold answer (sympy, killable workers).

    Parameters: every field of `Policy` (rel_tol, tolerance, percent, degrees, units, order, ...),
    by name; `priority` (extraction order, a list or "boxed>answer_tag>..."), `boxed` ("last", "first"
    or "all"), `tag_name`; `timeout` (seconds per symbolic comparison), `memory_limit_mb` (per
    worker), `workers` (size of the warm pool); `max_completion_chars`, `max_answer_chars`
    (longer inputs are `unverifiable`), `cache_size` (entries of the judgement cache).
    A gold answer may be a list: the prediction passes when it matches any of them.
    """

    name = "math_equivalence"

    def __init__(
        self,
        priority: str | Sequence[str] | None = None,
        boxed: str = "last",
        tag_name: str = "answer",
        timeout: float = 3.0,
        memory_limit_mb: int = 1024,
        workers: int = 1,
        max_completion_chars: int = 200_000,
        max_answer_chars: int = 1_000,
        cache_size: int = 16_384,
        **policy: Any,
    ):
        self.policy = make_policy(policy)
        self.priority = parse_priority(priority)
        if boxed not in ("last", "first", "all"):
            raise ValueError(f"boxed must be 'last', 'first' or 'all', got {boxed!r}")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        if max_completion_chars < 1 or max_answer_chars < 1:
            raise ValueError("max_completion_chars and max_answer_chars must be positive")
        self.boxed = boxed
        self.tag_name = tag_name
        self.timeout = float(timeout)
        self.memory_limit_mb = int(memory_limit_mb)
        self.workers = int(workers)
        self.max_completion_chars = int(max_completion_chars)
        self.max_answer_chars = int(max_answer_chars)
        self.cache_size = int(cache_size)
        self._make_caches()

    def _make_caches(self) -> None:
        self._decisions = _LRU(self.cache_size)
        self._golds = _LRU(self.cache_size)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_decisions", None)
        state.pop("_golds", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._make_caches()

    def params(self) -> dict[str, Any]:
        """Settings, for repr."""
        out = {k: v for k, v in self.policy.to_dict().items() if v != getattr(Policy(), k)}
        out["timeout"] = self.timeout
        return out

    @property
    def pool(self):
        """The warm worker pool this verifier uses (shared per process and settings)."""
        return shared_pool(self.workers, self.memory_limit_mb, _PRELOAD, _WARM_CALL)

    # -- one sample ----------------------------------------------------------------------
    def check(self, sample: Sample) -> Result:
        """Extract the final answer and compare it with the gold answer(s)."""
        prepared = self._prepare(sample)
        if isinstance(prepared, Result):
            return prepared
        pred, golds, how = prepared
        decisions = self._decide([(pred, g) for g in golds])
        return self._in_form(self._result(pred, golds, how, [decisions[(pred, g)] for g in golds]), sample)

    def batch(self, samples: Iterable[Sample | str | dict[str, Any]]) -> list[Result]:
        """Check many samples; the pairs that need sympy go to the warm pool together."""
        items = []
        pairs = []
        questions = []
        for s in samples:
            start = time.perf_counter()
            sample = None
            try:
                sample = Sample.coerce(s)
                prepared = self._prepare(sample)
            except Exception as exc:  # noqa: BLE001 - one bad sample never stops a batch
                prepared = Result(0.0, Status.ERROR, f"{type(exc).__name__}: {exc}", verifier=self.name)
            questions.append(sample)
            items.append((prepared, time.perf_counter() - start))
            if not isinstance(prepared, Result):
                pairs.extend((prepared[0], g) for g in prepared[1])
        start = time.perf_counter()
        decisions = self._decide(pairs)
        shared = (time.perf_counter() - start) / max(1, len(items))
        out = []
        for (prepared, elapsed), sample in zip(items, questions):
            if isinstance(prepared, Result):
                result = prepared
            else:
                pred, golds, how = prepared
                result = self._result(pred, golds, how, [decisions[(pred, g)] for g in golds])
                result = self._in_form(result, sample)
            result.verifier = result.verifier or self.name
            result.elapsed = elapsed + shared
            out.append(result)
        return out

    def _in_form(self, result: Result, sample: Sample | None) -> Result:
        """The `form` policy: a passed answer fails when the question asks for a form it lacks."""
        if result.status is not Status.PASSED or sample is None or self.policy.form == "ignore":
            return result
        meta = sample.metadata or {}
        question = sample.prompt_text or str(meta.get("question") or meta.get("problem") or "")
        pred, gold = result.details.get("extracted"), result.details.get("gold")
        if not question or not isinstance(pred, str) or gold is None:
            return result
        golds = gold if isinstance(gold, list) else [gold]
        why = next((w for g in golds if (w := form_mismatch(question, pred, str(g), self.policy))), None)
        if why is None:
            return result
        out = self.failed(f"{_clip(pred)!r} equals {_clip(str(golds[0]))!r} but {why}", **result.details)
        out.details["stage"] = "form"
        return out

    def _prepare(self, sample: Sample) -> Result | tuple[str, list[str], str]:
        answer = sample.answer
        golds_raw = list(answer) if isinstance(answer, (list, tuple)) else [answer]
        golds_raw = [g for g in golds_raw if g is not None and str(g).strip()]
        if not golds_raw:
            return self.unverifiable("no gold answer")
        text = sample.text
        if len(text) > self.max_completion_chars:
            return self.unverifiable(
                f"completion has {len(text):,} characters, over the limit of {self.max_completion_chars:,}"
            )
        pred, how = extract(text, self.priority, self.boxed, self.tag_name)
        if pred is None:
            return self.failed("no final answer found in the completion", extracted=None)
        if len(pred) > self.max_answer_chars:
            return self.unverifiable(
                f"extracted answer has {len(pred):,} characters, over the limit of {self.max_answer_chars:,}",
                method=how,
            )
        golds = []
        for g in golds_raw:
            gold = self._gold(str(g))
            if gold is None:
                return self.unverifiable(f"could not read the gold answer {_clip(str(g))!r}")
            golds.append(gold)
        return pred, golds, how or ""

    def _gold(self, raw: str) -> str | None:
        hit = self._golds.get(raw)
        if hit is not None:
            return hit or None
        if len(raw) > self.max_completion_chars:
            return None
        gold, _ = extract_gold(raw, self.priority, self.boxed, self.tag_name)
        if gold is not None and len(gold) > self.max_answer_chars:
            gold = None
        self._golds.put(raw, gold or "")
        return gold

    # -- judging pairs ----------------------------------------------------------------------
    def _decide(self, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], Decision]:
        out: dict[tuple[str, str], Decision] = {}
        pending: dict[tuple[str, str], float] = {}  # pair -> seconds already spent on it here
        for key in pairs:
            if key in out or key in pending:
                continue
            hit = self._decisions.get(key)
            if hit is not None:
                out[key] = hit
                continue
            start = time.monotonic()
            try:
                # This process cannot be killed like a worker: its exact arithmetic gets the same budget.
                with time_budget(self.timeout):
                    verdict = judge(key[0], key[1], self.policy, None)
            except NeedsSymbolic:
                pending[key] = time.monotonic() - start
                continue
            except OverBudget:
                out[key] = Decision(
                    Status.TIMEOUT, f"exact arithmetic exceeded the {self.timeout:g}s timeout", "timeout"
                )
                continue
            except RecursionError:
                out[key] = Decision(Status.UNVERIFIABLE, "answer nested too deeply", "limit")
                continue
            except Exception as exc:  # noqa: BLE001 - a bug on one pair must not stop the batch
                out[key] = Decision(Status.ERROR, f"comparison failed: {type(exc).__name__}: {exc}", "error")
                continue
            decision = _from_verdict(verdict.equal, verdict.reason, verdict.stage)
            self._decisions.put(key, decision)
            out[key] = decision
        if pending:
            # The worker gets what is left of each pair's timeout (a floor keeps a fair chance).
            limits = [max(self.timeout - spent, self.timeout / 4) for spent in pending.values()]
            outcomes = self.pool.run_many(_TASK, [(p, g, self.policy) for p, g in pending], limits)
            for key, outcome in zip(pending, outcomes):
                decision = self._from_outcome(outcome)
                if outcome.ok:
                    self._decisions.put(key, decision)
                out[key] = decision
        return out

    def _from_outcome(self, outcome: Outcome) -> Decision:
        if outcome.ok:
            equal, reason, stage = outcome.value
            if stage == "error":
                return Decision(Status.ERROR, reason, stage)
            return _from_verdict(equal, reason, stage)
        if outcome.status == "timeout":
            again = " (again on a fresh worker: the first try was starved of CPU)" if outcome.attempts > 1 else ""
            return Decision(
                Status.TIMEOUT, f"symbolic comparison exceeded the {self.timeout:g}s timeout{again}", "timeout"
            )
        if outcome.status == "memory":
            return Decision(
                Status.UNVERIFIABLE,
                f"symbolic comparison exceeded the worker memory limit ({self.memory_limit_mb} MB)",
                "limit",
            )
        if outcome.status == "crashed":
            return Decision(Status.UNVERIFIABLE, "the symbolic worker process died on this input", "limit")
        if outcome.status == "unavailable":
            return Decision(Status.UNVERIFIABLE, f"symbolic workers unavailable: {outcome.error}", "limit")
        return Decision(Status.ERROR, f"symbolic comparison failed: {outcome.error}", "error")

    def _result(self, pred: str, golds: list[str], how: str, decisions: list[Decision]) -> Result:
        shown = golds[0] if len(golds) == 1 else golds
        details = {"extracted": pred, "gold": shown, "method": how}
        for gold, d in zip(golds, decisions):
            if d.status is Status.PASSED:
                return self.passed(f"{_clip(pred)!r} equals {_clip(gold)!r}: {d.reason}", stage=d.stage, **details)
        # No match: report the most informative outcome (an error or timeout beats a plain "differs").
        worst = max(decisions, key=lambda d: _SEVERITY[d.status])
        gold = golds[decisions.index(worst)]
        details["stage"] = worst.stage
        if worst.status is Status.FAILED:
            return self.failed(f"{_clip(pred)!r} is not equivalent to {_clip(gold)!r}: {worst.reason}", **details)
        return Result(0.0, worst.status, f"{_clip(pred)!r} vs {_clip(gold)!r}: {worst.reason}", details, self.name)


_SEVERITY = {Status.PASSED: 0, Status.FAILED: 1, Status.UNVERIFIABLE: 2, Status.TIMEOUT: 3, Status.ERROR: 4}


def make_policy(params: dict[str, Any]) -> Policy:
    """A Policy from keyword settings; an unknown name is a clear error listing the known ones."""
    known = {f.name: f for f in fields(Policy)}
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ValueError(
            f"unknown setting(s) {', '.join(unknown)}; math_equivalence takes {', '.join(known)}, priority, "
            "boxed, tag_name, timeout, memory_limit_mb, workers, max_completion_chars, max_answer_chars, cache_size"
        )
    # Booleans from a spec string arrive as bools already; other truthy values are coerced.
    values = {k: bool(v) if isinstance(known[k].default, bool) else v for k, v in params.items()}
    return Policy(**values)


def _from_verdict(equal: bool | None, reason: str, stage: str) -> Decision:
    if equal is None:
        return Decision(Status.UNVERIFIABLE, reason, stage)
    return Decision(Status.PASSED if equal else Status.FAILED, reason, stage)


def _clip(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."
