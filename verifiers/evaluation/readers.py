"""Reading evaluation input: JSONL, Parquet, CSV or a `datasets` folder, row by row, naming bad rows."""

from __future__ import annotations

import csv
import hashlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..rows import MalformedRow, load_json_line

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


class InputError(ValueError):
    """An input file (or one of its rows) that cannot be read; the message names the file and line or row."""


@dataclass(slots=True)
class InputRow:
    """One input row: its 0-based index, where it is in the file, and the row or why it could not be read."""

    index: int
    where: str
    row: dict[str, Any] | None
    problem: str | None = None


def detect_format(path: str | Path, fmt: str | None = None) -> str:
    """The input format: `fmt` when given, else from the suffix, or `datasets` for a folder."""
    path = Path(path)
    if fmt and fmt != "auto":
        if fmt not in FORMATS:
            raise InputError(f"unknown input format {fmt!r} (choose from {', '.join(FORMATS)})")
        return fmt
    if not path.exists():
        raise InputError(f"input not found: {path}")
    if path.is_dir():
        return "datasets"
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise InputError(f"cannot tell the format of {path} from its suffix; pass --format ({', '.join(FORMATS)})")
    return found


def iter_rows(path: str | Path, fmt: str, split: str | None = None, start: int = 0) -> Iterator[InputRow]:
    """Every row of the input in order from index `start`; unreadable rows come with `problem` set, never dropped.

    Rows before `start` are skipped without being parsed where the format allows (JSONL, Parquet, datasets).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"input not found: {path}")
    if fmt == "jsonl":
        return _iter_jsonl(path, start)
    if fmt == "csv":
        return _iter_csv(path, start)
    if fmt == "parquet":
        return _iter_parquet(path, start)
    if fmt == "datasets":
        return _iter_datasets(path, split, start)
    raise InputError(f"unknown input format {fmt!r}")


def count_rows(path: str | Path, fmt: str, split: str | None = None) -> int:
    """The number of rows `iter_rows` will yield (a quick pass for JSONL and CSV)."""
    path = Path(path)
    if fmt == "jsonl":
        n = 0
        with path.open("rb") as f:
            for raw in f:
                if raw.strip():
                    n += 1
        return n
    if fmt == "csv":
        return sum(1 for _ in _iter_csv(path))
    if fmt == "parquet":
        return _parquet_file(path).metadata.num_rows
    if fmt == "datasets":
        return len(_load_dataset(path, split))
    raise InputError(f"unknown input format {fmt!r}")


def fingerprint(path: str | Path) -> dict[str, Any]:
    """Size and a digest of the head and tail of every input file, to tell whether a resumed run reads the same data."""
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


# -- JSONL -----------------------------------------------------------------------------
def _iter_jsonl(path: Path, start: int = 0) -> Iterator[InputRow]:
    index = 0
    with path.open("rb") as f:
        for lineno, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            if index < start:
                index += 1
                continue
            where = f"line {lineno}"
            try:
                yield InputRow(index, where, load_json_line(lineno, raw))
            except MalformedRow as exc:
                yield InputRow(index, where, None, str(exc))
            index += 1


# -- CSV -------------------------------------------------------------------------------
def _iter_csv(path: Path, start: int = 0) -> Iterator[InputRow]:
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
                raise InputError(f"{path}: line 1: repeated column name(s) in the header: {', '.join(dupes)}")
            last_line = reader.line_num
            index = 0
            for record in reader:
                where = f"line {last_line + 1}"
                last_line = reader.line_num
                if not record:
                    continue
                if index < start:
                    index += 1
                    continue
                if len(record) != len(header):
                    problem = f"{where}: expected {len(header)} fields (as in the header), found {len(record)}"
                    yield InputRow(index, where, None, problem)
                else:
                    yield InputRow(index, where, dict(zip(header, record)))
                index += 1
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: line {last_line + 1}: not valid UTF-8 ({exc.reason})") from None
        except csv.Error as exc:
            raise InputError(f"{path}: line {last_line + 1}: unreadable CSV ({exc})") from None


# -- Parquet ---------------------------------------------------------------------------
def _parquet_file(path: Path):
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a bad file
        raise InputError(f"{path}: not a readable Parquet file ({type(exc).__name__}: {exc})") from None


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
        raise InputError(f"{path}: Parquet data unreadable after row {index} ({exc})") from None


# -- datasets folder -------------------------------------------------------------------
def _load_dataset(path: Path, split: str | None):
    try:
        import datasets
    except ImportError as exc:
        raise InputError(f"reading a datasets folder needs the `datasets` package ({exc})") from None
    try:
        ds = datasets.load_from_disk(str(path))
    except (FileNotFoundError, ValueError, OSError) as exc:
        raise InputError(f"{path}: not a folder saved with datasets' save_to_disk ({exc})") from None
    if isinstance(ds, datasets.DatasetDict):
        splits = list(ds)
        if split is None:
            if len(splits) != 1:
                raise InputError(f"{path} holds splits {', '.join(splits)}; choose one with --split")
            split = splits[0]
        if split not in ds:
            raise InputError(f"{path} has no split {split!r} (splits: {', '.join(splits)})")
        return ds[split]
    if split is not None:
        raise InputError(f"{path} is a single dataset without splits; drop --split")
    return ds


def _iter_datasets(path: Path, split: str | None, start: int = 0) -> Iterator[InputRow]:
    ds = _load_dataset(path, split)
    index = min(start, len(ds))
    if index:
        ds = ds.select(range(index, len(ds)))
    for batch in ds.iter(batch_size=_BATCH):
        columns = list(batch)
        for values in zip(*(batch[c] for c in columns)):
            yield InputRow(index, f"row {index + 1}", dict(zip(columns, values)))
            index += 1
