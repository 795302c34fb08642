"""Shared fixtures: the adversarial corpus, run once per session in parallel threads (each run is a process)."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from code_corpus import TASKS, entries  # noqa: E402

from verifiers.code_execution import CodeExecution  # noqa: E402


def _run_all(kind: str, timeout: float) -> dict:
    verifier = CodeExecution(timeout=timeout, total_timeout=6 * timeout)

    def one(entry):
        name, task, code = entry
        return name, verifier({"completion": f"```python\n{code}\n```", "tests": TASKS[task]})

    with ThreadPoolExecutor(4) as pool:
        return dict(pool.map(one, entries(kind)))


@pytest.fixture(scope="session")
def cheat_results() -> dict:
    """Result of every cheat in cheats/, by file name."""
    return _run_all("cheats", timeout=1.0)


@pytest.fixture(scope="session")
def honest_results() -> dict:
    """Result of every honest solution in honest/, by file name."""
    return _run_all("honest", timeout=5.0)  # generous: a busy machine must not fail them
