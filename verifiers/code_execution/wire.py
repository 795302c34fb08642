"""Decoding the harness's plain-data values: only builtin types come out, so no object can fake a comparison."""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 64


class WireError(ValueError):
    """A value on the result channel is not well-formed plain data."""


def decode(node: Any, depth: int = 0) -> Any:
    """Rebuild a value from the harness's tagged form; raises WireError on anything malformed."""
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    if not isinstance(node, list) or not node or not isinstance(node[0], str):
        raise WireError("malformed value")
    tag, rest = node[0], node[1:]
    try:
        if tag == "n":
            return None
        if tag == "B":
            return _typed(rest[0], bool)
        if tag == "i":
            text = _typed(rest[0], str)
            if len(text) > 5000:
                raise WireError("integer too long")
            return int(text)
        if tag == "f":
            return float(_typed(rest[0], str))
        if tag == "c":
            real, imag = _typed(rest[0], list)
            return complex(float(_typed(real, str)), float(_typed(imag, str)))
        if tag == "s":
            return _typed(rest[0], str)
        if tag == "b":
            return bytes.fromhex(_typed(rest[0], str))
        if tag in ("t", "l", "S", "F"):
            items = [decode(v, depth + 1) for v in _typed(rest[0], list)]
            return {"t": tuple, "l": list, "S": set, "F": frozenset}[tag](items)
        if tag == "d":
            return {decode(k, depth + 1): decode(v, depth + 1) for k, v in _typed(rest[0], list)}
    except WireError:
        raise
    except (IndexError, TypeError, ValueError) as exc:
        raise WireError(f"malformed value: {exc}") from None
    raise WireError(f"unknown value tag {tag!r}")


def _typed(value: Any, kind: type) -> Any:
    if type(value) is not kind:
        raise WireError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value
