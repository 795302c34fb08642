"""An evaluation of a small file, every statistic checked against values worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eval_helpers import BAD_LINE, ROWS, evaluate, write_jsonl


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory) -> tuple[dict, Path]:
    tmp = tmp_path_factory.mktemp("hand")
    data = write_jsonl(tmp / "hand.jsonl", ROWS, (BAD_LINE,))
    out = evaluate(data, tmp / "out", label="human", by=("level",), ks=(1, 2, 3, 4))
    return out.metrics, tmp / "out"


@pytest.fixture
def metrics(evaluated) -> dict:
    return evaluated[0]


def test_counts_mean_and_statuses(metrics):
    assert metrics["rows"] == 12
    assert metrics["unreadable_rows"] == 1
    assert metrics["statuses"] == {"passed": 5, "failed": 5, "unverifiable": 1, "error": 1, "timeout": 0}
    assert metrics["reward"]["mean"] == pytest.approx(5 / 12)
    assert metrics["reward"]["distinct_values"] == [{"value": 0.0, "count": 7}, {"value": 1.0, "count": 5}]
    assert metrics["correct"] == {"definition": "status is passed", "count": 5, "rate": pytest.approx(5 / 12)}


def test_pass_at_k_by_hand(metrics):
    # groups (n, c): P1 (4, 2), P2 (4, 1), P3 (2, 2), P4 (1, 0); the unreadable row has no prompt
    assert metrics["groups"]["count"] == 4
    assert metrics["groups"]["rows_without_key"] == 1
    p = metrics["pass_at_k"]
    assert p["1"]["value"] == pytest.approx((0.5 + 0.25 + 1 + 0) / 4)
    assert p["2"]["value"] == pytest.approx((5 / 6 + 1 / 2 + 1) / 3)
    assert (p["2"]["groups"], p["2"]["excluded_groups"]) == (3, 1)
    assert p["3"]["value"] == pytest.approx((1 + 0.75) / 2)
    assert p["4"]["value"] == pytest.approx(1.0)
    assert (p["4"]["groups"], p["4"]["excluded_groups"]) == (2, 2)


def test_maj_at_k_by_hand(metrics):
    # first-k votes: P1 4,5,5,4 (4 correct); P2 1,2,1,7 (7 correct); P3 x,x; P4 no answer
    m = metrics["maj_at_k"]
    assert m["1"]["value"] == pytest.approx(2 / 4)  # P1 yes, P2 no, P3 yes, P4 no
    assert m["2"]["value"] == pytest.approx(2 / 3)  # P1 tie 4/5 -> 4 first: yes; P2 no; P3 yes
    assert m["3"]["value"] == pytest.approx(0.0)  # P1 5 wins; P2 1 wins
    assert m["4"]["value"] == pytest.approx(1 / 2)  # P1 tie -> 4; P2 1 wins


def test_labels_with_missing_and_invalid_values(metrics):
    lab = metrics["labels"]
    assert (lab["tp"], lab["fp"], lab["fn"], lab["tn"]) == (3, 2, 1, 2)
    assert lab["labelled"] == 8
    assert lab["missing"] == 2  # None and "" are missing, not false
    assert lab["invalid"] == 1  # "maybe"
    assert lab["unreadable_rows"] == 1
    assert lab["excluded"] == 4
    assert lab["agreement"] == pytest.approx(5 / 8)
    assert lab["precision"] == pytest.approx(3 / 5)
    assert lab["recall"] == pytest.approx(3 / 4)
    assert lab["disagreements"] == 3
    assert lab["by_status"]["passed"] == {"true": 3, "false": 2}
    assert lab["by_status"]["failed"] == {"true": 1, "false": 2}


def test_disagreeing_rows_are_listed_with_the_verifier_reason(metrics, evaluated):
    fps = metrics["examples"]["false_positives"]
    assert [e["where"] for e in fps] == ["line 8", "line 10"]
    assert fps[0]["reason"] == "'7' equals '7' numerically"
    assert [e["where"] for e in metrics["examples"]["false_negatives"]] == ["line 5"]
    lines = (evaluated[1] / "label_disagreements.jsonl").read_text().splitlines()
    assert [json.loads(x)["index"] for x in lines] == [4, 7, 9]
    assert metrics["examples"]["invalid_labels"][0]["where"] == "line 11"


def test_breakdown_by_category(metrics):
    values = {v["value"]: v for v in metrics["by"]["level"]["values"]}
    assert values["easy"]["count"] == 6 and values["easy"]["mean_reward"] == pytest.approx(4 / 6)
    assert values["hard"]["count"] == 4 and values["hard"]["pass_rate"] == pytest.approx(1 / 4)
    assert values["(missing)"]["count"] == 2
    assert values["hard"]["labels"]["fn"] == 1 and values["hard"]["labels"]["fp"] == 1
    # pass@1 by the category of each prompt
    assert metrics["pass_at_k"]["1"]["by"]["level"]["easy"] == pytest.approx((0.5 + 1) / 2)


def test_length_against_reward(metrics):
    lengths = [len(r["completion"]) for r in ROWS]
    correct = [r == 1 for r in (1, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0)]
    length = metrics["length"]
    assert length["count"] == 11
    assert length["stats"]["mean"] == pytest.approx(sum(lengths) / 11)
    right = [x for x, c in zip(lengths, correct) if c]
    wrong = [x for x, c in zip(lengths, correct) if not c]
    assert length["mean_correct"] == pytest.approx(sum(right) / len(right))
    assert length["mean_incorrect"] == pytest.approx(sum(wrong) / len(wrong))
    assert sum(b["count"] for b in length["bins"]) == 11
    assert -1 <= length["pearson_r"] <= 1


def test_per_term_means_and_threshold(tmp_path):
    spec = tmp_path / "reward.toml"
    spec.write_text(
        "[reward]\ncombine = 'sum'\n"
        "[[reward.terms]]\nverifier = 'exact_match'\nname = 'exact'\nweight = 1.0\n"
        "[[reward.terms]]\nverifier = 'regex_match'\nname = 'says_so'\nweight = 0.5\n"
        "[reward.terms.params]\npattern = 'so'\n"
    )
    rows = [
        {"prompt": "a", "completion": "so \\boxed{1}", "answer": "1"},  # exact 1, says_so 1 -> 1.5
        {"prompt": "a", "completion": "\\boxed{2}", "answer": "1"},  # 0, 0 -> 0
        {"prompt": "b", "completion": "also \\boxed{3}", "answer": "3"},  # 1, 1 -> 1.5
        {"prompt": "b", "completion": "\\boxed{3}", "answer": "3"},  # 1, 0 -> 1
    ]
    data = write_jsonl(tmp_path / "terms.jsonl", rows)
    m = evaluate(data, tmp_path / "out", reward=str(spec), threshold=1.0).metrics
    assert m["terms"]["exact"]["mean"] == pytest.approx(3 / 4)
    assert m["terms"]["says_so"]["mean"] == pytest.approx(2 / 4)
    assert m["terms"]["says_so"]["statuses"]["passed"] == 2
    assert m["reward"]["mean"] == pytest.approx((1.5 + 0 + 1.5 + 1) / 4)
    assert m["correct"]["definition"] == "score >= 1"
    assert m["correct"]["count"] == 3
    assert m["pass_at_k"]["2"]["value"] == pytest.approx((1 + 1) / 2)


def test_group_by_a_prompt_id_column(tmp_path):
    rows = [
        {"id": 1, "prompt": "same text", "completion": "\\boxed{1}", "answer": "1"},
        {"id": 2, "prompt": "same text", "completion": "\\boxed{1}", "answer": "2"},
        {"id": 2, "prompt": "same text", "completion": "\\boxed{2}", "answer": "2"},
        {"prompt": "same text", "completion": "\\boxed{2}", "answer": "2"},
    ]
    m = evaluate(write_jsonl(tmp_path / "g.jsonl", rows), tmp_path / "out", group_by="id").metrics
    assert m["groups"]["count"] == 2
    assert m["groups"]["rows_without_key"] == 1
    assert m["pass_at_k"]["1"]["value"] == pytest.approx((1 + 0.5) / 2)


def test_compare_two_rewards_on_the_same_rows(tmp_path):
    rows = [
        {
            "prompt": "a",
            "completion": "it is 12 or \\boxed{10}",
            "answer": "12",
            "ok": True,
        },  # boxed: no; last number: no
        {"prompt": "a", "completion": "\\boxed{12}, not 10", "answer": "12", "ok": True},  # boxed yes; last number no
        {"prompt": "b", "completion": "maybe \\boxed{3} or 4", "answer": "4", "ok": False},  # boxed no; last yes
        {"prompt": "b", "completion": "\\boxed{4}", "answer": "4", "ok": True},  # both yes
    ]
    data = write_jsonl(tmp_path / "c.jsonl", rows)
    out = evaluate(data, tmp_path / "out", compare="exact_match:strategies=['last_number']", label="ok")
    c = out.metrics["compare"]
    assert (c["both_correct"], c["only_reward_correct"], c["only_compare_correct"], c["both_incorrect"]) == (1, 1, 1, 1)
    assert c["disagreements"] == 2 and c["agreement"] == pytest.approx(0.5)
    assert c["status_crosstab"]["passed"]["failed"] == 1
    assert [e["where"] for e in out.metrics["examples"]["compare_disagreements"]] == ["line 2", "line 3"]
    assert out.metrics["examples"]["compare_disagreements"][0]["compare"]["status"] == "failed"
    assert out.metrics["labels"]["compare"]["fp"] == 1
    lines = (tmp_path / "out" / "compare_disagreements.jsonl").read_text().splitlines()
    assert [json.loads(x)["index"] for x in lines] == [1, 2]


def test_reports_are_written_and_escape_html(tmp_path):
    rows = [{"prompt": "q", "completion": "<script>alert('x')</script> \\boxed{1}", "answer": "1"}]
    data = write_jsonl(tmp_path / "x.jsonl", rows * 3)
    out = evaluate(data, tmp_path / "out")
    html = out.paths["html"].read_text()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    assert html.count('src="data:image/png;base64,') >= 4
    metrics = json.loads(out.paths["metrics"].read_text())
    assert metrics["rows"] == 3 and metrics["timing"]["scoring"]["scored_rows"] == 3
    summary = out.paths["summary"].read_text()
    assert "| rows | 3 |" in summary and "![reward](plots/reward.png)" in summary
    assert (tmp_path / "out" / "plots" / "reward.png").stat().st_size > 1000
