"""Helpers of the evaluation tests: a small file whose statistics are worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

from verifiers.evaluation import EvalConfig, run_eval

# Four prompts. P1: 2 of 4 correct; P2: 1 of 4; P3: 2 of 2; P4: no gold answer (unverifiable).
# `human` is a label: missing (None, ""), invalid ("maybe") and disagreeing values on purpose.
ROWS = [
    {"prompt": "P1", "completion": "so \\boxed{4}", "answer": "4", "human": True, "level": "easy"},
    {"prompt": "P1", "completion": "it is \\boxed{5}", "answer": "4", "human": False, "level": "easy"},
    {"prompt": "P1", "completion": "\\boxed{5}", "answer": "4", "human": "false", "level": "easy"},
    {"prompt": "P1", "completion": "answer \\boxed{4} done", "answer": "4", "human": 1, "level": "easy"},
    {"prompt": "P2", "completion": "\\boxed{1}", "answer": "7", "human": "yes", "level": "hard"},
    {"prompt": "P2", "completion": "maybe \\boxed{2}", "answer": "7", "human": None, "level": "hard"},
    {"prompt": "P2", "completion": "\\boxed{1} again", "answer": "7", "human": "", "level": "hard"},
    {"prompt": "P2", "completion": "finally \\boxed{7}", "answer": "7", "human": "no", "level": "hard"},
    {"prompt": "P3", "completion": "\\boxed{x}", "answer": "x", "human": 1, "level": "easy"},
    {"prompt": "P3", "completion": "the answer: \\boxed{x}", "answer": "x", "human": 0, "level": "easy"},
    {"prompt": "P4", "completion": "no idea", "answer": None, "human": "maybe"},
]
BAD_LINE = '{"prompt": "P5", "completion": oops}'


def write_jsonl(path: Path, rows: list, extra_lines: tuple[str, ...] = ()) -> Path:
    """Rows as JSONL, then any raw extra lines."""
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
        for line in extra_lines:
            f.write(line + "\n")
    return path


def evaluate(input_path: Path, output: Path, **kwargs):
    """run_eval with one worker and no progress bar."""
    kwargs.setdefault("reward", "exact_match")
    kwargs.setdefault("workers", 1)
    return run_eval(EvalConfig(input=input_path, output=output, **kwargs))
