"""`aha score`'s engine: score a JSONL file into another, in worker processes, losing no row."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any

from .base import Verifier
from .reading import ReadError, columns_seen, iter_lines, load_json_line
from .result import Result, Status
from .rows import Fields, json_bytes, json_text_fast, parse_line, raw_text
from .scoring import chunked, make_pool
from .summary import ScoreStats
from .workers import RewardJob

# Keys `aha score` adds to a row; the rest of an output row is the input row.
OUTPUT_KEYS = frozenset({"reward", "status", "reason", "terms", "details"})
_ERROR_ROW_KEYS = frozenset({"line", "raw", "reward", "status", "reason"})


class ScoreError(ValueError):
    """A problem with the input or output of `aha score` found before or while scoring (one clear line)."""


class Interrupted(Exception):
    """The run was stopped (Ctrl-C, SIGTERM); the rows scored so far are saved in `path`."""

    def __init__(self, rows: int, path: Path):
        super().__init__(f"interrupted after {rows:,} rows")
        self.rows = rows
        self.path = path


def compact(result: Result) -> dict[str, Any]:
    """A term's result for an output row (score, status, reason, details, nested terms)."""
    out: dict[str, Any] = {"score": result.score, "status": result.status.value, "reason": result.reason}
    if result.details:
        out["details"] = result.details
    if result.terms:
        out["terms"] = {k: compact(v) for k, v in result.terms.items()}
    return out


def _add_result(row: dict[str, Any], result: Result) -> dict[str, Any]:
    """The input row with the result's reward, status, reason and terms (or details) added, in place."""
    row["reward"] = result.score
    row["status"] = result.status.value
    row["reason"] = result.reason
    if result.terms:
        row["terms"] = {k: compact(v) for k, v in result.terms.items()}
    elif result.details:
        row["details"] = result.details
    return row


def row_bytes(row: dict[str, Any], result: Result) -> bytes:
    """The output line (no newline) of a scored row: the input row plus reward, status, reason and terms."""
    return json_bytes(_add_result(row, result))


def _error_row(lineno: int, raw: bytes | str, reason: str) -> dict[str, Any]:
    return {"line": lineno, "raw": raw_text(raw), "reward": 0.0, "status": "error", "reason": reason}


def error_row_bytes(lineno: int, raw: bytes | str, reason: str) -> bytes:
    """The output line of an input line that is not a usable row: the line number and its raw text."""
    return json_bytes(_error_row(lineno, raw, reason))


@dataclass
class ChunkOut:
    """Scored lines of a chunk (each ending in a newline), their statistics, and the first malformed line."""

    payload: bytes
    rows: int
    stats: ScoreStats
    first_bad: ReadError | None = None


@dataclass
class LineJob(RewardJob):
    """Scores chunks of raw JSONL lines with one reward (run by the worker pool)."""

    fields: Fields

    def run_rows(self, chunk: list[tuple[int, bytes]], mark: Callable[[int], None]) -> ChunkOut:
        """Score the lines one by one."""
        return score_lines(chunk, self.reward, self.fields, mark)

    def run_batch(self, chunk: list[tuple[int, bytes]]) -> ChunkOut:
        """Score the lines as one batch."""
        return score_lines(chunk, self.reward, self.fields)

    def failed(self, item: tuple[int, bytes], status: Status, reason: str, verifier: str) -> ChunkOut:
        """The output line of a row whose worker died or overran."""
        lineno, raw = item
        stats = ScoreStats()
        try:
            row, _ = parse_line(lineno, raw, self.fields)
        except ReadError as exc:
            stats.add_malformed()
            return ChunkOut(error_row_bytes(lineno, raw, str(exc)) + b"\n", 1, stats, exc)
        result = Result(0.0, status, reason, verifier=verifier)
        stats.add(result)
        return ChunkOut(row_bytes(row, result) + b"\n", 1, stats)

    def join(self, outs: list[ChunkOut]) -> ChunkOut:
        """One chunk's output from its consecutive parts."""
        stats = ScoreStats()
        for out in outs:
            stats.merge(out.stats)
        bad = next((o.first_bad for o in outs if o.first_bad is not None), None)
        return ChunkOut(b"".join(o.payload for o in outs), sum(o.rows for o in outs), stats, bad)


