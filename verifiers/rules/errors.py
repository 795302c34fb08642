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

    def __init__(self, path: tuple, problem: str, rule: str | None = None):
        self.path = tuple(path)
        self.problem = problem
        self.rule = rule  # the id of the rule it happened in, once known
        super().__init__(problem)

    def described(self) -> str:
        """The problem, led by the rule's id when it is known."""
        return f"rule '{self.rule}': {self.problem}" if self.rule else self.problem


class RuleTimeout(RuntimeError):
    """A rule's regular expression ran past its time limit."""
