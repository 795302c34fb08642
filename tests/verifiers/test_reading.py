"""One reader: `aha score`, `aha eval` and the trainer read the same file alike, with one error type."""

from __future__ import annotations

import json
import pickle

import pytest

from verifiers.reading import ReadError, iter_rows, load_json_line

LINES = [
    b'{"prompt": "p1", "completion": "<answer>4</answer>", "answer": "4"}\n',
    b'{"prompt": "p2", "completion": "caf\xe9 3", "answer": "3"}\n',  # not UTF-8
    b'{"prompt": "p3", "completion": "x\r", "answer": "1"}\n',  # a bare carriage return inside a string
    b"\n",
    b'{"prompt": "p5", "completion": [{"role": "assistant", "content": "7"}], "answer": "7"}\n',
    b'{"prompt": "p6", "completion": {"role": "assistant", "content": "8"}, "answer": "8"}\n',
    b"[1, 2]\n",
]


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(b"".join(LINES))
    return path


def test_error_type_names_file_line_row_and_field():
    assert str(ReadError("invalid JSON", path="d.jsonl", line=3)) == "d.jsonl:3: invalid JSON"
    assert str(ReadError("invalid JSON", line=3)) == "line 3: invalid JSON"
    assert str(ReadError("is null", path="d.parquet", row=2, field="completion")) == (
        "d.parquet: row 2: field 'completion': is null"
    )
    assert str(ReadError("plain message")) == "plain message"
    err = pickle.loads(pickle.dumps(ReadError("bad", path="f", line=4, field="x")))
    assert (str(err), err.path, err.line, err.field, err.lineno) == ("f:4: field 'x': bad", "f", 4, "x", 4)


def test_the_old_error_names_are_the_one_type():
    from trainer.data import DataError
    from verifiers.evaluation import InputError
    from verifiers.rows import MalformedRow

    assert DataError is InputError is MalformedRow is ReadError


def test_score_and_eval_see_the_same_rows_and_problems(data, tmp_path):
    from verifiers.registry import create
    from verifiers.score_file import score_file

    items = list(iter_rows(data, "jsonl"))
    assert [i.line for i in items] == [1, 2, 3, 5, 6, 7]
    eval_problems = {i.line: i.problem for i in items if i.problem}
    out = tmp_path / "out.jsonl"
    score_file(create("exact_match"), data, out)
    scored = [json.loads(line) for line in out.read_text().splitlines()]
    score_problems = {r["line"]: r["reason"] for r in scored if "line" in r}
    assert score_problems == eval_problems
    assert set(eval_problems) == {2, 3, 7}
    assert eval_problems[2].startswith("line 2: not valid UTF-8")
    assert eval_problems[3].startswith("line 3: invalid JSON")
    assert [r["status"] for r in scored if "line" not in r] == ["passed", "passed", "passed"]


@pytest.mark.parametrize("bad", [2, 3, 7])
def test_the_trainer_stops_at_the_first_bad_line_naming_it(tmp_path, bad):
    from trainer.data import DataError, load_rows

    path = tmp_path / "t.jsonl"
    path.write_bytes(LINES[0] + b"\n" + LINES[bad - 1] + LINES[0])
    with pytest.raises(DataError) as info:
        load_rows(path)
    assert str(info.value).startswith(f"{path}:3: ")
    assert info.value.line == 3 and info.value.path == str(path)
    if bad == 7:
        assert str(info.value).endswith("each line must be a JSON object, got list")
    else:
        assert str(info.value).endswith(load_json_line_problem(LINES[bad - 1], 3))


def load_json_line_problem(raw: bytes, line: int) -> str:
    """The problem the reader names for one bad line."""
    with pytest.raises(ReadError) as info:
        load_json_line(line, raw)
    return info.value.problem


def test_the_trainer_reads_message_completions_and_bare_cr_like_the_others(tmp_path):
    from trainer.data import load_rows

    path = tmp_path / "ok.jsonl"
    path.write_bytes(LINES[0] + b'{"prompt": "a\\rb", "answer": "1"}\r\n' + LINES[4] + LINES[5])
    rows = load_rows(path)
    assert [r.where for r in rows] == [f"{path}:{n}" for n in (1, 2, 3, 4)]
    assert rows[1].data["prompt"] == "a\rb"
    assert [r.data for r in rows] == [i.row for i in iter_rows(path, "jsonl")]


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        (b'{"completion": null}', "completion", "line 4: field 'completion' is null"),
        (b'{"messages": 5}', "messages", "line 4: field 'messages' must be a string, a message or a list of messages"),
        (b'{"prompt": "p"}', "completion", "line 4: row has no 'completion' or 'messages' field"),
    ],
)
def test_a_row_without_a_usable_completion_names_line_and_field(line, field, message):
    from verifiers.rows import Fields, parse_line

    with pytest.raises(ReadError) as info:
        parse_line(4, line, Fields())
    assert (info.value.line, info.value.field) == (4, field)
    assert str(info.value).startswith(message)
