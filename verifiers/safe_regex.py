"""Compile untrusted regular expressions (gold answers, spec parameters, rule packs) within limits.

The `regex` module unrolls counted repeats when it compiles: `((((a{100}){100}){100}){100})` is 29
characters and asks for 10^8 compiled items (tens of gigabytes), and no match timeout covers that.
Before compiling, the pattern is parsed with `regex`'s own parser (cheap, pure Python) and the items
that compiling would produce are counted, repeats multiplied out; a pattern over the limits is refused
with a clear message and never reaches the compiler.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import regex

MAX_PATTERN_CHARS = 10_000
# The longest a single search may be allowed to run, in seconds (a time limit above it is refused).
MAX_MATCH_TIMEOUT = 5.0
# Items the compiled pattern may hold once counted repeats are unrolled (each costs a few hundred bytes).
MAX_EXPANSION = 50_000
# Patterns this small stay in `regex`'s own cache; bigger ones are compiled afresh each time.
CACHE_EXPANSION = 1_000

_COUNTED = re.compile(r"\{\s*(\d*)\s*(?:,\s*(\d*)\s*)?\}")


class RegexTooCostly(ValueError):
    """A pattern that would take too much memory or time to compile."""


def expansion(pattern: str, flags: int = 0) -> int:
    """How many items compiling `pattern` would produce, counted repeats multiplied out (an upper bound)."""
    return _expansion(pattern, flags)


@lru_cache(maxsize=4096)
def _expansion(pattern: str, flags: int) -> int:
    try:
        tree = _parse(pattern, flags)
    except RecursionError:
        raise RegexTooCostly("the pattern is nested too deeply") from None
    except Exception:  # noqa: BLE001 - a syntax error (the compiler names it) or a parser we do not know
        return _product_of_counts(pattern)
    return _count(tree)


def check_pattern(pattern: str, flags: int = 0, what: str = "regex") -> None:
    """Raise RegexTooCostly when the pattern is longer or expands further than the limits allow."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise RegexTooCostly(f"{what} is {len(pattern):,} characters long; the limit is {MAX_PATTERN_CHARS:,}")
    units = expansion(pattern, flags)
    if units > MAX_EXPANSION:
        raise RegexTooCostly(
            f"{what} {_clip(pattern)!r} would compile to about {units:,} items once its counted repeats are "
            f"unrolled; the limit is {MAX_EXPANSION:,} (use smaller counts, or * and + instead of large {{n}})"
        )


def compile_pattern(pattern: str, flags: int = 0, what: str = "regex") -> regex.Pattern:
    """`regex.compile` within the limits; every failure is a ValueError that says what is wrong."""
    import regex

    check_pattern(pattern, flags, what)
    try:
        return regex.compile(pattern, flags, cache_pattern=expansion(pattern, flags) <= CACHE_EXPANSION)
    except regex.error as exc:
        raise ValueError(f"invalid {what} {_clip(pattern)!r}: {exc}") from None
    except MemoryError:
        raise RegexTooCostly(f"{what} {_clip(pattern)!r} ran out of memory while compiling") from None
    except (RecursionError, OverflowError) as exc:
        raise RegexTooCostly(f"{what} {_clip(pattern)!r} cannot be compiled: {type(exc).__name__}") from None


def _parse(pattern: str, flags: int) -> Any:
    """The parsed tree of a pattern, the way `regex.compile` parses it before compiling."""
    from regex import _regex_core as core

    global_flags = flags
    for _ in range(8):  # an inline global flag restarts the parse with that flag set
        source = core.Source(pattern)
        info = core.Info(global_flags, source.char_type, {})
        info.guess_encoding = core.UNICODE
        source.ignore_space = bool(info.flags & core.VERBOSE)
        try:
            return core._parse_pattern(source, info)
        except core._UnscopedFlagSet:
            global_flags = info.global_flags
    raise ValueError("the pattern's inline flags did not settle")


def _count(node: Any) -> int:
    """Items in a parsed node: a repeat multiplies its body, a set of characters is one item."""
    from regex import _regex_core as core

    if isinstance(node, core.SetBase):
        return 1
    children = 0
    for value in vars(node).values():
        if isinstance(value, core.RegexBase):
            children += _count(value)
        elif isinstance(value, (list, tuple)):
            children += sum(_count(v) for v in value if isinstance(v, core.RegexBase))
    if hasattr(node, "min_count") and hasattr(node, "max_count"):
        times = node.max_count if node.max_count is not None else max(node.min_count, 1)
        return max(children, 1) * max(times, 1)
    return max(children, 1)


def _product_of_counts(pattern: str) -> int:
    """An upper bound without a parser: every counted repeat multiplies with every other."""
    total = max(len(pattern), 1)
    for m in _COUNTED.finditer(pattern):
        total *= max(int(m.group(1) or 0), int(m.group(2) or 0), 1)
        if total > MAX_EXPANSION:
            break
    return total


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."
