"""The scoring pass: score every input row not yet in the scored-rows file, appending chunk by chunk."""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from ..base import Verifier
from ..reading import columns_seen
from ..rows import row_sample
from ..sample import Sample
from ..score_file import all_unverifiable
from ..scoring import Scorer
from ..summary import ScoreStats
from .config import EvalConfig, Fields
from .progress import ProgressBar, _noop
from .readers import InputError, InputRow, count_rows, fingerprint, iter_rows
from .store import ScoreStore, error_line, record_line

PEEK_ROWS = 1000


@dataclass
class PassStats:
    """What one scoring pass did: rows in the input, rows found done, rows scored now and how fast."""

    rows: int
    resumed: int
    scored: int
    seconds: float

    @property
    def rows_per_second(self) -> float | None:
        """Rows scored per second in this pass (None when nothing was scored)."""
        return self.scored / self.seconds if self.scored and self.seconds > 0 else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready numbers."""
        return {
            "rows": self.rows,
            "resumed_rows": self.resumed,
            "scored_rows": self.scored,
            "seconds": self.seconds,
            "rows_per_second": self.rows_per_second,
        }


def reward_identity(spec: str) -> dict[str, Any]:
    """The spec, plus a digest of the file when the spec is a TOML file (an edited file is another reward)."""
    out: dict[str, Any] = {"spec": spec}
    path = Path(spec)
    if path.is_file():
        out["file_digest"] = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    return out


def store_header(cfg: EvalConfig, fmt: str, spec: str) -> dict[str, Any]:
    """What a scored-rows file must match to be resumed: input, format, split, fields and reward."""
    return {
        "input": fingerprint(cfg.input),
        "format": fmt,
        "split": cfg.split,
        "fields": cfg.fields.to_dict(),
        "reward": reward_identity(spec),
    }


def total_rows(cfg: EvalConfig, fmt: str) -> int:
    """Rows this evaluation covers (the input's, capped by --limit)."""
    n = count_rows(cfg.input, fmt, cfg.split)
    return n if cfg.limit is None else min(n, cfg.limit)


def input_rows(cfg: EvalConfig, fmt: str, start: int = 0) -> Iterator[InputRow]:
    """The input rows this evaluation covers, from index `start`."""
    rows = iter_rows(cfg.input, fmt, cfg.split, start)
    if cfg.limit is not None:
        rows = islice(rows, max(cfg.limit - start, 0))
    return rows


def check_columns(cfg: EvalConfig, fmt: str) -> str | None:
    """Fail early, naming the columns seen, when a named column is in none of the first rows.

    Returns the columns seen when the answer column is in none of them (an error when --answer-field
    was given), else None.
    """
    seen, readable = columns_seen(item.row for item in islice(iter_rows(cfg.input, fmt, cfg.split), PEEK_ROWS))
    if not readable:
        return None
    f = cfg.fields
    wanted = [(f.completion, "--completion-field")] if f.messages not in seen else []
    wanted += [(c, o) for c, o in ((cfg.label, "--label"), (cfg.group_by, "--group-by")) if c]
    wanted += [(c, "--by") for c in cfg.by]
    if cfg.answer_explicit:
        wanted.append((f.answer, "--answer-field"))
    for column, option in wanted:
        if column not in seen:
            raise InputError(
                f"{cfg.input}: no column {column!r} ({option}) in the first {readable:,} rows; "
                f"columns: {', '.join(sorted(seen))}"
            )
    return ", ".join(sorted(seen)) if f.answer not in seen else None


def make_sample(item: InputRow, fields: Fields) -> Sample:
    """The Sample of a readable row; raises InputError naming the row when it has no usable completion."""
    assert item.row is not None
    try:
        return row_sample(item.row, fields)
    except InputError as exc:
        row = None if item.line is not None else item.index + 1
        raise InputError(exc.problem, line=item.line, row=row, field=exc.field) from None


def make_scorer(cfg: EvalConfig, reward: Verifier) -> Scorer:
    """The scoring pipeline `aha score` and the trainer use too, on local processes or Ray tasks."""
    return Scorer(
        reward,
        workers=cfg.workers,
        chunk_size=cfg.chunk_size,
        row_timeout=cfg.row_timeout,
        engine=cfg.engine,
        address=cfg.ray_address,
    )


def score_pass(
    cfg: EvalConfig,
    fmt: str,
    spec: str,
    reward: Verifier,
    store_path: Path,
    progress: ProgressBar | None = None,
    label: str = "scoring",
    total: int | None = None,
    answer_missing: str | None = None,
) -> PassStats:
    """Score the rows missing from `store_path` with `reward`; returns what was done.

    Unreadable rows become error records naming the line (or, with `cfg.strict`, stop the
    run with an InputError). Records are written in row order, one chunk per write. With
    `answer_missing` (no answer column in the first rows), a first chunk that the reward could
    judge none of stops the run with an InputError naming the columns.
    """
    start_time = time.perf_counter()
    total = total_rows(cfg, fmt) if total is None else total
    store = ScoreStore(store_path, store_header(cfg, fmt, spec))
    resumed = store.open(restart=cfg.restart)
    scored = 0
    try:
        todo = max(total - sum(1 for i in store.done if i < total), 0)
        if resumed and progress is not None:
            progress.log(f"{label}: resuming {store_path.name}: {total - todo:,} of {total:,} rows already scored")
        if todo == 0:
            return PassStats(total, resumed, 0, time.perf_counter() - start_time)
        advance = progress.task(label, todo) if progress is not None else _noop
        # Rows before the first gap are skipped without parsing.
        prefix = _prefix_length(store)
        pending: deque[tuple[int, str | None]] = deque()

        def samples() -> Iterator[Sample]:
            for item in input_rows(cfg, fmt, prefix):
                if store.is_done(item.index):
                    continue
                problem = item.problem
                sample = None
                if problem is None:
                    try:
                        sample = make_sample(item, cfg.fields)
                    except InputError as exc:
                        problem = str(exc)
                if problem is not None:
                    if cfg.strict:
                        raise InputError(f"{cfg.input}: {problem}")
                    pending.append((item.index, problem))
                    continue
                pending.append((item.index, None))
                yield sample

        with make_scorer(cfg, reward) as scorer:
            for results in scorer.score_chunks(samples()):
                if answer_missing is not None:
                    _check_judged(cfg, results, answer_missing)
                    answer_missing = None
                lines = []
                it = iter(results)
                used = 0
                while used < len(results):
                    index, problem = pending.popleft()
                    if problem is None:
                        lines.append(record_line(index, next(it)))
                        used += 1
                    else:
                        lines.append(error_line(index, problem))
                store.append(lines)
                scored += len(lines)
                advance(len(lines))
        tail = [error_line(index, problem or "") for index, problem in pending]
        store.append(tail)
        scored += len(tail)
        advance(len(tail))
    finally:
        store.close()
    return PassStats(total, resumed, scored, time.perf_counter() - start_time)


def _check_judged(cfg: EvalConfig, results: list, columns: str) -> None:
    """Stop when, without an answer column, some verifier could judge none of the first rows."""
    stats = ScoreStats()
    for result in results:
        stats.add(result)
    who = all_unverifiable(stats)
    if who is not None:
        raise InputError(
            f"{cfg.input}: no row of the first {len(results):,} has the answer column '{cfg.fields.answer}' "
            f"(--answer-field), and {who} could judge none of them; columns: {columns}"
        )


def _prefix_length(store: ScoreStore) -> int:
    n = 0
    while n in store.done:
        n += 1
    return n
