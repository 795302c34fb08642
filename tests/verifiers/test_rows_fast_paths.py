"""The fast read and write paths of rows give exactly what the plain json module paths give."""

from __future__ import annotations

import json
import math

import pytest

from verifiers.result import Result, Status
from verifiers.rows import MalformedRow, json_bytes, json_line, load_json_line
from verifiers.summary import ScoreStats

ODD_VALUES = [
    {"a": 1, "b": [1.5, -0.0, 1e300, None, True], "c": {"d": "é ✓ 中"}},
    {"big": 2**80, "neg": -(2**70), "tiny": 5e-324},
    {"nan": float("nan"), "inf": [float("inf")]},
    {"lone": "x\ud800y"},
    {"obj": object()},
    {"nested": [[[[{"k": "v"}]]]], "esc": 'quote " back \\ tab \t nl \n ctrl \x01'},
]


@pytest.mark.parametrize("value", ODD_VALUES)
def test_json_bytes_is_json_line_encoded(value):
    assert json_bytes(value) == json_line(value).encode("utf-8")


def test_json_bytes_matches_json_dumps_for_plain_rows():
    row = {"id": 3, "completion": "é\n<answer>4</answer>", "reward": 1.0, "details": {"m": [1, 2.5]}}
    assert json_bytes(row) == json.dumps(row, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    "line",
    [
        b'{"a": 12345678901234567890123, "b": 1e400, "c": NaN, "d": "\\ud800"}\n',
        b'  {"x": [1, {"y": null}]}  \r\n',
        '{"t": "é"}',
    ],
)
def test_load_json_line_reads_like_the_json_module(line):
    text = line.decode("utf-8") if isinstance(line, bytes) else line
    expected = json.loads(text, parse_constant=lambda name: None)
    got = load_json_line(1, line)
    assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (b'{"a": 1} {"b": 2}', "invalid JSON (Extra data at column 10)"),
        (b'{"a": ', "invalid JSON (Expecting value at column 6)"),
        (b"[1, 2]", "expected a JSON object, got list"),
        (b'"text"', "expected a JSON object, got str"),
        (b'{"a": "\xff"}', "not valid UTF-8 (invalid start byte at byte 7)"),
        (b"[" * 100_000, "JSON nested too deeply"),
    ],
)
def test_load_json_line_names_the_problem(line, problem):
    with pytest.raises(MalformedRow) as info:
        load_json_line(7, line)
    assert str(info.value) == f"line 7: {problem}"


def test_add_many_counts_like_add():
    results = [
        Result(1.0, Status.PASSED, "ok", verifier="a", elapsed=0.5),
        Result(0.0, Status.FAILED, "no", verifier="a", elapsed=0.25),
        Result(0.3, Status.PASSED, "part", details={"fired": ["r1", {"id": "r2"}]}, verifier="b", elapsed=0.1),
        Result(0.0, Status.UNVERIFIABLE, "?", verifier="a", elapsed=0.0),
    ]
    one, many = ScoreStats(), ScoreStats()
    for r in results:
        one.add(r)
    many.add_many(results)
    assert many.to_dict() == one.to_dict()
    assert list(many.statuses) == list(one.statuses)
    assert math.isclose(many.reward_sq_total, 1.09)


@pytest.mark.parametrize("one_by_one", [False, True])
def test_score_lines_keeps_malformed_lines_in_place(one_by_one):
    from verifiers.registry import create
    from verifiers.rows import Fields
    from verifiers.score_file import score_lines

    chunk = [
        (1, b'{"completion": "<answer>4</answer>", "answer": "4"}\n'),
        (2, b"not json\n"),
        (3, b'{"completion": "5", "answer": "4", "id": "\xc3\xa9"}\n'),
        (5, b'{"answer": "4"}\n'),
    ]
    marked: list[int] = []
    out = score_lines(chunk, create("exact_match"), Fields(), marked.append if one_by_one else None)
    lines = [json.loads(line) for line in out.payload.decode("utf-8").splitlines()]
    assert [line.get("line") for line in lines] == [None, 2, None, 5]
    assert [line["status"] for line in lines] == ["passed", "error", "failed", "error"]
    assert lines[2]["id"] == "é" and lines[2]["reward"] == 0.0
    assert out.payload.endswith(b"\n") and out.rows == 4
    assert str(out.first_bad).startswith("line 2: invalid JSON")
    assert list(out.stats.statuses) == ["passed", "error", "failed"]
    assert out.stats.malformed == 2 and out.stats.rows == 4
    assert marked == ([0, 2] if one_by_one else [])
