"""The adversarial corpus: tasks, and the cheat and honest solutions stored as files next to this one."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent

# Expected values differ per test, so no constant answer passes more than one test of a task.
TASKS = {
    "add": [
        "assert add(1, 2) == 3",
        "assert add(10, 5) == 15",
        "assert add(-4, 9) == 5",
    ],
    "sort": [
        "assert sort_list([3, 1, 2]) == [1, 2, 3]",
        "assert sort_list([2, 2, 1]) == [1, 2, 2]",
        "assert sort_list([5, -1]) == [-1, 5]",
    ],
    "fib": [
        "assert fib(0) == 0",
        "assert fib(10) == 55",
        "assert fib(20) == 6765",
    ],
    "root": [
        "assert abs(root(2) - 1.41421356) < 1e-6",
        "import math\nassert math.isclose(root(9), 3.0)",
        "assert round(root(20.25), 2) == 4.5",
    ],
    "double_io": [
        {"input": "3\n", "output": "6\n"},
        {"input": "21\n", "output": "42\n"},
        {"input": "-5\n", "output": "-10\n"},
    ],
    "words_io": [
        {"input": "b a c\n", "output": "a\nb\nc\n"},
        {"input": "zeta alpha\n", "output": "alpha\nzeta\n"},
    ],
}


def entries(kind: str) -> list[tuple[str, str, str]]:
    """(name, task, code) for each file of `kind` ("cheats" or "honest"); the first line names the task."""
    out = []
    for path in sorted((HERE / kind).glob("*.py")):
        code = path.read_text()
        first = code.splitlines()[0]
        if not first.startswith("# task: "):
            raise ValueError(f"{path.name}: the first line must be '# task: NAME'")
        out.append((path.stem, first.removeprefix("# task: ").strip(), code))
    return out
