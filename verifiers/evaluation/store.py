"""The scored-rows file: results appended chunk by chunk with row indices, so an interrupted eval resumes."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..result import Result
from ..rows import json_line
from ..score_file import compact

FORMAT_VERSION = 1
HEADER_KEY = "aha_eval_scores"


class StoreError(RuntimeError):
    """A scored-rows file that cannot be resumed (another input or reward, or damaged)."""


def record_line(index: int, result: Result) -> str:
    """One stored line for a scored row (`i` first, so indices can be read without parsing the rest)."""
    return json_line({"i": index, **compact(result)}) + "\n"


def error_line(index: int, reason: str) -> str:
    """One stored line for a row that could not be scored (unreadable or unusable)."""
    return json_line({"i": index, "score": 0.0, "status": "error", "reason": reason, "unreadable": True}) + "\n"


class ScoreStore:
    """An append-only JSONL file of scored rows; the first line is a header naming the input and reward.

    Opening an existing file checks the header, cuts off a line left half-written by a
    killed run, and reads which row indices are done; `append` writes whole lines and flushes.
    """

    def __init__(self, path: str | Path, header: dict[str, Any]):
        self.path = Path(path)
        self.header = {HEADER_KEY: FORMAT_VERSION, **header}
        self.done: set[int] = set()
        self.max_done = -1
        self._file = None

    # -- opening and resuming ----------------------------------------------------------
    def open(self, restart: bool = False) -> int:
        """Open for appending, resuming a matching file unless `restart`; returns the rows already done."""
        if restart or not self.path.exists() or self.path.stat().st_size == 0:
            self._start_fresh()
            return 0
        self._check_header()
        self._scan()
        self._file = self.path.open("a", encoding="utf-8")
        return len(self.done)

    def _start_fresh(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.header, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)
        self.done = set()
        self.max_done = -1
        self._file = self.path.open("a", encoding="utf-8")

    def _check_header(self) -> None:
        with self.path.open("r", encoding="utf-8") as f:
            first = f.readline()
        try:
            found = json.loads(first)
        except json.JSONDecodeError:
            found = None
        if not isinstance(found, dict) or found.get(HEADER_KEY) != FORMAT_VERSION:
            raise StoreError(
                f"{self.path} is not a scored-rows file of this version; use --restart or another --output"
            )
        diffs = [k for k in sorted(set(found) | set(self.header)) if found.get(k) != self.header.get(k)]
        if diffs:
            detail = "; ".join(f"{k}: was {found.get(k)!r}, now {self.header.get(k)!r}" for k in diffs)
            raise StoreError(
                f"{self.path} holds scores of another run ({detail}); use --restart to discard them or another --output"
            )

    def _scan(self) -> None:
        """Read the done indices; truncate a half-written last line; sort the file if it is out of order."""
        done: set[int] = set()
        in_order = True
        last = -1
        good_end = 0
        with self.path.open("rb") as f:
            good_end = len(f.readline())
            for lineno, raw in enumerate(f, start=2):
                if not raw.endswith(b"\n"):
                    break  # a killed run's partial line: dropped below, its rows are scored again
                try:
                    index = _index_of(raw)
                except ValueError as exc:
                    raise StoreError(f"{self.path}: line {lineno} is damaged ({exc}); use --restart") from None
                if index in done or index < last:
                    in_order = False
                done.add(index)
                last = max(last, index)
                good_end += len(raw)
        if good_end < self.path.stat().st_size:
            with self.path.open("r+b") as f:
                f.truncate(good_end)
        self.done = done
        self.max_done = last
        if not in_order:
            self._rewrite_sorted()

    def _rewrite_sorted(self) -> None:
        records: dict[int, str] = {}
        with self.path.open("r", encoding="utf-8") as f:
            f.readline()
            for line in f:
                records.setdefault(_index_of(line.encode()), line)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as out:
            out.write(json.dumps(self.header, ensure_ascii=False) + "\n")
            for i in sorted(records):
                out.write(records[i])
        os.replace(tmp, self.path)

    # -- writing -----------------------------------------------------------------------
    def is_done(self, index: int) -> bool:
        """True when row `index` is already in the file."""
        return index <= self.max_done and index in self.done

    def append(self, lines: list[str]) -> None:
        """Append whole stored lines and flush them to the operating system."""
        if self._file is None:
            raise StoreError("the score store is not open")
        if lines:
            self._file.write("".join(lines))
            self._file.flush()

    def close(self) -> None:
        """Flush to disk and close."""
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None

    def __enter__(self) -> ScoreStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------------
    def records(self) -> Iterator[dict[str, Any]]:
        """Every stored record in row order (the file is kept sorted)."""
        with self.path.open("r", encoding="utf-8") as f:
            f.readline()
            for line in f:
                yield json.loads(line)


def _index_of(raw: bytes) -> int:
    # Lines start with '{"i": N,' (record_line and error_line put it first); fall back to a full parse.
    if raw.startswith(b'{"i": '):
        end = raw.find(b",", 6)
        if end > 6:
            try:
                return int(raw[6:end])
            except ValueError:
                pass
    data = json.loads(raw)
    if not isinstance(data, dict) or not isinstance(data.get("i"), int):
        raise ValueError("no row index")
    return data["i"]
