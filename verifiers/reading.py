"""Reading rows: JSONL, CSV, Parquet or a `datasets` folder, row by row, with one error type naming where.

`aha score`, `aha eval` and the trainer's data loading all read through this module, so they agree on
what a row is: JSONL is read as bytes (lines end at b"\\n" only, a bare \\r is part of a line), a line
that is not UTF-8 or not a JSON object is a bad row naming its line, and a bad row is never dropped.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

FORMATS = ("jsonl", "parquet", "csv", "datasets")
_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".tsv": "csv",
}
_BATCH = 4096


class ReadError(ValueError):
    """Data that cannot be read or used; the message names the file, the line or row, and the field it knows.

    `ReadError("invalid JSON", path="d.jsonl", line=3)` reads "d.jsonl:3: invalid JSON", without the path
    "line 3: invalid JSON"; `row=` reads "d.parquet: row 3: ..."; `field=` adds "field 'x': " unless the
    problem names the field; a message without location parts is kept as written.
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        row: int | None = None,
        field: str | None = None,
    ):
        self.problem = problem
        self.path = None if path is None else str(path)
        self.line = line
        self.row = row
        self.field = field
        place = self.where
        if self.path is not None:
            place = f"{self.path}:{line}" if line is not None else ": ".join(p for p in (self.path, place) if p)
        named = field is None or f"'{field}'" in problem  # a problem that names its field already is not prefixed
        parts = [place, None if named else f"field '{field}'", problem]
        super().__init__(": ".join(p for p in parts if p))

    @property
    def where(self) -> str | None:
        """'line N' or 'row N' (1-based), when known."""
        if self.line is not None:
            return f"line {self.line}"
        if self.row is not None:
            return f"row {self.row}"
        return None

    @property
    def lineno(self) -> int | None:
        """The line number (the name the JSONL line reader has always used)."""
        return self.line

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.problem, self.path, self.line, self.row, self.field))


def _rebuild(problem: str, path: str | None, line: int | None, row: int | None, field: str | None) -> ReadError:
    return ReadError(problem, path=path, line=line, row=row, field=field)


@dataclass(slots=True)
class InputRow:
    """One input row: its 0-based index, where it is in the file, and the row or why it could not be read."""

    index: int
    where: str
    row: dict[str, Any] | None
    problem: str | None = None
    line: int | None = None


# -- one JSONL line ------------------------------------------------------------------------
def _null_constant(name: str) -> None:
    return None


# NaN, Infinity and -Infinity are not JSON; when a file holds them they are read as null (a missing value).
_DECODER = json.JSONDecoder(parse_constant=_null_constant)
# The decoder's scanner, called directly on the common well-formed line (decode() wraps it in Python code).
_SCAN = _DECODER.scan_once


