"""Run logs: metrics.jsonl and metrics.csv every step, samples.jsonl, eval.jsonl, optional TensorBoard/W&B."""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

METRICS_JSONL = "metrics.jsonl"
METRICS_CSV = "metrics.csv"
SAMPLES_JSONL = "samples.jsonl"
EVAL_JSONL = "eval.jsonl"

# Metrics that depend on the machine's speed, not on the training itself.
TIMING_KEYS = (
    "step_time_s",
    "tokens_per_s",
    "peak_mem_gib",
    "mem/generate_peak_gib",
    "mem/update_peak_gib",
    "time/generate_s",
    "time/score_s",
    "time/update_s",
    "elapsed_s",
)


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Records of a JSONL log (a torn last line, from a killed writer, is ignored)."""
    p = Path(path)
    if not p.is_file():
        return []
    out = []
    for line in p.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


def truncate_jsonl(path: str | Path, max_step: int) -> list[dict[str, Any]]:
    """Drop records after `max_step` (work lost with a killed run that resume will redo); returns the kept."""
    p = Path(path)
    kept = [r for r in read_jsonl(p) if int(r.get("step", 0)) <= max_step]
    if p.exists():
        _atomic_write(p, "".join(json.dumps(r) + "\n" for r in kept))
    return kept


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class MetricsLog:
    """Appends one record per step to metrics.jsonl and metrics.csv (the CSV grows columns as needed)."""

    def __init__(
        self,
        run_dir: str | Path,
        tensorboard: bool = False,
        wandb: bool = False,
        wandb_project: str = "aha",
        config: dict | None = None,
    ):
        self.run_dir = Path(run_dir)
        self.jsonl = self.run_dir / METRICS_JSONL
        self.csv = self.run_dir / METRICS_CSV
        self.columns: list[str] = []
        self.records = read_jsonl(self.jsonl)
        for r in self.records:
            self._extend_columns(r)
        self._rewrite_csv()
        self.notes: list[str] = []
        self._tb = self._open_tensorboard() if tensorboard else None
        self._wandb = self._open_wandb(wandb_project, config) if wandb else None

    def _extend_columns(self, record: dict[str, Any]) -> bool:
        new = [k for k in record if k not in self.columns]
        self.columns.extend(new)
        return bool(new)

    def _rewrite_csv(self) -> None:
        if not self.records:
            if self.csv.exists():
                self.csv.unlink()
            return
        tmp = self.csv.with_name(self.csv.name + ".tmp")
        with tmp.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=self.columns)
            w.writeheader()
            for r in self.records:
                w.writerow({k: _clean(v) for k, v in r.items()})
        os.replace(tmp, self.csv)

    def log(self, record: dict[str, Any]) -> None:
        """Write one step's metrics everywhere."""
        record = {k: _clean(v) for k, v in record.items()}
        with self.jsonl.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
        self.records.append(record)
        if self._extend_columns(record) or not self.csv.exists():
            self._rewrite_csv()
        else:
            with self.csv.open("a", newline="", encoding="utf-8") as fh:
                csv.DictWriter(fh, fieldnames=self.columns).writerow(record)
        step = int(record.get("step", len(self.records)))
        numeric = {k: v for k, v in record.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        if self._tb is not None:
            for k, v in numeric.items():
                if k != "step" and v is not None:
                    self._tb.add_scalar(k, v, step)
            self._tb.flush()
        if self._wandb is not None:
            self._wandb.log(numeric, step=step)

    def _open_tensorboard(self) -> Any:
        if importlib.util.find_spec("tensorboard") is None:
            self.notes.append("log.tensorboard: tensorboard is not installed; skipped (pip install tensorboard)")
            return None
        from torch.utils.tensorboard import SummaryWriter

        return SummaryWriter(str(self.run_dir / "tensorboard"))

    def _open_wandb(self, project: str, config: dict | None) -> Any:
        if importlib.util.find_spec("wandb") is None:
            self.notes.append("log.wandb: wandb is not installed; skipped (pip install wandb)")
            return None
        import wandb

        return wandb.init(project=project, dir=str(self.run_dir), config=config or {}, name=self.run_dir.name)

    def close(self) -> None:
        """Flush and close the trackers."""
        if self._tb is not None:
            self._tb.close()
            self._tb = None
        if self._wandb is not None:
            self._wandb.finish()
            self._wandb = None


def append_jsonl(path: str | Path, records: Iterable[dict[str, Any]]) -> None:
    """Append records to a JSONL file."""
    with Path(path).open("a", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, default=str) + "\n")


def sample_records(
    step: int, samples: list[Any], results: list[Any], rewards: list[float], indices: Iterable[int]
) -> list[dict[str, Any]]:
    """samples.jsonl records: prompt, completion, answer, reward, status, reason and per-term scores."""
    out = []
    for i in indices:
        s, r = samples[i], results[i]
        out.append(
            {
                "step": step,
                "index": i,
                "prompt": s.prompt,
                "completion": s.completion,
                "answer": s.answer,
                "reward": rewards[i],
                "status": r.status.value,
                "reason": r.reason,
                "terms": {name: {"score": t.score, "status": t.status.value} for name, t in r.iter_terms()},
                "completion_tokens": s.metadata.get("completion_tokens"),
                "finish_reason": s.metadata.get("finish_reason"),
            }
        )
    return out