def score_lines(
    chunk: list[tuple[int, bytes | str]],
    reward: Verifier,
    fields: Fields,
    mark: Callable[[int], None] | None = None,
) -> ChunkOut:
    """Score a chunk of raw JSONL lines: one output line per input line, in order.

    With `mark`, rows are scored one at a time and `mark(i)` is called before row i;
    without, the readable rows are scored as one batch.
    """
    stats = ScoreStats()
    rows: list[dict[str, Any]] = []
    samples: list[Any] = []
    bad: list[tuple[int, int, bytes | str, ReadError]] = []  # (position, line number, line, problem)
    for lineno, raw in chunk:
        try:
            row, sample = parse_line(lineno, raw, fields)
        except ReadError as exc:
            bad.append((len(rows) + len(bad), lineno, raw, exc))
            continue
        rows.append(row)
        samples.append(sample)
    if mark is None:
        results = reward.batch(samples)
    elif not bad:
        results = []
        for i, sample in enumerate(samples):
            mark(i)
            results.append(reward(sample))
    else:
        skip = {b[0] for b in bad}
        positions = [i for i in range(len(chunk)) if i not in skip]
        results = []
        for i, sample in zip(positions, samples, strict=True):
            mark(i)
            results.append(reward(sample))
    out_rows = [_add_result(row, result) for row, result in zip(rows, results, strict=True)]
    if not bad:
        stats.add_many(results)
    else:  # counted in line order, as the summary lists statuses in the order first met
        for position, lineno, raw, exc in bad:
            out_rows.insert(position, _error_row(lineno, raw, str(exc)))
        scored = iter(results)
        skip = {b[0] for b in bad}
        for i in range(len(chunk)):
            if i in skip:
                stats.add_malformed()
            else:
                stats.add(next(scored))
    return ChunkOut(_lines_bytes(out_rows), len(chunk), stats, bad[0][3] if bad else None)


def _lines_bytes(rows: list[dict[str, Any]]) -> bytes:
    """The JSONL bytes of output rows, each line ending in a newline, encoded in one go."""
    if not rows:
        return b""
    texts = [json_text_fast(row) for row in rows]
    texts.append("")
    try:
        return "\n".join(texts).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate somewhere: json_bytes writes it escaped
        return b"".join(json_bytes(row) + b"\n" for row in rows)


# -- input and output files ---------------------------------------------------------------------
def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_temp_files(out_path: Path) -> list[Path]:
    """Temporary outputs left by killed `aha score` runs for this output (their process is gone)."""
    found = []
    for p in out_path.parent.glob(f".{out_path.name}.*.tmp"):
        pid = p.name[len(out_path.name) + 2 : -4]
        if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
            found.append(p)
    return sorted(found)


def complete_rows(path: Path) -> tuple[int, int, bytes | None]:
    """(rows, bytes) of the complete lines at the start of an output file, and its last complete line."""
    rows = good_end = 0
    last = None
    with path.open("rb") as f:
        for raw in f:
            if not raw.endswith(b"\n"):
                break
            rows += 1
            good_end += len(raw)
            last = raw
    return rows, good_end, last


def _same_row(out_line: bytes, lineno: int, raw: bytes, fields: Fields) -> bool:
    """True when an output line is the scored form of an input line."""
    try:
        out = json.loads(out_line)
    except ValueError:
        return False
    if not isinstance(out, dict):
        return False
    if set(out) == _ERROR_ROW_KEYS and out.get("status") == "error":
        return out.get("line") == lineno
    try:
        row = load_json_line(lineno, raw)
    except ReadError:
        return False
    return all(out.get(k) == v for k, v in row.items() if k not in OUTPUT_KEYS)


