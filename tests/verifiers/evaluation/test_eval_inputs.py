"""Reading JSONL, CSV, Parquet and datasets folders; malformed files and rows name the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from eval_helpers import evaluate, write_jsonl

from verifiers.evaluation import InputError, count_rows, detect_format, iter_rows
from verifiers.evaluation.command import eval_command

ROWS = [
    {"prompt": "p1", "completion": "\\boxed{1}", "answer": "1", "grade": "a"},
    {"prompt": "p1", "completion": "\\boxed{2}", "answer": "1", "grade": "b"},
    {"prompt": "p2", "completion": "\\boxed{3}", "answer": "3", "grade": "a"},
]


def _expected_metrics(tmp_path: Path) -> dict:
    return evaluate(write_jsonl(tmp_path / "ref.jsonl", ROWS), tmp_path / "ref", by=("grade",)).metrics


def _same_numbers(a: dict, b: dict) -> None:
    for key in ("rows", "statuses", "reward", "pass_at_k", "by", "length"):
        assert a[key] == b[key], key


def test_csv_parquet_and_datasets_give_the_same_numbers_as_jsonl(tmp_path):
    import datasets
    import pyarrow as pa
    import pyarrow.parquet as pq

    expected = _expected_metrics(tmp_path)
    csv_path = tmp_path / "rows.csv"
    csv_path.write_text(
        "prompt,completion,answer,grade\n"
        + "".join(f'{r["prompt"]},"{r["completion"]}",{r["answer"]},{r["grade"]}\n' for r in ROWS)
    )
    pq_path = tmp_path / "rows.parquet"
    pq.write_table(pa.Table.from_pylist(ROWS), pq_path, row_group_size=2)
    ds_path = tmp_path / "rows_ds"
    datasets.Dataset.from_list(ROWS).save_to_disk(str(ds_path))
    for path, fmt in ((csv_path, "csv"), (pq_path, "parquet"), (ds_path, "datasets")):
        assert detect_format(path) == fmt
        assert count_rows(path, fmt) == 3
        got = evaluate(path, tmp_path / f"out_{fmt}", by=("grade",)).metrics
        _same_numbers(got, expected)


def test_datasets_dict_needs_a_split(tmp_path):
    import datasets

    path = tmp_path / "dd"
    datasets.DatasetDict(
        {"train": datasets.Dataset.from_list(ROWS), "test": datasets.Dataset.from_list(ROWS[:1])}
    ).save_to_disk(str(path))
    with pytest.raises(InputError, match="choose one with --split"):
        count_rows(path, "datasets")
    assert evaluate(path, tmp_path / "out", split="test").metrics["rows"] == 1


def test_reading_from_an_offset_skips_rows(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"completion": str(i)} for i in range(10)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "r.parquet", row_group_size=3)
    write_jsonl(tmp_path / "r.jsonl", rows)
    for name, fmt in (("r.parquet", "parquet"), ("r.jsonl", "jsonl")):
        got = [(r.index, r.row["completion"]) for r in iter_rows(tmp_path / name, fmt, start=4)]
        assert got == [(i, str(i)) for i in range(4, 10)]


def test_malformed_jsonl_lines_become_error_rows_naming_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps(ROWS[0]) + "\n\n"  # a blank line is not a row
        "{not json\n" + "[1, 2]\n" + json.dumps({"prompt": "p"}) + "\n" + json.dumps(ROWS[2]) + "\n"
    )
    out = evaluate(path, tmp_path / "out")
    m = out.metrics
    assert m["rows"] == 5 and m["statuses"]["error"] == 3 and m["statuses"]["passed"] == 2
    reasons = [e["reason"] for e in m["examples"]["problems"]]
    assert reasons[0].startswith("line 3: invalid JSON")
    assert reasons[1] == "line 4: expected a JSON object, got list"
    assert reasons[2] == "line 5: row has no 'completion' or 'messages' field"
    stored = [json.loads(x) for x in out.paths["scores"].read_text().splitlines()[1:]]
    assert [r["i"] for r in stored] == [0, 1, 2, 3, 4]


def test_strict_stops_at_the_first_malformed_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n" + '{"completion": "x", }\n')
    result = CliRunner().invoke(
        eval_command, ["-r", "exact_match", "-i", str(path), "-o", str(tmp_path / "o"), "--strict", "-q", "-w", "1"]
    )
    assert result.exit_code == 1
    assert "line 2: invalid JSON" in result.output and str(path) in result.output


def test_malformed_csv_row_and_bad_encoding(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('completion,answer\n"\\boxed{1}",1\n"a, b",1,extra\n"multi\nline",2\n')
    rows = list(iter_rows(path, "csv"))
    assert rows[1].problem == "line 3: expected 2 fields (as in the header), found 3"
    assert rows[2].row == {"completion": "multi\nline", "answer": "2"} and rows[2].where == "line 4"
    binary = tmp_path / "latin.csv"
    binary.write_bytes(b"completion,answer\nok,1\ncaf\xe9,2\n")
    with pytest.raises(InputError, match="not valid UTF-8"):
        list(iter_rows(binary, "csv"))


def test_a_file_that_is_not_parquet_is_a_clear_error(tmp_path):
    path = tmp_path / "fake.parquet"
    path.write_text("hello")
    result = CliRunner().invoke(eval_command, ["-r", "exact_match", "-i", str(path), "-o", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 1 and "not a readable Parquet file" in result.output


def test_unknown_suffix_and_missing_column_are_clear_errors(tmp_path):
    odd = tmp_path / "rows.txt"
    odd.write_text("x")
    with pytest.raises(InputError, match="--format"):
        detect_format(odd)
    data = write_jsonl(tmp_path / "rows.jsonl", ROWS)
    runner = CliRunner()
    result = runner.invoke(
        eval_command, ["-r", "exact_match", "-i", str(data), "-o", str(tmp_path / "o"), "-q", "--label", "humn"]
    )
    assert result.exit_code == 1
    assert "no column 'humn' (--label)" in result.output and "grade" in result.output
    result = runner.invoke(
        eval_command,
        ["-r", "exact_match", "-i", str(data), "-q", "--completion-field", "text", "-o", str(tmp_path / "o")],
    )
    assert "no column 'text' (--completion-field)" in result.output
    result = runner.invoke(eval_command, ["-r", "no_such_verifier", "-i", str(data), "-q", "-o", str(tmp_path / "o")])
    assert result.exit_code == 1 and "no verifier named 'no_such_verifier'" in result.output


def test_empty_input_is_an_error(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n")
    with pytest.raises(InputError, match="no rows"):
        evaluate(path, tmp_path / "o")
