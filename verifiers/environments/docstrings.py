"""A docstring's summary and per-argument descriptions (Google `Args:` or NumPy `Parameters` sections)."""

from __future__ import annotations

import inspect
import re

# Section headings that end an argument section (Google style ends with a colon, NumPy is underlined).
_SECTION = re.compile(
    r"^(args|arguments|parameters|params|returns?|yields?|raises?|examples?|notes?|see also|attributes)\s*:?\s*$",
    re.IGNORECASE,
)
_ARG_SECTIONS = {"args", "arguments", "parameters", "params"}
# `name (type): text` or `name: text` (Google); `name : type` (NumPy, text on the next lines).
_GOOGLE_ARG = re.compile(r"^\*{0,2}(\w+)(?:\s*\([^)]*\))?:(?:\s+(.*))?$")
_NUMPY_ARG = re.compile(r"^\*{0,2}(\w+)(?:\s+:.*)?$")


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """The summary (first paragraph, one line) and a description for each documented argument."""
    lines = inspect.cleandoc(doc or "").splitlines()
    summary: list[str] = []
    i = 0
    while i < len(lines) and lines[i].strip() and not _is_heading(lines, i):
        summary.append(lines[i].strip())
        i += 1
    args: dict[str, str] = {}
    while i < len(lines):
        heading = _is_heading(lines, i)
        if heading is None:
            i += 1
            continue
        i += 2 if _underlined(lines, i) else 1
        if heading not in _ARG_SECTIONS:
            continue
        i = _read_args(lines, i, args)
    return " ".join(summary), args


def _underlined(lines: list[str], i: int) -> bool:
    return i + 1 < len(lines) and bool(re.fullmatch(r"\s*-{3,}\s*", lines[i + 1]))


def _is_heading(lines: list[str], i: int) -> str | None:
    """The lower-case section name when line i starts a section, else None."""
    text = lines[i].strip()
    m = _SECTION.match(text)
    if m is None or not (text.endswith(":") or _underlined(lines, i)):
        return None
    return m.group(1).lower()


def _read_args(lines: list[str], i: int, args: dict[str, str]) -> int:
    """Read one argument section into `args`; returns the index of the line after it."""
    base: int | None = None
    current: str | None = None
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if _is_heading(lines, i) is not None:
            break
        indent = len(line) - len(line.lstrip())
        if base is None:
            base = indent
        if indent < base:
            break
        text = line.strip()
        m = (_GOOGLE_ARG.match(text) or _NUMPY_ARG.match(text)) if indent == base else None
        if m is not None:
            current = m.group(1)
            args[current] = (m.group(2) or "").strip() if m.re is _GOOGLE_ARG else ""
        elif current is not None:
            args[current] = f"{args[current]} {text}".strip()
        i += 1
    return i
