"""Writing the reports: metrics.json (every number), summary.md, report.html and the plot PNGs."""

from __future__ import annotations

import json
import math
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import plots as P


def build_plots(metrics: dict[str, Any], plot_data: dict[str, Any]) -> dict[str, tuple[str, bytes]]:
    """Every plot the metrics call for: name -> (title, PNG bytes)."""
    m = metrics
    out: dict[str, tuple[str, bytes]] = {}
    if m["reward"].get("count"):
        out["reward"] = ("Reward distribution", P.reward_distribution(m["reward"]))
    out["statuses"] = ("Status counts", P.statuses(m["statuses"], m["compare"]["statuses"] if m["compare"] else None))
    if m["terms"]:
        out["terms"] = ("Reward terms", P.terms(m["terms"]))
    if any(v["value"] is not None for v in m["pass_at_k"].values()):
        out["pass_at_k"] = ("pass@k and maj@k", P.pass_at_k(m["pass_at_k"], m["maj_at_k"]))
    if m["length"].get("count"):
        out["length"] = (
            "Completion length against reward",
            P.length_vs_reward(plot_data["length_points"], m["length"]["bins"], m["length"]["unit"]),
        )
    for i, (col, info) in enumerate(m["by"].items(), start=1):
        if info["values"]:
            out[f"by_{i}"] = (f"By {col}", P.by_category(col, info["values"]))
    if m["labels"] and m["labels"]["labelled"]:
        out["confusion"] = ("Verifier against labels", P.confusion(m["labels"]))
    if m["compare"] and m["compare"]["rows"]:
        out["crosstab"] = ("Status: reward against compare", P.status_crosstab(m["compare"]["status_crosstab"]))
    return out


def json_safe(value: Any) -> Any:
    """The value with NaN and infinities replaced by None, so the JSON is valid everywhere."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def _write_atomic(path: Path, data: str | bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    if isinstance(data, bytes):
        tmp.write_bytes(data)
    else:
        # a lone surrogate from the input (a "\\ud800" escape) is written as that escape, not a crash
        tmp.write_text(data, encoding="utf-8", errors="backslashreplace")
    os.replace(tmp, path)


def write_reports(
    output: Path,
    metrics: dict[str, Any],
    plot_data: dict[str, Any],
    settings: dict[str, Any],
    timing: dict[str, Any],
) -> dict[str, Path]:
    """Write metrics.json, summary.md, report.html and plots/*.png under `output`; returns their paths."""
    from .. import __version__
    from .html_report import render_html
    from .markdown_report import render_markdown

    output.mkdir(parents=True, exist_ok=True)
    plot_dir = output / "plots"
    plot_dir.mkdir(exist_ok=True)
    for old in plot_dir.glob("*.png"):
        old.unlink()
    plots = build_plots(metrics, plot_data)
    plot_files = {}
    for name, (_, png) in plots.items():
        _write_atomic(plot_dir / f"{name}.png", png)
        plot_files[name] = f"plots/{name}.png"
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    paths = {
        "metrics": output / "metrics.json",
        "summary": output / "summary.md",
        "html": output / "report.html",
    }
    document = {"aha_version": __version__, "generated": generated, "settings": settings, "timing": timing, **metrics}
    _write_atomic(paths["metrics"], json.dumps(json_safe(document), indent=2, ensure_ascii=False, default=str))
    _write_atomic(paths["summary"], render_markdown(metrics, plot_files, settings, timing))
    _write_atomic(paths["html"], render_html(metrics, plots, settings, timing, generated, __version__))
    return paths
