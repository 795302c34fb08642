"""The registered verifier: results, batch, caching, registry, Scorer processes, threads, CLI."""

from __future__ import annotations

import json
import pickle
import threading

import pytest
from maths_corpus import descendants

import verifiers
from verifiers import Sample, Scorer, Status, load_reward
from verifiers.maths import MathEquivalence

SAMPLES = [
    {"completion": "so \\boxed{\\frac{1}{2}}", "answer": "0.5"},
    {"completion": "The answer is $2\\sqrt{3}$.", "answer": "\\sqrt{12}"},
    {"completion": "\\boxed{x = 3}", "answer": "3"},
    {"completion": "\\boxed{(1, 2)}", "answer": "1 < x < 2"},
    {"completion": "\\boxed{7}", "answer": "8"},
    {"completion": "I could not solve this problem, sorry.", "answer": "8"},
    {"completion": "\\boxed{2x+2}", "answer": "2(x+1)"},
    {"completion": "\\boxed{y = 2x + 1}", "answer": "2y = 4x + 2"},
]
EXPECTED = [True, True, True, True, False, False, True, True]


def test_results_say_what_was_extracted_and_why(maths):
    result = maths(SAMPLES[1])
    assert result.passed and result.score == 1.0
    assert result.verifier == "math_equivalence"
    assert result.details["extracted"] == "2\\sqrt{3}"
    assert result.details["method"] == "final_answer"
    assert result.details["stage"] == "symbolic"
    assert "equals" in result.reason
    failed = maths(SAMPLES[4])
    assert failed.status is Status.FAILED and failed.score == 0.0 and "not equivalent" in failed.reason
    none = maths(SAMPLES[5])
    assert none.status is Status.FAILED and "no final answer" in none.reason


def test_batch_matches_one_by_one(maths):
    batch = maths.batch(SAMPLES)
    single = [maths(s) for s in SAMPLES]
    assert [r.passed for r in batch] == EXPECTED
    assert [r.status for r in batch] == [r.status for r in single]
    assert all(r.elapsed > 0 for r in batch)


def test_several_gold_answers_pass_on_any(maths):
    assert maths({"completion": "\\boxed{4}", "answer": ["3", "4"]}).passed
    assert not maths({"completion": "\\boxed{5}", "answer": ["3", "4"]}).passed


def test_missing_gold_and_overlong_input_are_unverifiable(maths):
    assert maths({"completion": "\\boxed{1}", "answer": None}).status is Status.UNVERIFIABLE
    assert maths({"completion": "\\boxed{1}", "answer": "  "}).status is Status.UNVERIFIABLE
    long = MathEquivalence(max_completion_chars=100)({"completion": "x" * 200 + "\\boxed{1}", "answer": "1"})
    assert long.status is Status.UNVERIFIABLE and "over the limit" in long.reason
    answer = MathEquivalence(max_answer_chars=5)({"completion": "\\boxed{1+1+1+1}", "answer": "4"})
    assert answer.status is Status.UNVERIFIABLE


def test_message_lists_are_read_as_completions(maths):
    messages = [{"role": "user", "content": "1+1?"}, {"role": "assistant", "content": "\\boxed{2}"}]
    assert maths(Sample(messages, answer="2")).passed


def test_pickles_without_its_caches_and_pool(maths):
    maths(SAMPLES[0])
    clone = pickle.loads(pickle.dumps(maths))
    assert clone.policy == maths.policy
    assert clone(SAMPLES[0]).passed


def test_registered_name_with_parameters():
    reward = load_reward("math_equivalence:percent=value,rel_tol=0.001,priority=answer_tag>boxed")
    assert isinstance(reward, MathEquivalence)
    assert reward.policy.percent == "value" and reward.policy.rel_tol == 0.001
    assert reward.priority == ("answer_tag", "boxed")
    assert "math_equivalence" in [i.name for i in verifiers.get_registry().infos()]


def test_in_a_composite_reward():
    spec = {"combine": "sum", "terms": [{"verifier": "math_equivalence", "weight": 1.0}]}
    reward = load_reward(spec)
    assert reward(SAMPLES[0]).score == 1.0


def test_from_many_threads_at_once(maths):
    errors = []

    def work():
        fresh = MathEquivalence()  # no shared caches: every call reaches the pool
        for sample, expected in zip(SAMPLES, EXPECTED):
            r = fresh(sample)
            if r.passed != expected:
                errors.append((sample, r.reason))

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []


