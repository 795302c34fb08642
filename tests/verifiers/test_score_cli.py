import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from verifiers.cli import build_cli

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples" / "reward_arithmetic.toml"


def run(args):
    result = CliRunner().invoke(build_cli(), args, catch_exceptions=False)
    return result


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_score_writes_every_row_in_order_with_terms(tmp_path, workers):
    rows = [
        {"id": i, "completion": f"<think>\nx\n</think>\n<answer>\n{i}\n</answer>", "answer": str(i % 2)}
        for i in range(50)
    ]
    inp = tmp_path / "in.jsonl"
    inp.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "out.jsonl"
    summary = tmp_path / "s.json"
    res = run(
        [
            "score",
            "-r",
            str(SPEC),
            "-i",
            str(inp),
            "-o",
            str(out),
            "-w",
            workers,
            "--chunk-size",
            "7",
            "--summary-json",
            str(summary),
        ]
    )
    assert res.exit_code == 0, res.output
    got = read_jsonl(out)
    assert [r["id"] for r in got] == list(range(50))
    assert got[1]["reward"] == pytest.approx(1.2) and got[1]["status"] == "passed"
    assert got[2]["terms"]["correct"]["status"] == "failed"
    assert set(got[0]["terms"]) == {"format", "correct", "repetition"}
    s = json.loads(summary.read_text())
    assert s["rows"] == 50 and s["statuses"] == {"passed": 2, "failed": 48}
    assert s["slowest"][0]["verifier"] in {"think_answer_format", "exact_match", "ngram_repetition"}


def test_malformed_lines_become_error_rows_naming_the_line(tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_text(
        '{"completion": "answer: 1", "answer": "1"}\n'
        "{not json\n"
        "\n"
        "[1, 2]\n"
        '{"answer": "1"}\n'
        '{"completion": 7, "answer": "7"}\n'
        '{"messages": [{"role": "assistant", "content": "answer: 2"}], "answer": "2"}\n'
    )
    out = tmp_path / "out.jsonl"
    res = run(["score", "-r", "exact_match", "-i", str(inp), "-o", str(out), "-w", "1", "-q"])
    assert res.exit_code == 0, res.output
    got = read_jsonl(out)
    assert len(got) == 6  # the blank line is not a row; nothing else dropped
    assert got[0]["status"] == "passed"
    errors = {r["line"]: r for r in got if r.get("line")}
    assert set(errors) == {2, 4, 5, 6}
    assert "line 2: invalid JSON" in errors[2]["reason"] and errors[2]["raw"] == "{not json"
    assert "expected a JSON object" in errors[4]["reason"]
    assert "no 'completion' or 'messages'" in errors[5]["reason"]
    assert "must be a string" in errors[6]["reason"]
    assert got[5]["status"] == "passed"


def test_strict_exits_nonzero_naming_the_line_and_writes_nothing(tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"completion": "1", "answer": "1"}\n{oops\n')
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(
        build_cli(), ["score", "-r", "exact_match", "-i", str(inp), "-o", str(out), "--strict", "-q"]
    )
    assert res.exit_code != 0
    assert "line 2" in res.output
    assert not out.exists()
    assert not list(tmp_path.glob(".out.jsonl.*"))


def test_field_overrides_and_bad_reward(tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"text": "answer: B", "gold": "B"}\n')
    out = tmp_path / "out.jsonl"
    res = run(
        [
            "score",
            "-r",
            "multiple_choice",
            "-i",
            str(inp),
            "-o",
            str(out),
            "--completion-field",
            "text",
            "--answer-field",
            "gold",
            "-q",
        ]
    )
    assert res.exit_code == 0
    assert read_jsonl(out)[0]["status"] == "passed"
    bad = CliRunner().invoke(build_cli(), ["score", "-r", "nope", "-i", str(inp), "-o", str(out)])
    assert bad.exit_code != 0 and "no verifier named 'nope'" in bad.output


def test_missing_input_file_is_a_usage_error_in_score_and_eval(tmp_path):
    missing = str(tmp_path / "x.jsonl")
    score = CliRunner().invoke(build_cli(), ["score", "-r", "exact_match", "-i", missing, "-o", str(tmp_path / "o")])
    ev = CliRunner().invoke(build_cli(), ["eval", "-r", "exact_match", "-i", missing, "-o", str(tmp_path / "e")])
    assert score.exit_code == ev.exit_code == 2
    assert "does not exist" in score.output and "scoring" not in score.output


def test_verifiers_command_lists_builtins():
    res = run(["verifiers", "--json"])
    data = json.loads(res.output)
    names = {v["name"] for v in data["verifiers"]}
    assert {"exact_match", "think_answer_format", "math_equivalence"} <= names


def test_bundled_example_scores():
    res = run(
        ["score", "-r", str(SPEC), "-i", str(ROOT / "examples/data/arithmetic_completions.jsonl"), "-o", "-", "-q"]
    )
    assert res.exit_code == 0
    lines = [json.loads(x) for x in res.output.splitlines() if x.startswith("{")]
    assert len(lines) == 40
    assert {r["status"] for r in lines} == {"passed", "failed"}
