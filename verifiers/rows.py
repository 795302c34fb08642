"""JSONL rows for scoring: a line's row and sample, and output rows written as standard UTF-8 JSON."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .reading import ReadError, load_json_line
from .sample import Sample

# The error of an unreadable input line is the reader's one error type (its old name, kept for callers).
MalformedRow = ReadError


@dataclass(frozen=True)
class Fields:
    """Which input columns hold the completion, messages, gold answer and prompt."""

    completion: str = "completion"
    messages: str = "messages"
    answer: str = "answer"
    prompt: str = "prompt"

    def to_dict(self) -> dict[str, str]:
        """The field names as a dict."""
        return asdict(self)


# One encoder for every output row: json.dumps with non-default options builds a new one per call.
_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


def _c_encoder() -> Any:
    """The C encoder that `_ENCODE` builds on each call, built once (None where the C module is missing)."""
    from json.encoder import c_encode_basestring, c_make_encoder

    if c_make_encoder is None or c_encode_basestring is None:
        return None
    try:
        # No circular check (a row read from JSON has no cycles; a cyclic value falls back to json_line).
        return c_make_encoder(None, None, c_encode_basestring, None, ": ", ", ", False, False, False)
    except TypeError:  # another signature in some Python version: keep the plain encoder
        return None


_C_ENCODE = _c_encoder()


def row_sample(row: dict[str, Any], fields: Fields) -> Sample:
    """The Sample of a row; raises ReadError (a ValueError) naming the field when the row has no usable completion."""
    if fields.completion in row:
        name = fields.completion
    elif fields.messages in row:
        name = fields.messages
    else:
        raise ReadError(f"row has no '{fields.completion}' or '{fields.messages}' field", field=fields.completion)
    value = row[name]
    if value is None:
        raise ReadError(f"field '{name}' is null", field=name)
    if not isinstance(value, (str, list, dict)):
        raise ReadError(
            f"field '{name}' must be a string, a message or a list of messages, not {type(value).__name__}", field=name
        )
    used = (fields.completion, fields.messages, fields.answer, fields.prompt)
    if name == fields.messages:
        value = _transcript_value(value)
        if isinstance(value, list):
            try:
                return Sample.from_transcript(
                    value,
                    row.get(fields.prompt),
                    row.get(fields.answer),
                    {k: v for k, v in row.items() if k not in used},
                )
            except ValueError as exc:
                raise ReadError(f"field '{name}': {exc}", field=name) from None
    return Sample(
        value,
        row.get(fields.prompt),
        row.get(fields.answer),
        {k: v for k, v in row.items() if k not in used},
    )


def _transcript_value(value: Any) -> Any:
    """A messages column as a list: a CSV cell holds the transcript as JSON text; other text is kept as it is."""
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        if isinstance(parsed, list) and parsed and all(isinstance(m, dict) for m in parsed):
            return parsed
    return value


def parse_line(lineno: int, raw: bytes | str, fields: Fields) -> tuple[dict[str, Any], Sample]:
    """The row and its Sample from one JSONL line; raises ReadError naming the line, the field and the problem.

    `aha score` and `aha eval` both read lines through this function, so they agree on what a row is.
    """
    row = load_json_line(lineno, raw)
    try:
        return row, row_sample(row, fields)
    except ReadError as exc:
        raise ReadError(exc.problem, line=lineno, field=exc.field) from None


def _finite(value: Any) -> Any:
    """`value` with every NaN or infinite float replaced by None, in nested lists and dicts too."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def json_line(data: Any) -> str:
    """Standard JSON text that always encodes to UTF-8.

    NaN and infinite floats become null; a lone surrogate (from a `\\ud800` escape in the input)
    is written escaped; values JSON cannot hold are written as their repr.
    """
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        data = _finite(data)
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, default=repr)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = json.dumps(data, ensure_ascii=True, allow_nan=False, default=repr)
    return text


def json_bytes(data: Any) -> bytes:
    """`json_line(data)` encoded as UTF-8 (without a newline)."""
    try:
        return json_text_fast(data).encode("utf-8")
    except UnicodeEncodeError:
        return json_line(data).encode("utf-8")


def json_text_fast(data: Any) -> str:
    """The text of `json_line(data)`, except that a lone surrogate may be left in it (it then fails to encode).

    For plain data this is the text of `json.dumps(data, ensure_ascii=False)`, made by the C encoder
    without the per-call set-up of `json.dumps`; encode it with a fallback to `json_line`.
    """
    try:
        if _C_ENCODE is not None:
            return "".join(_C_ENCODE(data, 0))
        return _ENCODE(data)
    except (TypeError, ValueError, RecursionError):
        return json_line(data)


def raw_text(raw: bytes | str) -> str:
    """An input line as text for an error row: invalid UTF-8 bytes shown as escapes, line end removed."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="backslashreplace")
    if not raw.isascii():
        raw = raw.encode("utf-8", errors="backslashreplace").decode("utf-8")
    return raw.rstrip("\r\n")


def count_lines(path: Path) -> int | None:
    """The number of newline-terminated lines in a file (None for a non-regular file)."""
    if not path.is_file():
        return None
    n = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            n += chunk.count(b"\n")
    return n
