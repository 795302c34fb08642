"""Statistics of an evaluation: pass@k, maj@k, agreement with labels, and summaries of a distribution."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Any


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k for one prompt with n samples of which c are correct (Chen et al. 2021, eq. 1).

    1 - C(n-c, k) / C(n, k), computed as a running product so large n does not overflow.
    """
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= n, got n={n}, k={k}")
    if n - c < k:
        return 1.0
    miss = 1.0
    for i in range(n - c + 1, n + 1):
        miss *= 1.0 - k / i
    return 1.0 - miss


def majority_correct(votes: Sequence[tuple[Hashable | None, bool]], k: int) -> bool:
    """maj@k for one prompt: is the most common answer among its first k samples correct?

    `votes` holds (answer, correct) in sample order; samples without an answer (None) do
    not vote. Ties go to the answer seen first; the answer counts as correct when the first
    sample that gave it was correct. A prompt where no sample of the first k answered is wrong.
    """
    if not 1 <= k <= len(votes):
        raise ValueError(f"need 1 <= k <= {len(votes)}, got k={k}")
    counts: Counter = Counter()
    first: dict[Hashable, bool] = {}
    for answer, correct in votes[:k]:
        if answer is None:
            continue
        counts[answer] += 1
        first.setdefault(answer, correct)
    if not counts:
        return False
    best = max(counts.values())
    winner = next(a for a in first if counts[a] == best)  # dicts keep insertion order: the earliest tied answer
    return first[winner]


def safe_div(num: float, den: float) -> float | None:
    """num / den, or None when den is 0 (JSON has no NaN)."""
    return num / den if den else None


def binary_metrics(tp: int, fp: int, fn: int, tn: int) -> dict[str, Any]:
    """Agreement, precision, recall, F1, specificity, false-positive rate and Cohen's kappa of a 2x2 table."""
    n = tp + fp + fn + tn
    precision = safe_div(tp, tp + fp)
    recall = safe_div(tp, tp + fn)
    f1 = safe_div(2 * precision * recall, precision + recall) if precision is not None and recall is not None else None
    agreement = safe_div(tp + tn, n)
    kappa = None
    if n:
        expected = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n * n)
        kappa = safe_div(agreement - expected, 1.0 - expected) if expected != 1.0 else None
    return {
        "n": n,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "agreement": agreement,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "specificity": safe_div(tn, tn + fp),
        "false_positive_rate": safe_div(fp, fp + tn),
        "false_negative_rate": safe_div(fn, fn + tp),
        "cohen_kappa": kappa,
        "label_positive_rate": safe_div(tp + fn, n),
        "verifier_positive_rate": safe_div(tp + fp, n),
    }


def pearson(xs: Any, ys: Any) -> float | None:
    """Pearson correlation of two equal-length numeric arrays (None when either is constant or too short)."""
    import numpy as np

    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    if len(x) < 2 or x.std() == 0 or y.std() == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def describe(values: Any, bins: int = 20, max_distinct: int = 20) -> dict[str, Any]:
    """Mean, spread, quantiles, a histogram and (when few) the counts of each distinct value; NaN and inf are counted apart."""
    import numpy as np

    a = np.asarray(values, dtype=float)
    finite = np.isfinite(a)
    non_finite = int(a.size - finite.sum())
    a = a[finite]
    if a.size == 0:
        return {"count": 0, "non_finite": non_finite}
    qs = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
    lo, hi = float(a.min()), float(a.max())
    counts, edges = np.histogram(a, bins=bins, range=(lo, hi) if hi > lo else (lo - 0.5, hi + 0.5))
    out: dict[str, Any] = {
        "count": int(a.size),
        "non_finite": non_finite,
        "mean": float(a.mean()),
        "std": float(a.std()),
        "min": lo,
        "max": hi,
        "quantiles": {f"p{round(q * 100)}": float(v) for q, v in zip(qs, np.quantile(a, qs))},
        "histogram": {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]},
    }
    distinct, distinct_counts = np.unique(a, return_counts=True)
    if len(distinct) <= max_distinct:
        out["distinct_values"] = [{"value": float(v), "count": int(c)} for v, c in zip(distinct, distinct_counts)]
    return out


def equal_count_bins(lengths: Any, scores: Any, correct: Any, bins: int = 10) -> list[dict[str, Any]]:
    """Rows split into about `bins` groups of equal size by length: each bin's range, size, mean reward, pass rate."""
    import numpy as np

    x = np.asarray(lengths, dtype=float)
    if x.size == 0:
        return []
    y = np.asarray(scores, dtype=float)
    ok = np.asarray(correct, dtype=bool)
    edges = np.unique(np.quantile(x, np.linspace(0, 1, bins + 1)))
    if len(edges) == 1:
        edges = np.array([edges[0], edges[0]])
    which = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)
    out = []
    for b in range(len(edges) - 1):
        mask = which == b
        n = int(mask.sum())
        if not n:
            continue
        out.append(
            {
                "lo": float(x[mask].min()),
                "hi": float(x[mask].max()),
                "count": n,
                "mean_reward": float(y[mask].mean()),
                "pass_rate": float(ok[mask].mean()),
            }
        )
    return out


def finite_or_none(value: float | None) -> float | None:
    """The value, or None for NaN and infinities."""
    if value is None or not math.isfinite(value):
        return None
    return value
