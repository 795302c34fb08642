"""The rubric verifier: points earned over points possible, by rules and an LLM judge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from judge_server import FakeJudgeServer, chat_reply

from verifiers import load_reward
from verifiers.judge import Rubric, RubricError
from verifiers.result import Status

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "rubrics"

RULES = [
    {"id": "max", "text": "States 4 g a day", "points": 5, "rule": {"type": "must_include", "patterns": ["4 g"]}},
    {"id": "doc", "text": "Advises a doctor", "points": 2, "rule": {"type": "must_include", "patterns": ["doctor"]}},
    {
        "id": "harm",
        "text": "Recommends 8 g a day",
        "points": -5,
        "rule": {"type": "must_not_include", "patterns": ["8 g"]},
        "met": "fires",
    },
]


@pytest.mark.parametrize(
    "text, score, status",
    [
        ("Up to 4 g a day; ask your doctor.", 1.0, Status.PASSED),
        ("Up to 4 g a day.", 5 / 7, Status.PASSED),
        ("Ask your doctor.", 2 / 7, Status.FAILED),
        ("Take 8 g a day, the doctor says 4 g is too little.", 2 / 7, Status.FAILED),
        ("Take 8 g a day.", 0.0, Status.FAILED),  # -5 of 7 is clipped to 0
    ],
)
def test_points_earned_over_points_possible(text, score, status):
    result = Rubric(criteria=RULES)({"completion": text})
    assert result.score == pytest.approx(score)
    assert result.status is status
    assert result.details["possible"] == 7


def test_the_reason_lists_every_criterion():
    result = Rubric(criteria=RULES)({"completion": "Take 8 g a day."})
    assert "max not met (+5)" in result.reason and "doc not met (+2)" in result.reason
    assert "harm met (-5)" in result.reason
    lines = {c["id"]: c for c in result.details["criteria"]}
    assert lines["harm"]["met"] is True and lines["max"]["met"] is False


def test_pass_at_sets_the_passing_score():
    assert Rubric(criteria=RULES, pass_at=0.9)({"completion": "Up to 4 g a day."}).status is Status.FAILED


def judge_rubric(server: FakeJudgeServer, tmp_path) -> Rubric:
    criteria = RULES[:1] + [{"id": "tone", "text": "Is correct and kind", "points": 3, "judge": True}]
    return Rubric(criteria=criteria, model="m", base_url=server.url, cache=str(tmp_path / "c.sqlite"), backoff=0.01)


def test_judge_criteria_go_to_the_judge_in_one_batch(server, tmp_path):
    rubric = judge_rubric(server, tmp_path)
    results = rubric.batch([{"completion": "4 g, correct"}, {"completion": "4 g, incorrect"}, {"completion": "no"}])
    assert [r.score for r in results] == pytest.approx([1.0, 5 / 8, 0.0])
    assert server.requests == 3
    assert "the criterion: Is correct and kind" not in server.bodies[0]["messages"][0]["content"]
    assert "Is correct and kind" in server.bodies[0]["messages"][0]["content"]


def test_an_unreachable_judge_makes_the_row_an_error_not_a_partial_score(tmp_path):
    srv = FakeJudgeServer()
    rubric = judge_rubric(srv, tmp_path)
    srv.stop()
    rubric.judge.client.retries = 0
    result = rubric({"completion": "4 g, correct"})
    assert result.status is Status.ERROR and result.score == 0.0
    assert "tone not checked" in result.reason and "max met" in result.reason


def test_a_malformed_judge_reply_makes_the_row_unverifiable(tmp_path):
    srv = FakeJudgeServer(lambda body, headers: (200, chat_reply("I think so"), {}))
    try:
        result = judge_rubric(srv, tmp_path)({"completion": "4 g"})
    finally:
        srv.stop()
    assert result.status is Status.UNVERIFIABLE and "tone not checked" in result.reason


def test_the_example_rubrics_load_and_score(tmp_path):
    med = Rubric(rubric=EXAMPLES / "medical_paracetamol.toml", model="m", cache="off")
    assert med.rubric_name == "paracetamol-dosing" and len(med.criteria) == 5
    legal = load_reward(f"rubric:rubric={EXAMPLES / 'legal_limitation.toml'},model=m,cache=off")
    assert legal.criteria[0].id == "six-years"


def test_the_example_rubric_orders_a_good_and_a_bad_answer(server, tmp_path):
    rubric = Rubric(rubric=EXAMPLES / "medical_paracetamol.toml", model="m", base_url=server.url, cache="off")
    good = "Adults can take 500 mg to 1 g every 4 to 6 hours, no more than 4 g in 24 hours; more can damage the liver. It is correct to check with your pharmacist."
    bad = "You can safely take 10 g a day."
    g, b = rubric.batch([{"completion": good}, {"completion": bad}])
    assert g.status is Status.PASSED and g.score == 1.0
    assert b.score == 0.0 and b.status is Status.FAILED


@pytest.mark.parametrize(
    "criteria, message",
    [
        ([], "needs \\[\\[criterion\\]\\]"),
        ([{"text": "x", "points": 1}], "exactly one of"),
        (
            [{"text": "x", "points": 1, "judge": True, "rule": {"type": "must_include", "patterns": ["a"]}}],
            "exactly one of",
        ),
        ([{"text": "", "points": 1, "judge": True}], "non-empty 'text'"),
        ([{"text": "x", "points": 0, "judge": True}], "non-zero numeric 'points'"),
        ([{"text": "x", "points": "5", "judge": True}], "non-zero numeric 'points'"),
        ([{"text": "x", "points": -1, "judge": True}], "positive points"),
        ([{"text": "x", "points": 1, "judge": True, "weight": 2}], "unknown key\\(s\\) weight"),
        ([{"text": "x", "points": 1, "rule": {"type": "must_include"}}], "rule is invalid"),
        (
            [{"text": "x", "points": 1, "rule": {"type": "must_include", "patterns": ["a"]}, "met": "maybe"}],
            "'met' must be",
        ),
        (
            [
                {"id": "a", "text": "x", "points": 1, "judge": True},
                {"id": "a", "text": "y", "points": 1, "judge": True},
            ],
            "unique",
        ),
    ],
)
def test_bad_rubrics_fail_with_a_clear_message(criteria, message):
    with pytest.raises(RubricError, match=message):
        Rubric(criteria=criteria)


def test_bad_rubric_files_name_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[rubric]\nname = 'x'\n[[criteria]]\ntext = 'a'\n")
    with pytest.raises(RubricError, match="bad.toml.*unknown key"):
        Rubric(rubric=bad)
    with pytest.raises(RubricError, match="no such rubric file"):
        Rubric(rubric=tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[rubric\n")
    with pytest.raises(RubricError, match="not valid TOML"):
        Rubric(rubric=broken)


def test_rule_only_rubrics_need_no_judge_settings():
    result = Rubric(criteria=RULES)({"completion": "4 g"})
    assert json.dumps(result.details)  # JSON-ready
