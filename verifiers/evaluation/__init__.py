"""Evaluation of scored completions and of verifiers: statistics, label agreement, reports (`aha eval`)."""

from .analysis import Analysis, analyse
from .config import EvalConfig, Fields, MissingDependency
from .labels import parse_label
from .pipeline import EvalOutcome, run_eval
from .readers import InputError, InputRow, count_rows, detect_format, iter_rows
from .stats import binary_metrics, majority_correct, pass_at_k
from .store import ScoreStore, StoreError

__all__ = [
    "Analysis",
    "EvalConfig",
    "EvalOutcome",
    "Fields",
    "InputError",
    "InputRow",
    "MissingDependency",
    "ScoreStore",
    "StoreError",
    "analyse",
    "binary_metrics",
    "count_rows",
    "detect_format",
    "iter_rows",
    "majority_correct",
    "parse_label",
    "pass_at_k",
    "run_eval",
]
