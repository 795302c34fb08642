"""aha score and aha eval read rows the same way, write standard UTF-8 JSON, and refuse to guess columns."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from verifiers.cli import build_cli

LINES = [
    b'{"completion": "answer: \\ud800 1", "answer": "1", "note": "\\udfff"}\n',  # lone surrogates
    b'{"completion": "answer: 2", "answer": "2", "score_hint": NaN, "big": Infinity}\n',  # not JSON, read as null
    b'{"completion": "caf\xe9 3", "answer": "3"}\n',  # not UTF-8
    b'{"completion": "answer:\r 4", "answer": "4"}\n',  # a bare carriage return inside a string (invalid JSON)
    b'{"completion": {"role": "assistant", "content": "answer: 5"}, "answer": "5"}\n',  # one message
    b'{"completion": [{"role": "assistant", "content": "answer: 6"}], "answer": "6"}\n',  # a message list
    b'{"completion": null, "answer": "7"}\n',
    b'{"completion": "answer: 8",\r "answer": "8"}\n',  # a bare \r between tokens is whitespace
]


def invoke(args: list[str]):
    return CliRunner().invoke(build_cli(), args, catch_exceptions=False)


def _score(tmp_path: Path, lines: list[bytes], *extra: str, workers: str = "1"):
    inp = tmp_path / "in.jsonl"
    inp.write_bytes(b"".join(lines))
    out = tmp_path / "out.jsonl"
    res = invoke(["score", "-r", "exact_match", "-i", str(inp), "-o", str(out), "-w", workers, "-q", *extra])
    return res, out


def test_score_and_eval_read_odd_rows_alike_and_write_standard_utf8_json(tmp_path):
    res, out = _score(tmp_path, LINES)
    assert res.exit_code == 0, res.output
    text = out.read_bytes().decode("utf-8")  # valid UTF-8
    assert "NaN" not in text and "Infinity" not in text
    rows = [json.loads(line) for line in text.splitlines()]
    assert len(rows) == len(LINES)
    assert rows[0]["completion"] == "answer: \ud800 1" and rows[0]["note"] == "\udfff"  # escaped, round-trips
    assert rows[1]["score_hint"] is None and rows[1]["big"] is None
    score_status = [r["status"] for r in rows]
    assert "not valid UTF-8" in rows[2]["reason"] and rows[2]["raw"] == '{"completion": "caf\\xe9 3", "answer": "3"}'
    assert "invalid JSON" in rows[3]["reason"]
    assert "'completion' is null" in rows[6]["reason"]
    assert [s == "error" for s in score_status] == [False, False, True, True, False, False, True, False]
    assert score_status[1] == score_status[4] == score_status[5] == score_status[7] == "passed"

    report = tmp_path / "report"
    ev = invoke(["eval", "-r", "exact_match", "-i", str(tmp_path / "in.jsonl"), "-o", str(report), "-w", "1", "-q"])
    assert ev.exit_code == 0, ev.output
    stored = [json.loads(x) for x in (report / "scores.jsonl").read_text(encoding="utf-8").splitlines()[1:]]
    assert [r["status"] for r in stored] == score_status


def test_surrogate_in_a_verifier_reason_is_written(tmp_path):
    # the gold answer is echoed into the reason and details of a failed row
    res, out = _score(tmp_path, [b'{"completion": "answer: 1", "answer": "\\ud83d"}\n'], workers="2")
    assert res.exit_code == 0, res.output
    (row,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert row["answer"] == "\ud83d" and row["status"] == "failed"


def test_missing_completion_column_stops_listing_the_columns(tmp_path):
    lines = [b'{"text": "answer: 1", "answer": "1", "id": 1}\n'] * 3
    for command in ("score", "eval"):
        inp = tmp_path / "in.jsonl"
        inp.write_bytes(b"".join(lines))
        res = CliRunner().invoke(
            build_cli(), [command, "-r", "exact_match", "-i", str(inp), "-o", str(tmp_path / command), "-q"]
        )
        assert res.exit_code == 1, (command, res.output)
        assert "'completion'" in res.output and "columns: answer, id, text" in res.output
        assert "Traceback" not in res.output
    assert not (tmp_path / "score").exists()


@pytest.mark.parametrize("command", ["score", "eval"])
def test_misnamed_answer_column_stops_listing_the_columns(tmp_path, command):
    inp = tmp_path / "in.jsonl"
    inp.write_text("".join(json.dumps({"completion": f"answer: {i}", "gold": str(i)}) + "\n" for i in range(5)))
    base = [command, "-r", "exact_match", "-i", str(inp), "-q"]
    explicit = CliRunner().invoke(build_cli(), [*base, "-o", str(tmp_path / "a"), "--answer-field", "golden"])
    assert explicit.exit_code == 1 and "'golden'" in explicit.output and "columns: completion, gold" in explicit.output
    default = CliRunner().invoke(build_cli(), [*base, "-o", str(tmp_path / "b")])
    assert default.exit_code == 1 and "'answer'" in default.output and "columns: completion, gold" in default.output
    right = CliRunner().invoke(build_cli(), [*base, "-o", str(tmp_path / "c"), "--answer-field", "gold"])
    assert right.exit_code == 0, right.output


def test_no_answer_column_is_fine_for_a_verifier_that_needs_none(tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"completion": "<think>\nx\n</think>\n<answer>\n1\n</answer>"}) + "\n")
    out = tmp_path / "out.jsonl"
    res = invoke(["score", "-r", "think_answer_format", "-i", str(inp), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text())["status"] == "passed"


def test_empty_input_says_no_rows(tmp_path):
    res, out = _score(tmp_path, [b"\n", b"  \n"], "--summary-json", str(tmp_path / "s.json"))
    res = invoke(
        [
            "score",
            "-r",
            "exact_match",
            "-i",
            str(tmp_path / "in.jsonl"),
            "-o",
            str(out),
            "--summary-json",
            str(tmp_path / "s.json"),
        ]
    )
    assert res.exit_code == 0
    assert "no rows" in res.output and "0.0000" not in res.output
    assert out.read_text() == ""
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["rows"] == 0 and summary["mean_reward"] is None and summary["mean_covers"] == "no rows"


def test_summary_says_what_the_mean_covers(tmp_path):
    lines = [json.dumps({"completion": f"answer: {i}", "answer": "1"}).encode() + b"\n" for i in range(5)]
    res, out = _score(tmp_path, [*lines, b"{bad\n", b"[1]\n", b"{oops\n"], "--summary-json", str(tmp_path / "s.json"))
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["rows"] == 8 and summary["scored_rows"] == 5 and summary["mean_reward"] == pytest.approx(0.2)
    assert summary["mean_covers"] == "over 5 scored rows; 3 unreadable rows excluded"
    shown = invoke(["score", "-r", "exact_match", "-i", str(tmp_path / "in.jsonl"), "-o", str(out)])
    assert "over 5 scored rows; 3 unreadable rows excluded" in " ".join(shown.output.split())


def test_output_folder_is_created_and_unwritable_places_fail_before_scoring(tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"completion": "answer: 1", "answer": "1"}) + "\n")
    deep = tmp_path / "new" / "sub" / "out.jsonl"
    res = invoke(["score", "-r", "exact_match", "-i", str(inp), "-o", str(deep), "-q"])
    assert res.exit_code == 0, res.output
    assert json.loads(deep.read_text())["status"] == "passed"
    (tmp_path / "plain").write_text("a file, not a folder")
    blocked = invoke(["score", "-r", "exact_match", "-i", str(inp), "-o", str(tmp_path / "plain" / "out.jsonl"), "-q"])
    assert blocked.exit_code == 1 and "cannot create the output folder" in blocked.output
    assert "Traceback" not in blocked.output and ".tmp" not in blocked.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_output_or_summary_is_one_clear_line(tmp_path):  # pragma: no cover - runs as a normal user
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"completion": "answer: 1", "answer": "1"}) + "\n")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    for extra in (
        ["-o", str(locked / "out.jsonl")],
        ["-o", str(tmp_path / "o.jsonl"), "--summary-json", str(locked / "s.json")],
    ):
        res = CliRunner().invoke(build_cli(), ["score", "-r", "exact_match", "-i", str(inp), "-q", *extra])
        assert res.exit_code == 1 and "permission denied" in res.output and "Traceback" not in res.output


def test_unwritable_summary_path_fails_before_scoring(tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"completion": "answer: 1", "answer": "1"}) + "\n")
    (tmp_path / "file").write_text("x")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(
        build_cli(),
        [
            "score",
            "-r",
            "exact_match",
            "-i",
            str(inp),
            "-o",
            str(out),
            "--summary-json",
            str(tmp_path / "file" / "s.json"),
        ],
    )
    assert res.exit_code == 1 and "Traceback" not in res.output and "file" in res.output
    assert not out.exists()  # nothing was scored


def test_score_help_describes_every_field_option():
    res = invoke(["score", "--help"])
    text = " ".join(res.output.split())
    for option, words in [
        ("--completion-field", "completion text"),
        ("--messages-field", "chat turns"),
        ("--answer-field", "gold answer"),
        ("--prompt-field", "prompt"),
    ]:
        assert f"{option} TEXT Column holding" in text and words in text
    assert "--row-timeout" in text and "--resume" in text