def _column_problem(chunk: list[tuple[int, bytes]], fields: Fields, answer_explicit: bool) -> tuple[str | None, bool]:
    """A missing-column error for the first chunk, and whether the answer column is absent from it."""
    seen, readable = columns_seen(_rows(chunk))
    if not readable:
        return None, False
    columns = ", ".join(sorted(seen)) or "(none)"
    if fields.completion not in seen and fields.messages not in seen:
        return (
            f"no row of the first {readable:,} has a '{fields.completion}' (--completion-field) or "
            f"'{fields.messages}' (--messages-field) column; columns: {columns}"
        ), False
    if fields.answer not in seen:
        if answer_explicit:
            return (
                f"no row of the first {readable:,} has the answer column '{fields.answer}' (--answer-field); columns: {columns}",
                True,
            )
        return None, True
    return None, False


def all_unverifiable(stats: ScoreStats) -> str | None:
    """The name of a verifier (or term) that was unverifiable on every scored row, if any."""
    n = stats.scored_rows
    if not n:
        return None
    for name, ts in stats.terms.items():
        if ts.count == n and ts.statuses.get(Status.UNVERIFIABLE.value, 0) == n:
            return name
    if stats.statuses.get(Status.UNVERIFIABLE.value, 0) == n:
        return "the reward"
    return None


def score_file(
    reward: Verifier,
    input_path: str | Path,
    output_path: str | Path,
    workers: int = 1,
    fields: Fields = Fields(),
    strict: bool = False,
    chunk_size: int = 1000,
    on_progress: Callable[[int], None] | None = None,
    row_timeout: float | None = None,
    resume: bool = False,
    on_message: Callable[[str], None] | None = None,
    answer_explicit: bool = False,
) -> ScoreStats:
    """Score every line of a JSONL file into `output_path` (written atomically; `-` for stdout).

    Malformed lines become error rows naming the line, or with `strict=True` raise ReadError
    (and nothing is written). Verifiers run in `workers` child processes; a row whose worker dies
    or overruns `row_timeout` becomes an error or timeout row. Ctrl-C (KeyboardInterrupt) saves
    the rows scored so far and raises Interrupted; `resume=True` skips the rows already in the
    output (or in a temporary output left by a killed run). A missing completion column, or a
    missing answer column that leaves every row unverifiable, raises ScoreError naming the columns.
    """
    say = on_message or (lambda message: None)
    input_path = Path(input_path)
    from_stdin = str(input_path) == "-"
    if not from_stdin and not input_path.is_file():
        raise FileNotFoundError(f"input file not found: {input_path}")
    to_stdout = str(output_path) == "-"
    if to_stdout and resume:
        raise ScoreError("--resume needs an output file (-o), not stdout")
    out_path = Path(output_path)
    tmp_path = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    stale: list[Path] = []
    done_rows = 0
    last_done: bytes | None = None
    out_stream: Any = sys.stdout.buffer if to_stdout else None
    if not to_stdout:
        out_stream, stale, done_rows, last_done = _open_output(out_path, tmp_path, resume, say)
    good_end = out_stream.tell() if not to_stdout else 0
    stats = ScoreStats()
    written = 0
    in_stream = sys.stdin.buffer if from_stdin else input_path.open("rb")
    ok = interrupted = False
    try:
        lines = iter_lines(in_stream)
        if done_rows:
            skipped = list(islice(lines, done_rows - 1))
            last_in = next(lines, None)
            if len(skipped) < done_rows - 1 or last_in is None:
                raise ScoreError(f"{out_path} holds {done_rows:,} rows, more than {input_path} has; drop --resume")
            if last_done is None or not _same_row(last_done, last_in[0], last_in[1], fields):
                raise ScoreError(
                    f"{out_path} does not hold the scores of {input_path} (row {done_rows:,} differs); drop --resume"
                )
        chunks = chunked(lines, chunk_size)
        first = next(chunks, None)
        if first is None:
            ok = True
            stats.resumed = done_rows
            return stats
        problem, answer_missing = _column_problem(first, fields, answer_explicit)
        if problem:
            raise ScoreError(f"{input_path}: {problem}")
        job = LineJob(reward, fields)
        with make_pool(job, workers, row_timeout) as pool:
            for i, out in enumerate(pool.imap(chain([first], chunks), 4 * workers)):
                if out.first_bad is not None and strict:
                    raise out.first_bad
                if i == 0 and answer_missing:
                    who = all_unverifiable(out.stats)
                    if who is not None:
                        raise ScoreError(
                            f"{input_path}: no row of the first {out.rows:,} has the answer column "
                            f"'{fields.answer}' (--answer-field), and {who} could judge none of them; "
                            f"columns: {_columns(first)}"
                        )
                out_stream.write(out.payload)
                good_end += len(out.payload)
                written += out.rows
                stats.merge(out.stats)
                if on_progress is not None:
                    on_progress(out.rows)
        ok = True
    except KeyboardInterrupt:
        interrupted = True
        if to_stdout:
            raise
    finally:
        if not from_stdin:
            in_stream.close()
        if to_stdout:
            out_stream.flush()
        else:
            # An interrupted run saves its rows (but never replaces an earlier output with nothing).
            keep = done_rows > 0 or (interrupted and written > 0)
            _finish(out_stream, tmp_path, out_path, good_end, ok, keep)
    if interrupted and done_rows + written == 0:
        raise KeyboardInterrupt
    if interrupted:
        raise Interrupted(done_rows + written, out_path)
    for p in stale:
        p.unlink(missing_ok=True)
        say(f"removed {p}, a temporary output left by a killed run")
    stats.resumed = done_rows
    return stats


