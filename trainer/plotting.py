"""The training-curves PNG of a run: reward, held-out accuracy, loss, KL, lengths (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .metrics import EVAL_JSONL, METRICS_JSONL, read_jsonl

PLOT_NAME = "training_curves.png"


def _series(records: list[dict[str, Any]], key: str) -> tuple[list[float], list[float]]:
    xs, ys = [], []
    for r in records:
        v = r.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            xs.append(r.get("step", len(xs) + 1))
            ys.append(float(v))
    return xs, ys


def _smooth(ys: list[float], window: int) -> list[float]:
    out, acc = [], 0.0
    for i, y in enumerate(ys):
        acc += y
        if i >= window:
            acc -= ys[i - window]
        out.append(acc / min(i + 1, window))
    return out


def plot_run(run_dir: str | Path, out: str | Path | None = None) -> Path:
    """Draw RUN_DIR/training_curves.png from metrics.jsonl (and eval.jsonl); returns its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run_dir = Path(run_dir)
    records = read_jsonl(run_dir / METRICS_JSONL)
    evals = read_jsonl(run_dir / EVAL_JSONL)
    if not records and not evals:
        raise FileNotFoundError(f"{run_dir}: no {METRICS_JSONL} records to plot (is this a run folder?)")
    out_path = Path(out) if out else run_dir / PLOT_NAME
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    window = max(1, len(records) // 20)

    ax = axes[0][0]
    xs, ys = _series(records, "reward/mean")
    if ys:
        ax.plot(xs, ys, color="tab:blue", alpha=0.3, lw=1)
        ax.plot(xs, _smooth(ys, window), color="tab:blue", lw=2, label="train reward (mean)")
    xs, ys = _series(records, "reward/pass_rate")
    if ys:
        ax.plot(xs, _smooth(ys, window), color="tab:green", lw=1.5, ls="--", label="train pass rate")
    ex, ey = _series(evals, "accuracy")
    if ey:
        ax.plot(ex, ey, "o-", color="tab:red", lw=2, label="held-out accuracy")
    ax.set_title("reward")
    ax.set_xlabel("step")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize=8)
    ax.grid(alpha=0.3)

    ax = axes[0][1]
    xs, ys = _series(records, "loss")
    if ys:
        ax.plot(xs, ys, color="tab:purple", alpha=0.3, lw=1)
        ax.plot(xs, _smooth(ys, window), color="tab:purple", lw=2, label="loss")
    ax.set_title("loss")
    ax.set_xlabel("step")
    ax.grid(alpha=0.3)

    ax = axes[1][0]
    for key, color, label in (
        ("completion/length_mean", "tab:orange", "mean completion tokens"),
        ("completion/length_max", "tab:gray", "max completion tokens"),
    ):
        xs, ys = _series(records, key)
        if ys:
            ax.plot(xs, ys, color=color, lw=1.5, label=label)
    ax.set_title("completion length")
    ax.set_xlabel("step")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize=8)
    ax.grid(alpha=0.3)

    ax = axes[1][1]
    drew = False
    for key, color, label in (
        ("kl", "tab:brown", "KL to reference"),
        ("clip_fraction", "tab:cyan", "clipped fraction"),
        ("groups/zero_std_frac", "tab:olive", "groups with no reward spread"),
    ):
        xs, ys = _series(records, key)
        if ys:
            ax.plot(xs, ys, color=color, lw=1.5, label=label)
            drew = True
    ax.set_title("KL, clipping, dead groups")
    ax.set_xlabel("step")
    if drew:
        ax.legend(loc="best", fontsize=8)
    ax.grid(alpha=0.3)

    fig.suptitle(run_dir.name)
    fig.tight_layout()
    tmp = out_path.with_name(out_path.stem + ".tmp.png")
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    tmp.replace(out_path)
    return out_path
