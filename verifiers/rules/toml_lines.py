"""Find the line of a table or key in TOML text, so schema errors can name it."""

from __future__ import annotations

import re

HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")


def _split_key(dotted: str) -> tuple[str, ...]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", dotted)
    return tuple(p.strip("\"'") for p in parts)


class TomlLines:
    """Line numbers (1-based) of the tables and keys of a TOML document.

    Paths are tuples: ("pack", "name"), ("rule", 2) for the third `[[rule]]`, ("rule", 2, "when", "patterns").
    Lines inside multi-line strings and multi-line arrays are not mistaken for keys.
    """

    def __init__(self, text: str):
        self.lines: dict[tuple, int] = {}
        self._arrays: dict[tuple, int] = {}
        current: tuple = ()
        in_string: str | None = None
        depth = 0
        for number, line in enumerate(text.splitlines(), start=1):
            if in_string is not None:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            if depth == 0:
                m = HEADER.match(line)
                if m and not KEY.match(line):
                    current = self._enter(_split_key(m.group(2)), m.group(1) == "[[", number)
                    continue
                m = KEY.match(line)
                if m:
                    self.lines.setdefault(current + _split_key(m.group(1)), number)
            in_string, depth = _scan(line, depth)

    def _enter(self, key: tuple[str, ...], is_array: bool, number: int) -> tuple:
        # a table inside an array of tables belongs to its latest element: [rule.when] -> ("rule", 2, "when")
        path: tuple = ()
        for i, part in enumerate(key):
            path = path + (part,)
            is_last = i == len(key) - 1
            if path in self._arrays and not (is_last and is_array):
                path = path + (self._arrays[path],)
        if is_array:
            index = self._arrays.get(path, -1) + 1
            self._arrays[path] = index
            path = path + (index,)
        self.lines.setdefault(path, number)
        return path

    def line_of(self, path: tuple) -> int | None:
        """The line of the path, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            for candidate in (path, path + (0,)):  # a name may be an array of tables: [[rules]]
                if candidate in self.lines:
                    return self.lines[candidate]
            path = path[:-1]
        return None


def _scan(line: str, depth: int) -> tuple[str | None, int]:
    """Track bracket depth and an opening multi-line string through one line."""
    i = 0
    n = len(line)
    while i < n:
        c = line[i]
        if c == "#":
            break
        if line.startswith('"""', i) or line.startswith("'''", i):
            quote = line[i : i + 3]
            end = line.find(quote, i + 3)
            if end < 0:
                return quote, depth
            i = end + 3
            continue
        if c in "\"'":
            end = i + 1
            while end < n and line[end] != c:
                end += 2 if (c == '"' and line[end] == "\\") else 1
            i = end + 1
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth = max(0, depth - 1)
        i += 1
    return None, depth
