"""One evaluation from start to end: score (resuming), analyse, write the reports."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..spec import load_reward
from .analysis import analyse
from .config import EvalConfig
from .progress import ProgressBar
from .readers import InputError, detect_format
from .reports import write_reports
from .runner import check_columns, input_rows, score_pass, total_rows
from .store import ScoreStore

SCORES_FILE = "scores.jsonl"
COMPARE_FILE = "scores_compare.jsonl"


@dataclass
class EvalOutcome:
    """What an evaluation produced: every number, the timings and the files written."""

    metrics: dict[str, Any]
    timing: dict[str, Any]
    paths: dict[str, Path]


def run_eval(cfg: EvalConfig, progress: ProgressBar | None = None) -> EvalOutcome:
    """Score the input with the reward (and the compare reward), analyse, and write the reports.

    Scores already in the output folder from an interrupted run with the same input and
    reward are kept; only the missing rows are scored.
    """
    started = time.perf_counter()
    reward = load_reward(cfg.reward)
    compare = load_reward(cfg.compare) if cfg.compare else None
    fmt = detect_format(cfg.input, cfg.format)
    if cfg.split is not None and fmt != "datasets":
        raise InputError(f"--split applies to a datasets folder, not to {fmt} input")
    answer_missing = check_columns(cfg, fmt)
    total = total_rows(cfg, fmt)
    if total == 0:
        raise InputError(f"{cfg.input}: no rows to evaluate")
    cfg.output.mkdir(parents=True, exist_ok=True)
    timing: dict[str, Any] = {}
    scores_path = cfg.output / SCORES_FILE
    compare_path = cfg.output / COMPARE_FILE
    timing["scoring"] = score_pass(
        cfg, fmt, cfg.reward, reward, scores_path, progress, "scoring", total, answer_missing
    ).to_dict()
    if compare is not None:
        assert cfg.compare is not None
        timing["compare_scoring"] = score_pass(
            cfg, fmt, cfg.compare, compare, compare_path, progress, "scoring (compare)", total
        ).to_dict()
    t = time.perf_counter()
    advance = progress.task("analysing", total) if progress is not None else None
    metrics, plot_data = analyse(
        cfg,
        input_rows(cfg, fmt),
        ScoreStore(scores_path, {}).records(),
        ScoreStore(compare_path, {}).records() if compare is not None else None,
        output=cfg.output,
        advance=advance,
    )
    timing["analysis_seconds"] = time.perf_counter() - t
    t = time.perf_counter()
    settings = cfg.describe() | {"format": fmt}
    paths = write_reports(cfg.output, metrics, plot_data, settings, timing)
    timing["report_seconds"] = time.perf_counter() - t
    timing["total_seconds"] = time.perf_counter() - started
    paths["scores"] = scores_path
    if compare is not None:
        paths["compare_scores"] = compare_path
    return EvalOutcome(metrics, timing, paths)
