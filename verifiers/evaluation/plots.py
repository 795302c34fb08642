"""The report's plots, drawn with matplotlib (no pyplot state) and returned as PNG bytes."""

from __future__ import annotations

import io
import math
from typing import Any

from .config import MissingDependency

STATUS_COLOURS = {
    "passed": "#2e7d32",
    "failed": "#c62828",
    "unverifiable": "#757575",
    "error": "#ef6c00",
    "timeout": "#6a1b9a",
}
BLUE, ORANGE, GREEN = "#1f77b4", "#ff7f0e", "#2ca02c"


def _figure(width: float = 5.6, height: float = 3.4):
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise MissingDependency(f"the HTML report's plots need matplotlib: pip install 'aha[eval]' ({exc})") from None
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig, fig.add_subplot()


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def reward_distribution(reward: dict[str, Any], title: str = "Reward distribution") -> bytes:
    """Bars of each distinct reward value when there are few, else a histogram."""
    fig, ax = _figure()
    if reward.get("distinct_values"):
        values = [d["value"] for d in reward["distinct_values"]]
        counts = [d["count"] for d in reward["distinct_values"]]
        ax.bar([f"{v:g}" for v in values], counts, color=BLUE)
        ax.set_xlabel("reward")
    else:
        edges = reward["histogram"]["edges"]
        counts = reward["histogram"]["counts"]
        widths = [b - a for a, b in zip(edges, edges[1:])]
        ax.bar(edges[:-1], counts, width=widths, align="edge", color=BLUE, edgecolor="white")
        ax.set_xlabel("reward")
    ax.set_ylabel("rows")
    ax.set_title(f"{title} (mean {reward['mean']:.3f})")
    return _png(fig)


def statuses(primary: dict[str, int], compare: dict[str, int] | None = None) -> bytes:
    """Rows per status, side by side with the compared reward's when given."""
    fig, ax = _figure()
    names = list(primary)
    xs = range(len(names))
    if compare is None:
        ax.bar(names, [primary[n] for n in names], color=[STATUS_COLOURS.get(n, BLUE) for n in names])
    else:
        ax.bar([x - 0.2 for x in xs], [primary[n] for n in names], width=0.4, label="reward", color=BLUE)
        ax.bar([x + 0.2 for x in xs], [compare.get(n, 0) for n in names], width=0.4, label="compare", color=ORANGE)
        ax.set_xticks(list(xs), names)
        ax.legend()
    ax.set_ylabel("rows")
    ax.set_title("Status counts")
    return _png(fig)


def terms(term_stats: dict[str, dict[str, Any]]) -> bytes:
    """Mean score and pass rate of each reward term."""
    names = list(term_stats)[:30]
    fig, ax = _figure(5.6, max(2.4, 0.45 * len(names) + 1.2))
    ys = range(len(names))
    ax.barh([y + 0.2 for y in ys], [term_stats[n]["mean"] or 0 for n in names], height=0.4, label="mean score")
    ax.barh([y - 0.2 for y in ys], [term_stats[n]["pass_rate"] or 0 for n in names], height=0.4, label="pass rate")
    ax.set_yticks(list(ys), names)
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    ax.set_title("Reward terms")
    return _png(fig)


def pass_at_k(pass_k: dict[str, Any], maj_k: dict[str, Any]) -> bytes:
    """pass@k and maj@k (and the compared reward's pass@k) against k."""
    fig, ax = _figure()
    ks = [int(k) for k in pass_k if pass_k[k]["value"] is not None]
    ax.plot(ks, [pass_k[str(k)]["value"] for k in ks], marker="o", label="pass@k", color=BLUE)
    if any("compare_value" in pass_k[str(k)] for k in ks):
        ax.plot(ks, [pass_k[str(k)]["compare_value"] for k in ks], marker="s", label="pass@k (compare)", color=ORANGE)
    mk = [int(k) for k in maj_k if k.isdigit() and maj_k[k]["value"] is not None]
    if mk:
        ax.plot(mk, [maj_k[str(k)]["value"] for k in mk], marker="^", label="maj@k", color=GREEN)
    if len(ks) > 1 and max(ks) / min(ks) >= 4:
        ax.set_xscale("log", base=2)
    ax.set_xticks(ks, [str(k) for k in ks])
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("k")
    ax.set_ylabel("fraction of prompts")
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("pass@k and maj@k")
    return _png(fig)


