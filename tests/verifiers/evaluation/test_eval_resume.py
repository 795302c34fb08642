"""Scores are appended chunk by chunk; an eval killed mid-run resumes without losing or repeating rows."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import slow_plugin
from eval_helpers import evaluate, write_jsonl

from verifiers.evaluation import ScoreStore, StoreError

HERE = Path(__file__).parent
N_ROWS = 3000


def _rows(n: int) -> list[dict]:
    rows = []
    for i in range(n):
        gold = i % 37
        guess = gold if i % 3 else gold + 1
        rows.append(
            {"prompt": f"q{i // 4}", "completion": f"work {'x' * (i % 50)} \\boxed{{{guess}}}", "answer": str(gold)}
        )
    return rows


def _stored(path: Path) -> list[dict]:
    lines = path.read_text().splitlines()
    assert json.loads(lines[0])["aha_eval_scores"] == 1
    return [json.loads(x) for x in lines[1:]]


def _numbers(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if k not in ("settings", "timing", "generated", "aha_version")}


def test_store_cuts_a_half_written_line_and_keeps_whole_ones(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", _rows(40))
    out = tmp_path / "out"
    full = evaluate(data, out, chunk_size=8)
    expected = _stored(out / "scores.jsonl")
    text = (out / "scores.jsonl").read_text()
    lines = text.splitlines(keepends=True)
    # as if killed while writing row 21: rows 0-20 whole, row 21 half
    (out / "scores.jsonl").write_text("".join(lines[:22]) + lines[22][:15])
    resumed = evaluate(data, out, chunk_size=8)
    assert resumed.timing["scoring"]["resumed_rows"] == 21
    assert resumed.timing["scoring"]["scored_rows"] == 19
    assert _stored(out / "scores.jsonl") == expected
    assert _numbers(resumed.metrics) == _numbers(full.metrics)


def test_store_sorts_and_deduplicates_out_of_order_lines(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", _rows(10))
    out = tmp_path / "out"
    evaluate(data, out)
    expected = _stored(out / "scores.jsonl")
    lines = (out / "scores.jsonl").read_text().splitlines(keepends=True)
    (out / "scores.jsonl").write_text(lines[0] + "".join(reversed(lines[1:6])) + lines[3])
    evaluate(data, out)
    assert _stored(out / "scores.jsonl") == expected


def test_resume_refuses_another_input_or_reward(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", _rows(10))
    out = tmp_path / "out"
    evaluate(data, out)
    with pytest.raises(StoreError, match="reward"):
        evaluate(data, out, reward="exact_match:case_sensitive=true")
    write_jsonl(data, _rows(11))
    with pytest.raises(StoreError, match="input"):
        evaluate(data, out)
    assert evaluate(data, out, restart=True).metrics["rows"] == 11


def test_a_damaged_line_in_the_middle_is_an_error(tmp_path):
    store = ScoreStore(tmp_path / "s.jsonl", {"x": 1})
    store.open()
    store.append(['{"i": 0, "score": 1}\n', "garbage\n", '{"i": 2, "score": 1}\n'])
    store.close()
    with pytest.raises(StoreError, match="line 3 is damaged"):
        ScoreStore(tmp_path / "s.jsonl", {"x": 1}).open()


def test_limit_then_the_rest(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", _rows(30))
    out = tmp_path / "out"
    first = evaluate(data, out, limit=12)
    assert first.metrics["rows"] == 12
    rest = evaluate(data, out)
    assert rest.timing["scoring"]["resumed_rows"] == 12 and rest.timing["scoring"]["scored_rows"] == 18
    assert [r["i"] for r in _stored(out / "scores.jsonl")] == list(range(30))


def test_killed_aha_eval_resumes_without_losing_or_repeating_rows(tmp_path, aha_registry):
    data = write_jsonl(tmp_path / "big.jsonl", _rows(N_ROWS))
    out = tmp_path / "out"
    args = ["eval", "-r", "slow_exact:delay=0.002", "-i", str(data), "-o", str(out), "-w", "2", "--chunk-size", "50"]
    driver = (
        "import sys, slow_plugin; from verifiers import get_registry; "
        "get_registry().add_plugin(slow_plugin, 'slow'); from verifiers.cli import main; main(sys.argv[1:])"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen(
        [sys.executable, "-c", driver, *args],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    scores = out / "scores.jsonl"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if scores.exists() and scores.stat().st_size > 30_000:  # a few hundred rows in
                break
            time.sleep(0.02)
        assert proc.poll() is None, f"eval ended before it could be killed: {proc.stderr.read().decode()[-2000:]}"
        os.killpg(proc.pid, signal.SIGKILL)  # the command and its worker processes, mid-run
    finally:
        proc.wait(timeout=30)
    killed_rows = len(scores.read_text().splitlines()) - 1
    assert 0 < killed_rows < N_ROWS
    assert not (out / "report.html").exists()

    resumed = subprocess.run(
        [sys.executable, "-c", driver, *args, "-q"], env=env, capture_output=True, text=True, timeout=120
    )
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text())
    scoring = metrics["timing"]["scoring"]
    assert scoring["resumed_rows"] >= killed_rows - 1  # at most one half-written line is dropped
    assert scoring["resumed_rows"] + scoring["scored_rows"] == N_ROWS
    records = _stored(scores)
    assert [r["i"] for r in records] == list(range(N_ROWS))

    # the same eval, uninterrupted, in this process
    aha_registry.add_plugin(slow_plugin, "slow")
    reference = evaluate(data, tmp_path / "ref", reward="slow_exact:delay=0")
    assert [{k: v for k, v in r.items()} for r in _stored(tmp_path / "ref" / "scores.jsonl")] == records
    assert _numbers(metrics) == json.loads(json.dumps(_numbers(reference.metrics)))
