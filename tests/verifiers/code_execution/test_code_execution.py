"""The code_execution verifier: extraction, test parsing, judging outside the sandbox, limits, statuses."""

from __future__ import annotations

import os

import pytest

from verifiers.code_execution import CodeExecution
from verifiers.code_execution.checks import SpecError, parse_tests
from verifiers.code_execution.extract import extract_code
from verifiers.code_execution.sandbox import MODES, choose
from verifiers.code_execution.wire import WireError, decode
from verifiers.result import Status

ADD = "```python\ndef add(a, b):\n    return a + b\n```"


def fenced(code: str) -> str:
    return f"Here you go:\n```python\n{code}\n```\n"


@pytest.fixture(scope="module")
def verifier() -> CodeExecution:
    return CodeExecution(timeout=2.0, total_timeout=10.0)


# -- extraction ------------------------------------------------------------------------
def test_extract_takes_the_last_python_block():
    text = "```python\nx = 1\n```\nthen\n```py\nx = 2\n```\n```\nnot python\n```"
    code, how = extract_code(text)
    assert code == "x = 2\n" and "python" in how


def test_extract_falls_back_to_an_untagged_block_and_reports_missing_code():
    assert extract_code("```\nprint(1)\n```")[0] == "print(1)\n"
    assert extract_code("no code here")[0] is None
    code, why = extract_code("```python\nprint(1)\n")
    assert code is None and "not closed" in why
    assert extract_code("print(1)", code_from="auto")[0] == "print(1)"
    assert extract_code("print(1)", code_from="completion")[0] == "print(1)"


# -- tests as data ---------------------------------------------------------------------
def test_parse_tests_splits_a_source_into_one_test_per_assert():
    tests = parse_tests("x = 2\nassert f(x) == 4\nassert f(3) == 9, 'msg'\n")
    assert len(tests) == 2
    assert tests[0].steps == [("exec", "x = 2"), ("eval", "f(x)")]
    assert tests[1].steps == [("eval", "f(3)")]


def test_expected_literals_never_go_to_the_sandbox():
    (test,) = parse_tests(["assert f(1) == [10, 20] and g() != 'secret'"])
    sent = " ".join(source for _, source in test.steps)
    assert "10" not in sent and "secret" not in sent
    assert test.judge([[10, 20], "other"]) is None
    assert "expected == [10, 20]" in test.judge([[10, 21], "other"])


def test_judging_covers_chains_negation_or_and_identity():
    (chain,) = parse_tests(["assert 0 < f() <= 10"])
    assert chain.judge([10]) is None and chain.judge([11])
    (negated,) = parse_tests(["assert not f()"])
    assert negated.judge([[]]) is None and negated.judge([[1]])
    (either,) = parse_tests(["assert f() == 1 or f() == 2"])
    assert either.judge([5, 2]) is None and either.judge([5, 5])
    (none,) = parse_tests(["assert f() is None"])
    assert none.judge([None]) is None and none.judge([0])
    (truth,) = parse_tests(["assert isinstance(f(), int)"])
    assert truth.judge([True]) is None and truth.judge([False])


def test_arithmetic_and_helper_calls_run_in_the_parent():
    (test,) = parse_tests(["import math\nassert abs(f(2) - 1.5) < 1e-9 and math.isclose(g(), 3.0, rel_tol=1e-3)"])
    assert [source for kind, source in test.steps if kind == "eval"] == ["f(2)", "g()"]
    assert test.judge([1.5, 3.001]) is None
    assert test.judge([1.6, 3.0]) and test.judge([1.5, 3.1])
    (big,) = parse_tests(["assert f() * 1000000000 == 'x'"])
    assert "OverflowError" in big.judge(["ab"])


def test_parse_tests_reads_io_pairs_and_rejects_bad_specs():
    pairs = parse_tests([{"input": "1\n", "output": "2\n"}, ["3", "6"]])
    assert [(p.input, p.output) for p in pairs] == [("1\n", "2\n"), ("3", "6")]
    for bad in ([], [1, 2], ["x = 1"], ["assert ("]):
        with pytest.raises(SpecError):
            parse_tests(bad)


def test_parse_tests_reads_json_text_and_inputs_outputs_columns():
    assert len(parse_tests('["assert f(1) == 2", "assert f(2) == 4"]')) == 2
    pairs = parse_tests('{"inputs": ["1\\n", "2\\n"], "outputs": ["2\\n", "4\\n"]}')
    assert [(p.input, p.output) for p in pairs] == [("1\n", "2\n"), ("2\n", "4\n")]
    with pytest.raises(SpecError):
        parse_tests({"inputs": ["1"], "outputs": []})


def test_decode_accepts_only_plain_data():
    assert decode(["t", [["i", "1"], ["s", "a"], ["n"]]]) == (1, "a", None)
    assert decode(["d", [[["s", "k"], ["l", [["f", "1.5"]]]]]]) == {"k": [1.5]}
    for bad in (["*"], ["i", 3], "x", [], ["l", "notalist"], ["i", "9" * 6000]):
        with pytest.raises(WireError):
            decode(bad)


# -- the verifier end to end -------------------------------------------------------------
def test_partial_score_lists_the_failures(verifier):
    code = fenced("def add(a, b):\n    return a + b if a >= 0 else 0")
    result = verifier({"completion": code, "tests": ["assert add(1, 2) == 3", "assert add(-1, 5) == 4"]})
    assert result.status is Status.FAILED
    assert result.score == pytest.approx(0.5)
    assert "test 1" in result.reason and "gave 0" in result.reason
    assert result.details["tests"] == 2 and result.details["passed"] == 1