def length_vs_reward(points: tuple[list[float], list[float]], bins: list[dict[str, Any]], unit: str) -> bytes:
    """A sample of rows (length, reward) with the mean reward of each length bin."""
    import numpy as np

    fig, ax = _figure()
    xs, ys = points
    if xs:
        y = np.asarray(ys, dtype=float)
        if len(np.unique(y)) <= 10:  # discrete rewards: jitter so the points do not sit on one line
            y = y + np.random.default_rng(0).uniform(-0.04, 0.04, size=len(y))
        ax.scatter(xs, y, s=6, alpha=0.25, color=BLUE, label="rows (sample)", linewidths=0)
    if bins:
        mids = [(b["lo"] + b["hi"]) / 2 for b in bins]
        ax.plot(mids, [b["mean_reward"] for b in bins], marker="o", color=ORANGE, label="mean reward per length bin")
    ax.set_xlabel(f"completion length ({unit})")
    ax.set_ylabel("reward")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
    ax.set_title("Completion length against reward")
    return _png(fig)


def by_category(column: str, values: list[dict[str, Any]]) -> bytes:
    """Mean reward and pass rate for the most frequent values of a column."""
    top = values[:20]
    fig, ax = _figure(5.6, max(2.4, 0.4 * len(top) + 1.2))
    ys = range(len(top))
    labels = [f"{v['value']} ({v['count']:,})" for v in top]
    ax.barh([y + 0.2 for y in ys], [v["mean_reward"] or 0 for v in top], height=0.4, label="mean reward")
    ax.barh([y - 0.2 for y in ys], [v["pass_rate"] or 0 for v in top], height=0.4, label="pass rate")
    ax.set_yticks(list(ys), labels)
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    ax.set_title(f"By {column}")
    return _png(fig)


def _heatmap(ax, matrix: list[list[int]], rows: list[str], cols: list[str]) -> None:
    import numpy as np

    m = np.asarray(matrix, dtype=float)
    ax.imshow(np.log1p(m), cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(len(cols)), cols)
    ax.set_yticks(range(len(rows)), rows)
    top = math.log1p(m.max()) if m.size else 0.0
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            dark = top > 0 and math.log1p(m[i, j]) > 0.55 * top
            ax.text(j, i, f"{int(m[i, j]):,}", ha="center", va="center", color="white" if dark else "black")


def confusion(labels: dict[str, Any]) -> bytes:
    """The 2x2 table of the label against the verifier's verdict."""
    fig, ax = _figure(4.6, 3.6)
    _heatmap(
        ax,
        [[labels["tp"], labels["fn"]], [labels["fp"], labels["tn"]]],
        ["label: correct", "label: incorrect"],
        ["verifier: correct", "verifier: incorrect"],
    )
    ax.set_title("Verifier against labels")
    return _png(fig)


def status_crosstab(crosstab: dict[str, dict[str, int]]) -> bytes:
    """Rows by the reward's status (rows) and the compared reward's status (columns)."""
    names = list(next(iter(crosstab.values())).keys()) if crosstab else []
    rows = [r for r in crosstab if sum(crosstab[r].values())] or list(crosstab)
    cols = [c for c in names if any(crosstab[r].get(c, 0) for r in crosstab)] or names
    fig, ax = _figure(5.6, 3.8)
    _heatmap(ax, [[crosstab[r].get(c, 0) for c in cols] for r in rows], rows, cols)
    ax.set_ylabel("reward status")
    ax.set_xlabel("compare status")
    ax.set_title("Status: reward against compare")
    return _png(fig)