def test_inside_scorer_worker_processes_without_leaking_processes():
    import os

    before = descendants(os.getpid())
    with Scorer("math_equivalence", workers=2, chunk_size=2) as scorer:
        results = scorer.score(SAMPLES * 2)
    assert [r.passed for r in results] == EXPECTED * 2
    assert descendants(os.getpid()) <= before | set()  # the nested pools went away with their workers


def test_inside_a_daemonic_multiprocessing_worker():
    import multiprocessing as mp

    with mp.get_context("fork").Pool(1) as pool:  # daemonic workers may not use multiprocessing children
        passed = pool.apply(
            _score_in_child,
            (SAMPLES[:4],),
        )
    assert passed == EXPECTED[:4]


def _score_in_child(samples):
    return [r.passed for r in MathEquivalence().batch(samples)]


def test_aha_score_command(tmp_path):
    from click.testing import CliRunner

    from verifiers.cli import cli

    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(s) for s in SAMPLES[:3]) + "\n")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        cli, ["score", "--reward", "math_equivalence", "--input", str(source), "--output", str(out), "-w", "1", "-q"]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 3
    assert json.dumps(rows[0]).count("passed") >= 1


def test_sympy_is_never_imported_by_the_caller():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from verifiers.maths import MathEquivalence\n"
        "r = MathEquivalence()({'completion': '\\\\boxed{2\\\\sqrt{3}}', 'answer': '\\\\sqrt{12}'})\n"
        "assert r.passed, r.reason\n"
        "assert r.details['stage'] == 'symbolic'\n"
        "assert 'sympy' not in sys.modules\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr


def test_repr_shows_changed_settings():
    assert "percent='value'" in repr(MathEquivalence(percent="value"))


@pytest.mark.parametrize("bad", [123, 4.5])
def test_non_string_gold_answers_are_read(maths, bad):
    assert maths({"completion": f"\\boxed{{{bad}}}", "answer": bad}).passed


@pytest.mark.parametrize(
    "pred, gold, equal",
    [
        ("(1, 2), (3, 4), (1, 2)", "(3, 4), (1, 2)", True),
        ("2, 3, 3, 5", "5, 3, 2", True),
        ("x = 1 \\text{ or } x = 1 \\text{ or } x = -1", "-1, 1", True),
        ("\\{1, 1, 2\\}", "1, 2", True),
        ("(1, 2), (1, 2)", "(1, 2), (2, 1)", False),
        ("2, 2, 3", "2, 3, 4", False),
        ("2, 2", "2, 3", False),
    ],
)
def test_unordered_lists_ignore_repeats(maths, pred, gold, equal):
    """A list of answers is compared as a set, as Math-Verify does: a repeated answer does not count."""
    assert maths({"completion": f"\\boxed{{{pred}}}", "answer": gold}).passed is equal


def test_workers_start_with_the_unit_registry_built(maths):
    """pint's registry (about a second to build) is built in the zygote, so no worker pays it on a row."""
    outcome = maths.pool.run("isolation_tasks:unit_registry_built", timeout=30)
    assert outcome.ok and outcome.value is True


def test_first_unit_answer_on_a_fresh_pool_is_not_a_timeout():
    # A memory limit no other test uses gives this verifier a pool of its own, started here.
    fresh = MathEquivalence(timeout=0.75, memory_limit_mb=1000)  # a cold registry took 0.9-1.5 s
    try:
        results = fresh.batch(
            [
                {"completion": "\\boxed{64 \\text{ cm}}", "answer": "640 \\text{ mm}"},
                {"completion": "\\boxed{2.5 \\text{ kg}}", "answer": "2500 \\text{ g}"},
            ]
        )
        assert [r.status for r in results] == [Status.PASSED, Status.PASSED], [r.reason for r in results]
    finally:
        fresh.pool.close()


def test_unknown_settings_are_clear_errors():
    with pytest.raises(ValueError, match="unknown setting.*percnt.*takes rel_tol"):
        MathEquivalence(percnt="value")
    assert MathEquivalence(thousands=False).policy.thousands is False


def test_workers_remember_the_fallback_parsers_readings(maths):
    ok = maths.pool.run("isolation_tasks:fallback_reading_is_cached", "\\sum_{k=0}^{n-1} F_k F_{n-k-1}", timeout=30)
    assert ok.ok and ok.value == (True, None)
    bad = maths.pool.run("isolation_tasks:fallback_reading_is_cached", "\\frac{", timeout=30)
    assert bad.ok and bad.value[0] is True and bad.value[1]
