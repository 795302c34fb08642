"""Adversarial inputs: every call returns in bounded time, never passes, and leaks no process.

A call may take twice its timeout when the machine is so loaded that a starved timeout is retried.
"""

from __future__ import annotations

import os
import random
import time

import pytest
from maths_corpus import descendants

from verifiers import Status
from verifiers.maths import MathEquivalence

TIMEOUT = 1.0
BOUND = 2 * TIMEOUT + 1.0  # one retry of a starved timeout, plus process start-up slack
_rng = random.Random(1234)
_UNICODE = "".join(chr(_rng.randrange(0x20, 0x2FFF)) for _ in range(3000))
_MATRIX = "\\\\".join("&".join(["x"] * 20) for _ in range(20))

ADVERSARIAL = {
    "power tower": ("\\boxed{9^{9^{9^9}}}", "1"),
    "tower of twos": ("\\boxed{2^{2^{2^{2^{2^{2}}}}}}", "4"),
    "symbolic tower": ("\\boxed{x^{x^{x^{x^{x^{x^{x^{x}}}}}}}}", "x"),
    "googolplex": ("\\boxed{10^{10^{100}}}", "1"),
    "huge symbolic power": ("\\boxed{(x+1)^{100000}}", "x"),
    "huge factorial": ("\\boxed{100000!}", "1"),
    "factorial of a power": ("\\boxed{(10^{6})!}", "1"),
    "irrational huge power": ("\\boxed{\\sqrt{2}^{10^{9}}}", "1"),
    "pi tower": ("\\boxed{\\pi^{\\pi^{\\pi^{\\pi}}}}", "1"),
    "e tower": ("\\boxed{e^{e^{e^{e^{e}}}}}", "1"),
    "sine of a huge number": ("\\boxed{\\sin(10^{10^{5}})}", "0"),
    "scientific overflow": ("\\boxed{1e999999}", "1"),
    "huge integer": ("\\boxed{" + "9" * 900 + "}", "1"),
    "expansion bomb": ("\\boxed{(x+y+z+w)^{60}}", "(w+x+y+z)^{61}"),
    "one megabyte": ("a" * 1_000_000 + "\\boxed{5}", "5"),
    "megabyte of boxes": ("\\boxed{1}" * 110_000, "2"),
    "ten thousand nested braces": ("\\boxed{" + "{" * 10_000 + "1" + "}" * 10_000 + "}", "1"),
    "nested parentheses": ("\\boxed{" + "(" * 400 + "1" + ")" * 400 + "}", "1"),
    "nested fractions": ("\\boxed{" + "\\frac{1}{" * 90 + "2" + "}" * 90 + "}", "1"),
    "minus chain": ("\\boxed{" + "-" * 900 + "1}", "1"),
    "unclosed boxes": ("\\boxed{" * 5000 + "1", "2"),
    "unclosed spans": ("\\(" * 50_000 + "1", "2"),
    "malformed fraction": ("\\boxed{\\frac{1}{", "1"),
    "malformed root": ("\\boxed{\\sqrt[}{2}}", "1"),
    "brackets only": ("\\boxed{)(][}", "1"),
    "broken matrix": ("\\boxed{\\begin{pmatrix}1&2\\\\3}", "1"),
    "dangling delimiters": ("\\boxed{\\left(\\right.}", "1"),
    "random unicode": (_UNICODE, "1"),
    "boxed unicode": ("\\boxed{" + _UNICODE[:700] + "}", "1"),
    "ellipsis": ("\\boxed{1+2+\\cdots+10^{100}}", "1"),
    "log of zero": ("\\boxed{\\log(\\log(\\log(\\log(0))))}", "1"),
    "division by zero": ("\\boxed{\\frac{1}{0}}", "\\infty"),
    "big matrix": ("\\boxed{\\begin{pmatrix}" + _MATRIX + "\\end{pmatrix}}", "1"),
    "null bytes": ("\\boxed{1\x00\x00}", "2"),
    "sum of large binomials": (
        "\\boxed{" + "+".join(f"\\binom{{{99990 - i}}}{{{49990 - i}}}" for i in range(40)) + "}",
        "1",
    ),
    "sum of huge unit fractions": (
        "\\boxed{" + "+".join(f"\\frac{{1}}{{3^{{{31000 + i}}}+1}}" for i in range(30)) + "}",
        "1",
    ),
    "control characters": ("\\boxed{\x1b[31m1}", "2"),
}


