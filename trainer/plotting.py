"""The training-curves PNG of a run: reward, held-out accuracy, loss, KL, lengths (matplotlib, Agg)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .metrics import EVAL_JSONL, METRICS_JSONL, read_jsonl

PLOT_NAME = "training_curves.png"
CONFIG_NAME = "config.toml"
SAME_LABEL = "train reward = pass rate (0/1 reward)"


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


def _reward_label(reward: Any) -> str:
    """A short name for a config's reward: the verifier spec, the reward file, or the terms of a table."""
    if isinstance(reward, str):
        if reward.endswith(".toml"):
            p = Path(reward)
            return f"{p.parent.name}/{p.name}" if p.parent.name else p.name
        return reward if len(reward) <= 40 else reward[:39] + "…"
    if isinstance(reward, dict):
        table = reward.get("reward", reward)
        terms = table.get("terms") if isinstance(table, dict) else None
        if isinstance(terms, list) and terms:
            names = [str(t.get("name") or t.get("verifier")) for t in terms if isinstance(t, dict)]
            combine = table.get("combine", "sum")
            shown = ", ".join(names[:4]) + (", …" if len(names) > 4 else "")
            return f"{combine} of {shown}"
    return "custom reward"


def plot_title(run_dir: str | Path, records: list[dict[str, Any]]) -> str:
    """The figure title: model, reward and steps from the run's config.toml, then the run folder's name."""
    run_dir = Path(run_dir)
    try:
        cfg = tomllib.loads((run_dir / CONFIG_NAME).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        cfg = {}
    steps = [r["step"] for r in records if isinstance(r.get("step"), int)]
    last = max(steps) if steps else 0
    max_steps = cfg.get("max_steps")
    parts = []
    model = cfg.get("model", {}).get("path") if isinstance(cfg.get("model"), dict) else None
    if isinstance(model, str):
        parts.append("demo model" if model == "demo" else Path(model).name or model)
    if "reward" in cfg:
        parts.append(f"reward: {_reward_label(cfg['reward'])}")
    if isinstance(max_steps, int) and last < max_steps:
        parts.append(f"step {last} of {max_steps}")
    else:
        parts.append(f"{last} steps")
    return " · ".join(parts) + f"\nrun {run_dir.name}"


def _same_series(a: tuple[list[float], list[float]], b: tuple[list[float], list[float]]) -> bool:
    """Whether two logged series are the same curve (the mean reward of a 0/1 reward is its pass rate)."""
    return bool(a[1]) and a[0] == b[0] and all(abs(x - y) <= 1e-9 for x, y in zip(a[1], b[1]))


def plot_run(run_dir: str | Path, out: str | Path | None = None) -> Path:
    """Draw RUN_DIR/training_curves.png from metrics.jsonl (and eval.jsonl); returns its path."""
    run_dir = Path(run_dir)
    out_path = Path(out) if out else run_dir / PLOT_NAME
    fig = draw_run(run_dir)
    import matplotlib.pyplot as plt  # after draw_run has chosen the Agg backend

    tmp = out_path.with_name(out_path.stem + ".tmp.png")
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    tmp.replace(out_path)
    return out_path


def draw_run(run_dir: str | Path) -> Any:
    """The matplotlib figure of a run's curves (the caller saves and closes it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run_dir = Path(run_dir)
    records = read_jsonl(run_dir / METRICS_JSONL)
    evals = read_jsonl(run_dir / EVAL_JSONL)
    if not records and not evals:
        raise FileNotFoundError(f"{run_dir}: no {METRICS_JSONL} records to plot (is this a run folder?)")
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    window = max(1, len(records) // 20)

    ax = axes[0][0]
    reward = _series(records, "reward/mean")
    passed = _series(records, "reward/pass_rate")
    same = _same_series(reward, passed)
    xs, ys = reward
    if ys:
        ax.plot(xs, ys, color="tab:blue", alpha=0.3, lw=1)
        label = SAME_LABEL if same else "train reward (mean)"
        ax.plot(xs, _smooth(ys, window), color="tab:blue", lw=2, label=label)
    xs, ys = passed
    if ys and not same:
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

    fig.suptitle(plot_title(run_dir, records))
    fig.tight_layout()
    return fig
