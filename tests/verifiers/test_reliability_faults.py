"""A verifier that kills its process or hangs costs one row, never the run: aha score, aha eval and Scorer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import reliability_plugin
from click.testing import CliRunner
from reliability_plugin import Crashy, Sleepy

from verifiers import Scorer, Status, compose
from verifiers.cli import build_cli
from verifiers.rows import Fields
from verifiers.score_file import score_file


def _write(path: Path, completions: list[str]) -> Path:
    path.write_text(
        "".join(json.dumps({"id": i, "completion": c, "answer": "x"}) + "\n" for i, c in enumerate(completions))
    )
    return path


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("death", ["EXIT", "SEGV"])
def test_a_dying_verifier_gives_one_error_row_and_the_run_goes_on(tmp_path, workers, death):
    completions = ["ok"] * 5 + [death] + ["ok"] * 6 + [death] + ["ok"] * 3
    inp = _write(tmp_path / "in.jsonl", completions)
    out = tmp_path / "out.jsonl"
    stats = score_file(Crashy(), inp, out, workers=workers, chunk_size=4)
    rows = _read(out)
    assert [r["id"] for r in rows] == list(range(len(completions)))
    for row, completion in zip(rows, completions):
        if completion == death:
            assert row["status"] == "error" and "worker process died" in row["reason"]
            assert "'crashy'" in row["reason"]
        else:
            assert row["status"] == "passed", row
    assert stats.statuses == {"passed": 14, "error": 2}


def test_a_hanging_verifier_times_out_and_its_worker_is_replaced(tmp_path):
    completions = ["a", "b", "SLOW", "c", "d", "SLOW", "e"]
    inp = _write(tmp_path / "in.jsonl", completions)
    out = tmp_path / "out.jsonl"
    reward = compose(Sleepy(long=60.0))
    stats = score_file(reward, inp, out, workers=1, chunk_size=3, row_timeout=0.5)
    rows = _read(out)
    assert [r["id"] for r in rows] == list(range(7))
    assert [r["status"] for r in rows] == ["passed", "passed", "timeout", "passed", "passed", "timeout", "passed"]
    assert "verifier 'sleepy'" in rows[2]["reason"] and "0.5 s row timeout" in rows[2]["reason"]
    assert stats.statuses["timeout"] == 2


def test_score_cli_row_timeout_option(tmp_path, aha_registry):
    aha_registry.add_plugin(reliability_plugin, "reliability")
    inp = _write(tmp_path / "in.jsonl", ["a", "SLOW", "b"])
    out = tmp_path / "out.jsonl"
    args = ["score", "-r", "sleepy:long=60", "-i", str(inp), "-o", str(out), "-w", "2", "--row-timeout", "0.5", "-q"]
    res = CliRunner().invoke(build_cli(), args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert [r["status"] for r in _read(out)] == ["passed", "timeout", "passed"]
    too_long = CliRunner().invoke(build_cli(), [*args[:-3], "--row-timeout", "100000"])
    assert too_long.exit_code == 2 and "--row-timeout" in too_long.output


@pytest.mark.parametrize("workers", [1, 2])
def test_scorer_survives_a_dying_verifier(workers):
    samples = ["ok", "EXIT", "ok", "SEGV", "ok"]
    with Scorer(Crashy(), workers=workers, chunk_size=2, row_timeout=30) as scorer:
        results = scorer.score(samples)
        again = scorer.score(["ok", "ok"])
    assert [r.status for r in results] == [Status.PASSED, Status.ERROR, Status.PASSED, Status.ERROR, Status.PASSED]
    assert results[1].verifier == "crashy" and "died" in results[1].reason
    assert all(r.passed for r in again)


def test_scorer_row_timeout():
    with Scorer(Sleepy(long=60), workers=2, chunk_size=2, row_timeout=0.5) as scorer:
        results = scorer.score(["a", "SLOW", "b"])
    assert [r.status for r in results] == [Status.PASSED, Status.TIMEOUT, Status.PASSED]
    with pytest.raises(ValueError, match="row_timeout"):
        Scorer(Sleepy(), row_timeout=0)


def test_eval_survives_a_dying_verifier(tmp_path, aha_registry):
    aha_registry.add_plugin(reliability_plugin, "reliability")
    inp = _write(tmp_path / "in.jsonl", ["ok", "EXIT", "ok", "ok"])
    res = CliRunner().invoke(
        build_cli(), ["eval", "-r", "crashy", "-i", str(inp), "-o", str(tmp_path / "rep"), "-w", "1", "-q"]
    )
    assert res.exit_code == 0, res.output
    stored = [json.loads(x) for x in (tmp_path / "rep" / "scores.jsonl").read_text().splitlines()[1:]]
    assert [r["status"] for r in stored] == ["passed", "error", "passed", "passed"]
    assert "crashy" in stored[1]["reason"]


def test_field_options_are_passed_to_workers(tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"text": "EXIT"}) + "\n" + json.dumps({"text": "fine"}) + "\n")
    out = tmp_path / "out.jsonl"
    score_file(Crashy(), inp, out, workers=1, fields=Fields(completion="text"))
    assert [r["status"] for r in _read(out)] == ["error", "passed"]


def test_a_worker_killed_while_idle_is_replaced():
    with Scorer(Crashy(), workers=1, chunk_size=2, row_timeout=30) as scorer:
        assert all(r.passed for r in scorer.score(["a", "b", "c"]))
        (worker,) = scorer._pool._workers
        worker.proc.kill()
        worker.proc.join(5)
        assert all(r.passed for r in scorer.score(["d", "e", "f"]))


class BatchCrashy(Crashy):
    """Crashy with its own batch method (scored a chunk at a time, like math_equivalence or a judge)."""

    name = "batch_crashy"

    def batch(self, samples):
        return [self(s) for s in samples]


class BatchSleepy(Sleepy):
    """Sleepy with its own batch method."""

    name = "batch_sleepy"

    def batch(self, samples):
        return [self(s) for s in samples]


def test_a_batch_that_dies_or_overruns_is_scored_again_row_by_row():
    with Scorer(BatchCrashy(), workers=2, chunk_size=3, row_timeout=30) as scorer:
        results = scorer.score(["a", "EXIT", "b", "c", "d"])
    assert [r.status for r in results] == [Status.PASSED, Status.ERROR, Status.PASSED, Status.PASSED, Status.PASSED]
    assert "batch_crashy" in results[1].reason
    with Scorer(BatchSleepy(long=60), workers=1, chunk_size=3, row_timeout=0.3) as scorer:
        results = scorer.score(["a", "SLOW", "b", "c"])
    assert [r.status for r in results] == [Status.PASSED, Status.TIMEOUT, Status.PASSED, Status.PASSED]
