"""Running statistics over scored rows: reward, statuses, per-term results, time per verifier."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .result import Result, Status


@dataclass
class TermStats:
    """Sum, count and status counts of one term."""

    total: float = 0.0
    count: int = 0
    statuses: Counter = field(default_factory=Counter)

    @property
    def mean(self) -> float:
        """Mean score (0 when empty)."""
        return self.total / self.count if self.count else 0.0


@dataclass
class ScoreStats:
    """Aggregates of a scoring run; mergeable across worker processes."""

    rows: int = 0
    reward_total: float = 0.0
    reward_sq_total: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    terms: dict[str, TermStats] = field(default_factory=dict)
    verifier_time: Counter = field(default_factory=Counter)
    verifier_calls: Counter = field(default_factory=Counter)
    fired: Counter = field(default_factory=Counter)
    malformed: int = 0
    resumed: int = 0

    def add(self, result: Result) -> None:
        """Count one row's result."""
        self.rows += 1
        self.reward_total += result.score
        self.reward_sq_total += result.score * result.score
        self.statuses[result.status.value] += 1
        if not result.terms:  # one verifier's result, the common case of a plain reward: no walk of terms
            self.verifier_time[result.verifier] += result.elapsed
            self.verifier_calls[result.verifier] += 1
            if result.details and "fired" in result.details:
                self._fired(result)
            return
        self._time(result)
        for name, term in result.iter_terms():
            ts = self.terms.get(name)
            if ts is None:
                ts = self.terms[name] = TermStats()
            ts.total += term.score
            ts.count += 1
            ts.statuses[term.status.value] += 1
        self._fired(result)

    def add_many(self, results: list[Result]) -> None:
        """Count many rows' results: the same counts as `add` on each, with less work per plain result."""
        if any(r.terms for r in results):
            for r in results:
                self.add(r)
            return
        total, sq = self.reward_total, self.reward_sq_total
        for r in results:  # in order, as `add` does, so that the float sums are the same
            total += r.score
            sq += r.score * r.score
        self.reward_total, self.reward_sq_total = total, sq
        self.rows += len(results)
        for status, n in Counter([r.status for r in results]).items():
            self.statuses[status.value] += n
        spent = self.verifier_time
        for r in results:
            spent[r.verifier] += r.elapsed
        self.verifier_calls.update([r.verifier for r in results])
        for r in results:
            if r.details and "fired" in r.details:
                self._fired(r)

    def add_malformed(self) -> None:
        """Count an input row that could not be read."""
        self.rows += 1
        self.malformed += 1
        self.statuses[Status.ERROR.value] += 1

    def _time(self, result: Result) -> None:
        if result.terms:
            for term in result.terms.values():
                self._time(term)
        else:
            self.verifier_time[result.verifier] += result.elapsed
            self.verifier_calls[result.verifier] += 1

    def _fired(self, result: Result) -> None:
        fired = result.details.get("fired") if result.details else None
        if isinstance(fired, list):
            for item in fired:
                rid = item.get("id") if isinstance(item, dict) else item
                if rid is not None:
                    self.fired[str(rid)] += 1
        for term in (result.terms or {}).values():
            self._fired(term)

    def merge(self, other: ScoreStats) -> None:
        """Add another run's counts into this one."""
        self.rows += other.rows
        self.reward_total += other.reward_total
        self.reward_sq_total += other.reward_sq_total
        self.statuses.update(other.statuses)
        for name, ts in other.terms.items():
            mine = self.terms.setdefault(name, TermStats())
            mine.total += ts.total
            mine.count += ts.count
            mine.statuses.update(ts.statuses)
        self.verifier_time.update(other.verifier_time)
        self.verifier_calls.update(other.verifier_calls)
        self.fired.update(other.fired)
        self.malformed += other.malformed
        self.resumed += other.resumed

    @property
    def scored_rows(self) -> int:
        """Rows a verifier scored (error and timeout rows included, unreadable input rows not)."""
        return self.rows - self.malformed

    @property
    def mean_reward(self) -> float:
        """Mean reward over scored rows (malformed rows excluded)."""
        n = self.scored_rows
        return self.reward_total / n if n else 0.0

    def mean_covers(self) -> str:
        """What the mean reward is taken over, in words."""
        if not self.rows:
            return "no rows"
        if not self.scored_rows:
            return f"no scored rows ({self.malformed:,} unreadable rows)"
        failed = self.statuses.get(Status.ERROR.value, 0) - self.malformed + self.statuses.get(Status.TIMEOUT.value, 0)
        text = f"over {self.scored_rows:,} scored rows"
        if failed:
            text += f" ({failed:,} error or timeout rows count as 0)"
        if self.malformed:
            text += f"; {self.malformed:,} unreadable rows excluded"
        return text

    @property
    def std_reward(self) -> float:
        """Population standard deviation of the reward over scored rows."""
        n = self.rows - self.malformed
        if not n:
            return 0.0
        var = max(self.reward_sq_total / n - self.mean_reward**2, 0.0)
        return var**0.5

    def slowest(self) -> list[tuple[str, float, int]]:
        """(verifier, mean seconds per call, calls), slowest first."""
        rows = [(v, self.verifier_time[v] / n, n) for v, n in self.verifier_calls.items() if n]
        return sorted(rows, key=lambda r: -r[1])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "rows": self.rows,
            "malformed": self.malformed,
            "scored_rows": self.scored_rows,
            "mean_reward": self.mean_reward if self.scored_rows else None,
            "std_reward": self.std_reward if self.scored_rows else None,
            "mean_covers": self.mean_covers(),
            "statuses": dict(self.statuses),
            "terms": {
                k: {"mean": v.mean, "count": v.count, "statuses": dict(v.statuses)} for k, v in self.terms.items()
            },
            "slowest": [{"verifier": v, "mean_seconds": t, "calls": n} for v, t, n in self.slowest()],
            "fired": dict(self.fired.most_common()),
            "resumed_rows": self.resumed,
        }
