"""Errors raised while loading or running rule packs."""

from __future__ import annotations


class RulePackError(ValueError):
    """A rule pack that cannot be loaded: the file, the line and the problem."""

    def __init__(self, source: str, line: int | None, problem: str, column: int | None = None):
        self.source = source
        self.line = line
        self.column = column
        self.problem = problem
        where = source
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {problem}")


class SchemaError(ValueError):
    """A problem at a key path inside a parsed rule table (turned into a RulePackError with a line)."""

    def __init__(self, path: tuple, problem: str):
        self.path = tuple(path)
        self.problem = problem
        super().__init__(problem)


class RuleTimeout(RuntimeError):
    """A rule's regular expression ran past its time limit."""
