"""The `code_execution` verifier: run the completion's Python against the sample's tests in a sandbox."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from ..base import Verifier
from ..result import Result
from ..sample import Sample
from . import sandbox
from .checks import AssertTest, IOTest, SpecError, parse_tests
from .extract import CODE_FROM, extract_code
from .limits import Limits
from .wire import WireError, decode


class CodeExecution(Verifier):
    """Runs the completion's Python against the sample's tests in a sandbox; score = share of tests passed.

    Tests come from `sample.metadata[tests_field]` (else `sample.answer`): assert statements (a list, or one
    source with one test per top-level assert) or stdin/stdout pairs (`{"input", "output"}` or 2-item lists).
    Parameters: `code_from` ("block": the last ```python block, "auto": that or the whole completion,
    "completion"), `stdlib_only`, `all_or_nothing`, `tests_field`, and the limits: `timeout` (wall seconds
    per test), `total_timeout`, `cpu_seconds`, `memory_mb`, `file_mb`, `processes`.
    """

    name = "code_execution"

    def __init__(
        self,
        code_from: str = "block",
        stdlib_only: bool = True,
        all_or_nothing: bool = False,
        tests_field: str = "tests",
        timeout: float = 5.0,
        total_timeout: float = 60.0,
        cpu_seconds: int | None = None,
        memory_mb: int = 512,
        file_mb: int = 16,
        processes: int = 16,
    ):
        if code_from not in CODE_FROM:
            raise ValueError(f"code_from must be one of {', '.join(CODE_FROM)}, not {code_from!r}")
        self.code_from = code_from
        self.stdlib_only = bool(stdlib_only)
        self.all_or_nothing = bool(all_or_nothing)
        self.tests_field = tests_field
        self.limits = Limits(
            timeout=timeout,
            total_timeout=total_timeout,
            cpu_seconds=cpu_seconds,
            memory_mb=memory_mb,
            file_mb=file_mb,
            processes=processes,
        )

    def params(self) -> dict[str, Any]:
        """The verifier's settings."""
        return {"code_from": self.code_from, "stdlib_only": self.stdlib_only, "all_or_nothing": self.all_or_nothing}

    def check(self, sample: Sample) -> Result:
        """Extract the code, run every test in the sandbox, score the tests the parent judged passed."""
        raw = sample.metadata.get(self.tests_field, sample.answer)
        if raw is None:
            return self.unverifiable(f"the sample has no tests (metadata '{self.tests_field}' or answer)")
        try:
            tests = parse_tests(raw)
        except SpecError as exc:
            return self.error(f"bad tests: {exc}")
        code, found = extract_code(sample.text, self.code_from)
        if code is None:
            return self.unverifiable(found)
        try:
            if isinstance(tests[0], IOTest):
                failures = self._run_io(code, tests)  # type: ignore[arg-type]
            else:
                failures = self._run_asserts(code, tests)  # type: ignore[arg-type]
        except sandbox.SandboxError as exc:
            return self.error(f"sandbox failure: {exc}")
        return self._score(tests, failures, found)

    # -- assert tests ------------------------------------------------------------------
    def _run_asserts(self, code: str, tests: list[AssertTest]) -> dict[int, str]:
        """Failures by test index; a crash or hang fails the running test and a fresh sandbox goes on."""
        failures: dict[int, str] = {}
        pending = list(tests)
        end = time.monotonic() + self.limits.total_timeout
        while pending:
            left = end - time.monotonic()
            if left <= 0:
                failures.update({t.index: "not run: the total time limit was reached" for t in pending})
                return failures
            limits = replace(self.limits, total_timeout=left)
            request = {
                "mode": "asserts",
                "code": code,
                "stdlib_only": self.stdlib_only,
                "tests": [{"index": t.index, "steps": t.steps} for t in pending],
            }
            report = sandbox.run(request, limits, len(pending))
            by_index = {t.index: t for t in pending}
            judged: set[int] = set()
            load_error = None
            for event in report.events:
                kind = event.get("event")
                if kind == "load_error":
                    load_error = str(event.get("error", ""))[:500]
                elif kind == "result" and event.get("test") in by_index and event["test"] not in judged:
                    index = event["test"]
                    judged.add(index)
                    failure = self._judge(by_index[index], event)
                    if failure:
                        failures[index] = failure
            rest = [t for t in pending if t.index not in judged]
            if load_error is not None or not any(e.get("event") == "loaded" for e in report.events):
                why = f"the solution failed to load: {load_error}" if load_error else _ended(report, "while loading")
                failures.update({t.index: why for t in rest})
                return failures
            if not rest:
                return failures
            # The run ended early: the test that was running (else the next one) fails, the rest run again.
            culprit = report.running if report.running in by_index and report.running not in judged else rest[0].index
            failures[culprit] = _ended(report, "during this test")
            pending = [t for t in rest if t.index != culprit]
        return failures

    @staticmethod
    def _judge(test: AssertTest, event: dict[str, Any]) -> str | None:
        if "error" in event:
            return f"raised {str(event['error'])[:300]}"
        try:
            values = [decode(v) for v in event.get("values") or []]
        except WireError as exc:
            return f"reported an unreadable value ({exc})"
        return test.judge(values)

    # -- stdin/stdout tests ------------------------------------------------------------
    def _run_io(self, code: str, tests: list[IOTest]) -> dict[int, str]:
        failures: dict[int, str] = {}
        end = time.monotonic() + self.limits.total_timeout
        for test in tests:
            left = end - time.monotonic()
            if left <= 0:
                failures[test.index] = "not run: the total time limit was reached"
                continue
            request = {"mode": "io", "code": code, "stdlib_only": self.stdlib_only, "tests": []}
            report = sandbox.run(request, replace(self.limits, total_timeout=left), 1, stdin=test.input)
            failure = _io_failure(report, test)
            if failure:
                failures[test.index] = failure
        return failures

    # -- scoring -----------------------------------------------------------------------
    def _score(self, tests: list, failures: dict[int, str], found: str) -> Result:
        total = len(tests)
        passed = total - len(failures)
        details = {
            "tests": total,
            "passed": passed,
            "failures": {str(i): why for i, why in sorted(failures.items())},
            "code_from": found,
            "sandbox": sandbox.choose(self.stdlib_only)[0],
        }
        if not failures:
            return self.passed(f"all {total} tests passed", **details)
        score = 0.0 if self.all_or_nothing else passed / total
        listed = "; ".join(f"test {i}: {why}" for i, why in sorted(failures.items())[:5])
        more = f" (+{len(failures) - 5} more)" if len(failures) > 5 else ""
        return self.failed(f"{passed}/{total} tests passed; {listed}{more}", score=score, **details)


def _ended(report: sandbox.RunReport, when: str) -> str:
    if report.ended == "timeout":
        return f"timed out {when}"
    if report.ended == "channel":
        return f"broke the result channel {when}: {report.note}"
    code = report.returncode
    how = f"killed by signal {-code}" if code is not None and code < 0 else f"exited with code {code}"
    return f"the program {how} {when}"


def _normalise(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _io_failure(report: sandbox.RunReport, test: IOTest) -> str | None:
    """Why a stdin/stdout run failed, or None when it printed the expected output and exited cleanly."""
    kinds = {e.get("event"): e for e in report.events}
    if "load_error" in kinds:
        return f"raised {str(kinds['load_error'].get('error', ''))[:300]}"
    if report.ended != "exit":
        return _ended(report, "")
    if report.returncode != 0:
        return _ended(report, "").strip()
    try:
        output = report.stdout.decode("utf-8")
    except UnicodeDecodeError:
        return "the output is not UTF-8"
    got, want = _normalise(output), _normalise(test.output)
    if got == want:
        return None
    for n, (a, b) in enumerate(zip(got, want), 1):
        if a != b:
            return f"output line {n} is {a[:80]!r}, expected {b[:80]!r}"
    return f"the output has {len(got)} lines, expected {len(want)}"
