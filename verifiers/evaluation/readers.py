"""Reading evaluation input: the shared reader of `verifiers.reading` under the names `aha eval` has used."""

from __future__ import annotations

from ..reading import FORMATS, InputRow, ReadError, count_rows, detect_format, fingerprint, iter_rows

# `aha eval`'s name for the reader's one error type.
InputError = ReadError

__all__ = ["FORMATS", "InputError", "InputRow", "count_rows", "detect_format", "fingerprint", "iter_rows"]
