"""`aha score`'s engine: score a JSONL file into another, in parallel, losing no row."""

from __future__ import annotations

import json
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

from .base import Verifier
from .result import Result
from .rows import Fields, MalformedRow, iter_lines, parse_line
from .sample import Sample
from .scoring import die_with_parent, mp_context
from .summary import ScoreStats

_reward: Verifier | None = None
_fields: Fields = Fields()


def compact(result: Result) -> dict[str, Any]:
    """A term's result for an output row (score, status, reason, details, nested terms)."""
    out: dict[str, Any] = {"score": result.score, "status": result.status.value, "reason": result.reason}
    if result.details:
        out["details"] = result.details
    if result.terms:
        out["terms"] = {k: compact(v) for k, v in result.terms.items()}
    return out


def _init(reward: Verifier, fields: Fields, worker: bool = False) -> None:
    global _reward, _fields
    if worker:
        die_with_parent()
    _reward, _fields = reward, fields


def _dumps(row: dict[str, Any]) -> str:
    try:
        return json.dumps(row, ensure_ascii=False)
    except (TypeError, ValueError):
        return json.dumps(row, ensure_ascii=False, default=repr)


def score_lines(chunk: list[tuple[int, str]]) -> tuple[list[str], ScoreStats, MalformedRow | None]:
    """Score a chunk of raw JSONL lines: output lines, stats, and the first malformed line."""
    assert _reward is not None
    stats = ScoreStats()
    first_bad: MalformedRow | None = None
    parsed: list[tuple[int, dict[str, Any] | None, str, str]] = []
    samples: list[Sample] = []
    for lineno, raw in chunk:
        try:
            row = parse_line(lineno, raw, _fields)
            samples.append(Sample.from_row(row, _fields.completion, _fields.answer, _fields.prompt, _fields.messages))
            parsed.append((lineno, row, raw, ""))
        except (MalformedRow, TypeError, KeyError) as exc:
            bad = exc if isinstance(exc, MalformedRow) else MalformedRow(lineno, str(exc))
            first_bad = first_bad or bad
            parsed.append((lineno, None, raw, str(bad)))
    results = iter(_reward.batch(samples))
    out: list[str] = []
    for lineno, row, raw, reason in parsed:
        if row is None:
            stats.add_malformed()
            out.append(
                _dumps(
                    {
                        "line": lineno,
                        "raw": raw.rstrip("\r\n"),
                        "reward": 0.0,
                        "status": "error",
                        "reason": reason,
                    }
                )
            )
            continue
        result = next(results)
        stats.add(result)
        row["reward"] = result.score
        row["status"] = result.status.value
        row["reason"] = result.reason
        if result.terms:
            row["terms"] = {k: compact(v) for k, v in result.terms.items()}
        elif result.details:
            row["details"] = result.details
        out.append(_dumps(row))
    return out, stats, first_bad


def _chunks(lines: Iterator[tuple[int, str]], size: int) -> Iterator[list[tuple[int, str]]]:
    return iter(lambda: list(islice(lines, size)), [])


def _ordered(pool: ProcessPoolExecutor, chunks: Iterator[list[tuple[int, str]]], max_pending: int):
    """Submit chunks with bounded look-ahead and yield their results in input order."""
    pending: deque[Future] = deque()
    for chunk in chunks:
        pending.append(pool.submit(score_lines, chunk))
        if len(pending) >= max_pending:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def score_file(
    reward: Verifier,
    input_path: str | Path,
    output_path: str | Path,
    workers: int = 1,
    fields: Fields = Fields(),
    strict: bool = False,
    chunk_size: int = 1000,
    on_progress: Callable[[int], None] | None = None,
) -> ScoreStats:
    """Score every line of a JSONL file into `output_path` (written atomically; `-` for stdout).

    Malformed lines become error rows naming the line, or with `strict=True` raise
    MalformedRow (and nothing is written).
    """
    input_path = Path(input_path)
    if str(input_path) != "-" and not input_path.is_file():
        raise FileNotFoundError(f"input file not found: {input_path}")
    to_stdout = str(output_path) == "-"
    out_path = Path(output_path)
    tmp_path = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    stats = ScoreStats()
    in_stream = sys.stdin if str(input_path) == "-" else input_path.open("r", encoding="utf-8", errors="replace")
    out_stream = sys.stdout if to_stdout else tmp_path.open("w", encoding="utf-8")
    pool: ProcessPoolExecutor | None = None
    ok = False
    try:
        chunks = _chunks(iter_lines(in_stream), chunk_size)
        if workers > 1:
            pool = ProcessPoolExecutor(
                workers, mp_context=mp_context(), initializer=_init, initargs=(reward, fields, True)
            )
            results = _ordered(pool, chunks, 4 * workers)
        else:
            _init(reward, fields)
            results = map(score_lines, chunks)
        for lines, chunk_stats, bad in results:
            if bad is not None and strict:
                raise bad
            if lines:
                out_stream.write("\n".join(lines))
                out_stream.write("\n")
            stats.merge(chunk_stats)
            if on_progress is not None:
                on_progress(len(lines))
        ok = True
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=not ok)
        if in_stream is not sys.stdin:
            in_stream.close()
        if not to_stdout:
            out_stream.close()
            if ok:
                os.replace(tmp_path, out_path)
            else:
                tmp_path.unlink(missing_ok=True)
    return stats