def _rows(chunk: list[tuple[int, bytes]]) -> Iterator[dict[str, Any] | None]:
    """The row of each line of a chunk (None for an unreadable line)."""
    for lineno, raw in chunk:
        try:
            yield load_json_line(lineno, raw)
        except ReadError:
            yield None


def _columns(chunk: list[tuple[int, bytes]]) -> str:
    return ", ".join(sorted(columns_seen(_rows(chunk))[0])) or "(none)"


def _open_output(
    out_path: Path, tmp_path: Path, resume: bool, say: Callable[[str], None]
) -> tuple[Any, list[Path], int, bytes | None]:
    """Create the folder and the temporary output (resuming into it); any problem is a one-line ScoreError."""
    folder = out_path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScoreError(f"cannot create the output folder {folder}: {exc.strerror or exc}") from None
    if out_path.is_dir():
        raise ScoreError(f"the output {out_path} is a folder; give a file name")
    stale = stale_temp_files(out_path)
    done_rows, last = 0, None
    try:
        if resume:
            candidates = [p for p in [out_path, *stale] if p.is_file()]
            counted = [(complete_rows(p), p) for p in candidates]
            best = max(counted, key=lambda c: c[0][0], default=None)
            if best is not None and best[0][0] > 0:
                (done_rows, good_end, last), source = best
                if source == out_path:
                    shutil.copyfile(source, tmp_path)
                else:
                    os.replace(source, tmp_path)
                    stale.remove(source)
                stream = tmp_path.open("r+b")
                stream.truncate(good_end)
                stream.seek(good_end)
                say(f"resuming: {done_rows:,} rows already scored in {source}; scoring the rest")
                return stream, stale, done_rows, last
            say(f"nothing to resume in {out_path}; scoring every row")
        elif stale:
            for p in stale:
                say(f"found {p}, left by a killed run ({complete_rows(p)[0]:,} rows); --resume would reuse it")
        return tmp_path.open("wb"), stale, 0, None
    except PermissionError:
        raise ScoreError(f"cannot write in the output folder {folder} (permission denied)") from None
    except OSError as exc:
        raise ScoreError(f"cannot write the output {out_path}: {exc.strerror or exc}") from None


def _finish(stream: Any, tmp_path: Path, out_path: Path, good_end: int, ok: bool, keep: bool) -> None:
    """Move the temporary output into place when done (or, with `keep`, its complete rows); else remove it."""
    if not ok and keep:
        stream.flush()
        stream.truncate(good_end)
    stream.close()
    if ok or keep:
        os.replace(tmp_path, out_path)
    else:
        tmp_path.unlink(missing_ok=True)
