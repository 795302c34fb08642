"""Checks that need no torch, run before it loads: the model folder, the datasets' rows and the reward spec.

Importing torch and transformers takes seconds (tens of seconds on a slow or busy machine); a typo in a
path or a bad row is reported before that.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import ConfigError, TrainConfig
from .data import Row, check_rows, load_rows, resolve_data_path


@dataclass
class Preflight:
    """What the checks read, handed on so nothing is read twice."""

    model_path: Path
    train_rows: list[Row]
    train_source: str
    eval_rows: list[Row] | None
    eval_source: str | None
    reward: Any


def preflight(cfg: TrainConfig) -> Preflight:
    """Check the model folder, the tokenizer folder, every dataset row and the reward; raise a clear error."""
    from .model_loading import resolve_model_path
    from .rewards import build_reward

    model_path = resolve_model_path(cfg.model.path)
    if cfg.model.tokenizer and not Path(cfg.model.tokenizer).expanduser().is_dir():
        raise ConfigError(f"model.tokenizer: no tokenizer folder at {cfg.model.tokenizer}")
    d = cfg.data
    train_source = resolve_data_path(d.train, d.train_split)
    train_rows = load_rows(train_source, d.train_split, d.max_train_samples)
    check_rows(train_rows, d)
    eval_rows = eval_source = None
    if d.eval:
        eval_source = resolve_data_path(d.eval, d.eval_split)
        eval_rows = load_rows(eval_source, d.eval_split, d.max_eval_samples)
        check_rows(eval_rows, d)
    reward = build_reward(cfg.reward)
    return Preflight(model_path, train_rows, train_source, eval_rows, eval_source, reward)