@pytest.fixture(scope="module")
def verifier():
    v = MathEquivalence(timeout=TIMEOUT)
    v.pool.start()
    return v


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_returns_in_time_without_passing(verifier, name):
    completion, gold = ADVERSARIAL[name]
    start = time.monotonic()
    result = verifier({"completion": completion, "answer": gold})
    elapsed = time.monotonic() - start
    assert elapsed < BOUND, f"{name} took {elapsed:.2f}s"
    assert result.status is not Status.PASSED, result.reason
    assert result.reason


def test_a_timeout_is_reported_as_such(verifier):
    tiny = MathEquivalence(timeout=0.05)
    # Symbolic comparison of towers needs more than 50 ms: the worker is killed.
    result = tiny({"completion": "\\boxed{x^{x^{x^{x^{x^{x^{x}}}}}} + \\sin(x)^{x^x}}", "answer": "x^{x^{x}}"})
    assert result.status in (Status.TIMEOUT, Status.FAILED)
    outcome = tiny.pool.run(time.sleep, 5, timeout=tiny.timeout)
    assert outcome.status == "timeout"


def test_batch_of_adversarial_inputs_and_the_worker_count_returns(verifier):
    me = os.getpid()
    verifier.pool.start()
    before = descendants(me)
    start = time.monotonic()
    results = verifier.batch([{"completion": c, "answer": g} for c, g in ADVERSARIAL.values()])
    assert time.monotonic() - start < len(ADVERSARIAL) * BOUND
    assert all(r.status is not Status.PASSED for r in results)
    assert descendants(me) == before  # killed workers were replaced one for one, none leaked


def test_random_unicode_never_crashes(verifier):
    rng = random.Random(7)
    samples = []
    for _ in range(200):
        text = "".join(chr(rng.randrange(0x20, 0x10FFFF)) for _ in range(rng.randrange(1, 200)))
        text = "".join(c for c in text if not 0xD800 <= ord(c) <= 0xDFFF)
        samples.append({"completion": "\\boxed{" + text + "}", "answer": "1"})
    results = verifier.batch(samples)
    assert all(r.status in (Status.FAILED, Status.UNVERIFIABLE, Status.TIMEOUT) for r in results)


BIG_EXACT = [  # completions under 1,000 characters whose exact arithmetic alone would take many seconds
    "\\boxed{" + "+".join(f"\\binom{{{99990 - i}}}{{{49990 - i}}}" for i in range(40)) + "}",
    "so \\boxed{" + "+".join(f"\\frac{{1}}{{3^{{{31000 + i}}}+1}}" for i in range(30)) + "}",
    "\\boxed{" + "".join(f"(1+\\frac{{1}}{{3^{{{31000 + i}}}+1}})" for i in range(25)) + "}",
    "\\boxed{" + "/".join(f"(7^{{{30000 + i}}}+1)" for i in range(30)) + "}",
    "\\boxed{"
    + "+".join(f"\\frac{{\\binom{{{99000 - i}}}{{45000}}}}{{\\binom{{{98000 - i}}}{{44000}}}}" for i in range(9))
    + "}",
]


@pytest.mark.parametrize("index", range(len(BIG_EXACT)))
@pytest.mark.parametrize("side", ["prediction", "gold"])
def test_big_exact_arithmetic_respects_the_timeout(index, side):
    """Exact arithmetic in the calling process stops at the timeout (or is refused by size) too."""
    verifier = MathEquivalence(timeout=0.5)
    text = BIG_EXACT[index]
    assert len(text) < 1_000
    sample = (
        {"completion": text, "answer": "7"} if side == "prediction" else {"completion": "\\boxed{7}", "answer": text}
    )
    start = time.monotonic()
    result = verifier(sample)
    elapsed = time.monotonic() - start
    assert result.status in (Status.TIMEOUT, Status.UNVERIFIABLE), result.reason
    assert elapsed < 5 * verifier.timeout, f"took {elapsed:.2f}s with a {verifier.timeout}s timeout"


def test_exact_evaluation_checks_its_time_budget():
    from fractions import Fraction

    from verifiers.maths.exact_values import OverBudget, exact_value, time_budget
    from verifiers.maths.nodes import Add, Num

    node = Add(tuple(Num(Fraction(1, k), f"1/{k}") for k in range(2, 50)))
    assert exact_value(node) > 0  # no budget: evaluated
    with time_budget(0.0), pytest.raises(OverBudget):
        exact_value(node)
    with time_budget(60.0):
        assert exact_value(node) > 0