def test_all_or_nothing_scores_zero_on_any_failure():
    verifier = CodeExecution(all_or_nothing=True, timeout=2.0)
    code = fenced("def add(a, b):\n    return 3")
    result = verifier({"completion": code, "tests": ["assert add(1, 2) == 3", "assert add(2, 2) == 4"]})
    assert result.status is Status.FAILED and result.score == 0.0


def test_tests_may_come_from_the_answer_and_one_hang_does_not_sink_the_rest(verifier):
    code = fenced("def f(x):\n    while x == 2:\n        pass\n    return x * 10")
    sample = {"completion": code, "answer": "assert f(1) == 10\nassert f(2) == 20\nassert f(3) == 30"}
    result = verifier(sample)
    assert result.score == pytest.approx(2 / 3)
    assert "timed out" in result.details["failures"]["1"]


def test_missing_code_or_tests_is_unverifiable_and_bad_tests_are_an_error(verifier):
    assert verifier({"completion": "I would use a loop.", "tests": ["assert f() == 1"]}).status is Status.UNVERIFIABLE
    assert verifier({"completion": ADD}).status is Status.UNVERIFIABLE
    result = verifier({"completion": ADD, "tests": ["not an assert"]})
    assert result.status is Status.ERROR and "bad tests" in result.reason


def test_a_syntax_error_fails_every_test_with_the_reason(verifier):
    result = verifier({"completion": fenced("def add(a, b) return"), "tests": ["assert add(1, 2) == 3"]})
    assert result.status is Status.FAILED and "SyntaxError" in result.reason


def test_a_sandbox_that_cannot_run_is_an_error_not_a_zero(monkeypatch, verifier):
    monkeypatch.setenv("AHA_CODE_SANDBOX", "no-such-sandbox")
    result = verifier({"completion": ADD, "tests": ["assert add(1, 2) == 3"]})
    assert result.status is Status.ERROR and "sandbox" in result.reason


def test_stdin_stdout_tests_compare_output_outside_the_sandbox(verifier):
    code = fenced("import sys\nfor line in sys.stdin:\n    print(line.strip().upper())")
    result = verifier({"completion": code, "tests": [["ab\ncd\n", "AB\nCD\n"], ["x", "y"]]})
    assert result.score == pytest.approx(0.5)
    assert "expected 'y'" in result.details["failures"]["1"]


def test_a_nonzero_exit_fails_an_io_test_even_with_the_right_output(verifier):
    code = fenced("print(2)\nraise SystemExit(3)")
    result = verifier({"completion": code, "tests": [["", "2"]]})
    assert result.status is Status.FAILED and "code 3" in result.reason


def test_the_run_folder_is_private_scrubbed_and_deleted(monkeypatch, verifier):
    monkeypatch.setenv("AHA_PRIVATE_TOKEN", "do-not-leak")
    code = fenced(
        "import os, tempfile\n"
        "def where():\n"
        "    return [os.getcwd(), os.environ.get('HOME'), tempfile.gettempdir(), sorted(os.environ)]"
    )
    result = verifier({"completion": code, "tests": ["assert where() == 0"]})
    report = result.details["failures"]["0"]
    folder = report.split("'")[1]
    assert report.count(repr(folder)) == 3  # cwd, HOME and TMPDIR are the run's own folder
    assert "AHA_PRIVATE_TOKEN" not in report
    assert not os.path.exists(folder)


def test_stdlib_only_refuses_other_packages_and_allows_them_when_off():
    tests = ["assert probe() == 'ok'"]
    code = fenced("def probe():\n    import pytest\n    return 'ok'")
    assert CodeExecution(timeout=3.0)({"completion": code, "tests": tests}).status is Status.FAILED
    result = CodeExecution(stdlib_only=False, timeout=10.0)({"completion": code, "tests": tests})
    assert result.status is Status.PASSED, result.reason


@pytest.mark.parametrize("mode", MODES)
def test_each_sandbox_mode_runs_or_says_why_not(monkeypatch, tmp_path, mode):
    monkeypatch.setenv("AHA_CODE_SANDBOX", mode)
    verifier = CodeExecution(timeout=2.0)
    try:
        choose(True)
    except RuntimeError:
        result = verifier({"completion": ADD, "tests": ["assert add(1, 2) == 3"]})
        assert result.status is Status.ERROR and mode in result.reason
        return
    sample = {"completion": ADD, "tests": ["assert add(1, 2) == 3", "assert add(2, 5) == 7"]}
    result = verifier(sample)
    assert result.status is Status.PASSED and result.details["sandbox"] == mode
    cheat = fenced("import socket\ndef add(a, b):\n    socket.create_connection(('127.0.0.1', 9))\n    return a + b")
    result = verifier({"completion": cheat, "tests": ["assert add(1, 2) == 3"]})
    assert result.status is Status.FAILED and "network" in result.reason
    outside = tmp_path / "escape.txt"
    tmp_path.chmod(0o777)
    cheat = fenced(f"def add(a, b):\n    open({str(outside)!r}, 'w').write('1')\n    return a + b")
    verifier({"completion": cheat, "tests": ["assert add(1, 2) == 3"]})
    assert not outside.exists()


def test_registered_under_its_name():
    from verifiers.registry import create

    assert type(create("code_execution")).__name__ == "CodeExecution"
