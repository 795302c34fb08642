"""Reading input rows for scoring: JSONL lines, with malformed lines kept as error rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any


class MalformedRow(ValueError):
    """An input line that is not a usable row; names the line."""

    def __init__(self, lineno: int, problem: str):
        super().__init__(f"line {lineno}: {problem}")
        self.lineno = lineno
        self.problem = problem

    def __reduce__(self):
        return (MalformedRow, (self.lineno, self.problem))


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


def parse_line(lineno: int, raw: str, fields: Fields) -> dict[str, Any]:
    """A row dict from one JSONL line; raises MalformedRow naming the line and the problem."""
    try:
        row = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise MalformedRow(lineno, f"invalid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise MalformedRow(lineno, "JSON nested too deeply") from None
    if not isinstance(row, dict):
        raise MalformedRow(lineno, f"expected a JSON object, got {type(row).__name__}")
    if fields.completion not in row and fields.messages not in row:
        raise MalformedRow(lineno, f"no '{fields.completion}' or '{fields.messages}' field")
    value = row.get(fields.completion, row.get(fields.messages))
    if not isinstance(value, (str, list)):
        raise MalformedRow(
            lineno, f"field '{fields.completion}' must be a string or a list of messages, not {type(value).__name__}"
        )
    return row


def iter_lines(stream: IO[str], start_line: int = 1) -> Iterator[tuple[int, str]]:
    """(line number, text) for every non-blank line."""
    for lineno, raw in enumerate(stream, start=start_line):
        if raw.strip():
            yield lineno, raw


def count_lines(path: Path) -> int | None:
    """The number of newline-terminated lines in a file (None for a non-regular file)."""
    if not path.is_file():
        return None
    n = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            n += chunk.count(b"\n")
    return n