def load_json_line(lineno: int, raw: bytes | str) -> dict[str, Any]:
    """The JSON object on one input line (UTF-8 bytes or text); raises ReadError naming the line."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ReadError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})", line=lineno) from None
    text = raw.strip()
    try:
        row, end = _SCAN(text, 0)
        if end == len(text) and type(row) is dict:
            return row
    except (StopIteration, ValueError, RecursionError):
        pass  # decode() below names the problem
    try:
        row = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise ReadError(f"invalid JSON ({exc.msg} at column {exc.colno})", line=lineno) from None
    except RecursionError:
        raise ReadError("JSON nested too deeply", line=lineno) from None
    if not isinstance(row, dict):
        raise ReadError(f"expected a JSON object, got {type(row).__name__}", line=lineno)
    return row


def columns_seen(rows: Iterable[dict[str, Any] | None]) -> tuple[set[str], int]:
    """The column names of the readable rows (None: an unreadable row), and how many rows were readable."""
    seen: set[str] = set()
    readable = 0
    for row in rows:
        if row is not None:
            seen.update(row)
            readable += 1
    return seen, readable


# -- formats -------------------------------------------------------------------------------
def detect_format(path: str | Path, fmt: str | None = None) -> str:
    """The input format: `fmt` when given, else from the suffix, or `datasets` for a folder."""
    path = Path(path)
    if fmt and fmt != "auto":
        if fmt not in FORMATS:
            raise ReadError(f"unknown input format {fmt!r} (choose from {', '.join(FORMATS)})")
        return fmt
    if not path.exists():
        raise ReadError(f"input not found: {path}")
    if path.is_dir():
        return "datasets"
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise ReadError(f"cannot tell the format of {path} from its suffix; pass --format ({', '.join(FORMATS)})")
    return found


def iter_rows(path: str | Path, fmt: str, split: str | None = None, start: int = 0) -> Iterator[InputRow]:
    """Every row of the input in order from index `start`; unreadable rows come with `problem` set, never dropped.

    Rows before `start` are skipped without being parsed where the format allows (JSONL, Parquet, datasets).
    """
    path = Path(path)
    if not path.exists():
        raise ReadError(f"input not found: {path}")
    if fmt == "jsonl":
        return _iter_jsonl(path, start)
    if fmt == "csv":
        return _iter_csv(path, start)
    if fmt == "parquet":
        return _iter_parquet(path, start)
    if fmt == "datasets":
        return iter_dataset_rows(load_dataset(path, split), start)
    raise ReadError(f"unknown input format {fmt!r}")


def count_rows(path: str | Path, fmt: str, split: str | None = None) -> int:
    """The number of rows `iter_rows` will yield (a quick pass for JSONL and CSV)."""
    path = Path(path)
    if fmt == "jsonl":
        with path.open("rb") as f:
            return sum(1 for _ in iter_lines(f))
    if fmt == "csv":
        return sum(1 for _ in _iter_csv(path))
    if fmt == "parquet":
        return _parquet_file(path).metadata.num_rows
    if fmt == "datasets":
        return len(load_dataset(path, split))
    raise ReadError(f"unknown input format {fmt!r}")


def fingerprint(path: str | Path) -> dict[str, Any]:
    """Size and a digest of the head and tail of every input file, to tell whether a resumed run reads the same data."""
    import hashlib

    path = Path(path).resolve()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    digest = hashlib.blake2b(digest_size=16)
    size = 0
    for p in files:
        n = p.stat().st_size
        size += n
        digest.update(f"{p.relative_to(path) if path.is_dir() else p.name}:{n}".encode())
        with p.open("rb") as f:
            digest.update(f.read(1 << 20))
            if n > 2 << 20:
                f.seek(n - (1 << 20))
                digest.update(f.read(1 << 20))
    return {"path": str(path), "size": size, "digest": digest.hexdigest()}


# -- JSONL ---------------------------------------------------------------------------------
def iter_lines(stream: IO[bytes] | IO[str], start_line: int = 1) -> Iterator[tuple[int, bytes | str]]:
    """(line number, line) for every non-blank line (read a binary stream: lines end at b"\\n" only)."""
    for lineno, raw in enumerate(stream, start=start_line):
        if raw.strip():
            yield lineno, raw


def _iter_jsonl(path: Path, start: int = 0) -> Iterator[InputRow]:
    index = 0
    with path.open("rb") as f:
        for lineno, raw in iter_lines(f):
            if index < start:
                index += 1
                continue
            where = f"line {lineno}"
            try:
                yield InputRow(index, where, load_json_line(lineno, raw), None, lineno)
            except ReadError as exc:
                yield InputRow(index, where, None, str(exc), lineno)
            index += 1


# -- CSV -----------------------------------------------------------------------------------
def _iter_csv(path: Path, start: int = 0) -> Iterator[InputRow]:
    import csv

    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with path.open("r", encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        last_line = 0
        try:
            header = next(reader, None)
            if header is None:
                return
            if len(set(header)) != len(header):
                dupes = sorted({h for h in header if header.count(h) > 1})
                raise ReadError(f"repeated column name(s) in the header: {', '.join(dupes)}", path=path, line=1)
            last_line = reader.line_num
            index = 0
            for record in reader:
                lineno = last_line + 1
                where = f"line {lineno}"
                last_line = reader.line_num
                if not record:
                    continue
                if index < start:
                    index += 1
                    continue
                if len(record) != len(header):
                    problem = f"{where}: expected {len(header)} fields (as in the header), found {len(record)}"
                    yield InputRow(index, where, None, problem, lineno)
                else:
                    yield InputRow(index, where, dict(zip(header, record)), None, lineno)
                index += 1
        except UnicodeDecodeError as exc:
            raise ReadError(f"not valid UTF-8 ({exc.reason})", path=path, line=last_line + 1) from None
        except csv.Error as exc:
            raise ReadError(f"unreadable CSV ({exc})", path=path, line=last_line + 1) from None


# -- Parquet -------------------------------------------------------------------------------
def _parquet_file(path: Path) -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ReadError(f"reading Parquet needs pyarrow (pip install 'aha[data]') ({exc})", path=path) from None
    try:
        return pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a bad file
        raise ReadError(f"not a readable Parquet file ({type(exc).__name__}: {exc})", path=path) from None


def _iter_parquet(path: Path, start: int = 0) -> Iterator[InputRow]:
    pf = _parquet_file(path)
    index = 0
    try:
        for batch in pf.iter_batches(batch_size=_BATCH):
            if index + batch.num_rows <= start:
                index += batch.num_rows
                continue
            if index < start:
                batch = batch.slice(start - index)
                index = start
            for row in batch.to_pylist():
                yield InputRow(index, f"row {index + 1}", row)
                index += 1
    except OSError as exc:
        raise ReadError(f"Parquet data unreadable after row {index} ({exc})", path=path) from None


# -- datasets folder -----------------------------------------------------------------------
def load_dataset(path: str | Path, split: str | None, single_ok: bool = False, hint: str = "") -> Any:
    """The `datasets.Dataset` saved in a folder; `split` picks one of a DatasetDict's splits.

    A folder holding a single dataset ignores `split` with `single_ok` (the trainer always names
    one), else naming a split of it is an error. `hint` ends the message of a missing split.
    """
    path = Path(path)
    try:
        import datasets
    except ImportError as exc:
        raise ReadError(f"reading a datasets folder needs the `datasets` package ({exc})") from None
    try:
        ds = datasets.load_from_disk(str(path))
    except (FileNotFoundError, ValueError, OSError) as exc:
        raise ReadError(f"not a folder saved with datasets' save_to_disk ({exc})", path=path) from None
    if isinstance(ds, datasets.DatasetDict):
        splits = list(ds)
        if split is None:
            if len(splits) != 1:
                raise ReadError(f"{path} holds splits {', '.join(splits)}; choose one with --split")
            split = splits[0]
        if split not in ds:
            raise ReadError(f"{path} has no split {split!r} (splits: {', '.join(splits)}){hint}")
        return ds[split]
    if split is not None and not single_ok:
        raise ReadError(f"{path} is a single dataset without splits; drop --split")
    return ds


def iter_dataset_rows(ds: Any, start: int = 0) -> Iterator[InputRow]:
    """The rows of a loaded `datasets.Dataset` from index `start`."""
    index = min(start, len(ds))
    if index:
        ds = ds.select(range(index, len(ds)))
    for batch in ds.iter(batch_size=_BATCH):
        columns = list(batch)
        for values in zip(*(batch[c] for c in columns)):
            yield InputRow(index, f"row {index + 1}", dict(zip(columns, values)))
            index += 1
