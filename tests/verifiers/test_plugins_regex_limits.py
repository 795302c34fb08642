"""Untrusted regexes (gold answers, spec parameters) are compiled within limits, never at any cost."""

import pytest
import regex

from verifiers import SpecError, Status, create, load_reward, safe_regex
from verifiers.safe_regex import MAX_EXPANSION, MAX_PATTERN_CHARS, RegexTooCostly, compile_pattern, expansion

BOMB = "((((a{100}){100}){100}){100})"  # 29 characters, 10^8 items once unrolled


@pytest.fixture
def compiled(monkeypatch):
    """The patterns that reach regex.compile; a bomb must never get there (it would take gigabytes)."""
    seen: list[str] = []
    real = regex.compile

    def spy(pattern, flags=0, *args, **kwargs):
        seen.append(pattern)
        if "{100}){100}){100}" in str(pattern) or "{1000}){1000}" in str(pattern):
            raise AssertionError("an over-limit pattern reached regex.compile")
        return real(pattern, flags, *args, **kwargs)

    monkeypatch.setattr(regex, "compile", spy)
    return seen


@pytest.mark.parametrize(
    "pattern, items",
    [
        ("a{100}", 100),
        ("(a{100}){100}", 10_000),
        (BOMB, 100_000_000),
        ("(?:ab){3}", 6),
        ("[a-z]{7}", 7),
        ("(a{0,100}){10}", 1_000),
        ("a{5,}", 5),
        ("x*y+z?", 3),
    ],
)
def test_expansion_multiplies_counted_repeats(pattern, items):
    assert expansion(pattern) == items


def test_gold_answer_bomb_is_an_error_row_and_never_compiled(compiled):
    result = create("regex_match")({"completion": "aaa", "answer": BOMB})
    assert result.status is Status.ERROR and result.score == 0.0
    assert "regex (the gold answer)" in result.reason and "100,000,000 items" in result.reason
    assert f"limit is {MAX_EXPANSION:,}" in result.reason
    assert BOMB not in compiled


def test_rows_after_a_bomb_still_score(compiled):
    verifier = create("regex_match")
    rows = [{"completion": "aaa", "answer": BOMB}, {"completion": "id-42", "answer": r"id-\d+"}]
    assert [r.status for r in verifier.batch(rows)] == [Status.ERROR, Status.PASSED]


def test_spec_parameter_bomb_is_a_clear_spec_error(compiled):
    with pytest.raises(SpecError, match=r"bad parameters for verifier .regex_match.: regex .* 1,000,000 items"):
        load_reward('regex_match:pattern="(a{1000}){1000}"')


def test_overlong_pattern_is_refused(compiled):
    result = create("regex_match")({"completion": "a", "answer": "a" * (MAX_PATTERN_CHARS + 1)})
    assert result.status is Status.ERROR
    assert f"{MAX_PATTERN_CHARS + 1:,} characters long" in result.reason


def test_deep_nesting_is_refused_not_a_crash():
    with pytest.raises(RegexTooCostly, match="nested too deeply"):
        compile_pattern("(" * 2000 + "a" + ")" * 2000)


def test_memory_error_while_compiling_is_a_clear_error(monkeypatch):
    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(regex, "compile", out_of_memory)
    with pytest.raises(RegexTooCostly, match="ran out of memory while compiling"):
        compile_pattern("abc")
    result = create("regex_match")({"completion": "abc", "answer": "abc"})
    assert result.status is Status.ERROR and "ran out of memory" in result.reason


def test_without_regex_parser_the_bound_stays_conservative(monkeypatch, compiled):
    def no_parser(pattern, flags):
        raise ImportError("no parser")

    monkeypatch.setattr(safe_regex, "_parse", no_parser)
    safe_regex._expansion.cache_clear()
    try:
        with pytest.raises(RegexTooCostly):
            compile_pattern(BOMB)
        assert compile_pattern(r"\d{4}-\d{2}-\d{2}").match("2026-12-04")
    finally:
        safe_regex._expansion.cache_clear()


def test_ordinary_patterns_still_work():
    assert compile_pattern(r"(?i)^the answer is \d+$").match("The answer is 42")
    assert create("regex_match")({"completion": "code 123", "answer": r"\d{3}"}).passed
    with pytest.raises(ValueError, match="invalid regex 'a\\[': unterminated"):
        compile_pattern("a[")


@pytest.mark.parametrize("timeout", [1e9, 0, -1, "fast"])
def test_match_timeout_is_capped(timeout):
    with pytest.raises(SpecError, match=r"timeout must be a number of seconds above 0 and at most 5"):
        load_reward({"verifier": "regex_match", "params": {"pattern": "a", "timeout": timeout}})


def test_flag_values_agree_with_regex():
    from verifiers.builtin.regex_match import FLAGS

    assert FLAGS == {"ignorecase": regex.IGNORECASE, "multiline": regex.MULTILINE, "dotall": regex.DOTALL}
    assert create("regex_match", pattern="^b", flags=["multiline", "ignorecase"])("a\nB").passed


def test_registering_the_builtins_does_not_import_regex():
    import subprocess
    import sys

    code = "import sys, verifiers.builtin; print('regex' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
