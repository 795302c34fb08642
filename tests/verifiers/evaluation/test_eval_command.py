"""The `aha eval` command: options, progress bar, summary, and the lead's `aha` group."""

from __future__ import annotations

import json

from click.testing import CliRunner
from eval_helpers import BAD_LINE, ROWS, write_jsonl

from verifiers.evaluation.command import eval_command


def test_progress_bar_summary_and_files(tmp_path):
    data = write_jsonl(tmp_path / "hand.jsonl", ROWS, (BAD_LINE,))
    result = CliRunner().invoke(
        eval_command,
        ["-r", "exact_match", "-i", str(data), "-o", str(tmp_path / "o"), "-w", "1", "--k", "1,2", "-l", "human"],
    )
    assert result.exit_code == 0, result.output
    assert "scoring" in result.output and "rows/s" in result.output and "ETA" in result.output
    assert "12/12" in result.output
    assert "agreement with labels" in result.output and "62.5% of 8" in result.output
    assert "report.html" in result.output.replace("\n", "")  # a long tmp path (pytest-xdist's) wraps the line
    metrics = json.loads((tmp_path / "o" / "metrics.json").read_text())
    assert list(metrics["pass_at_k"]) == ["1", "2"]
    assert metrics["settings"]["label"] == "human"


def test_rerun_resumes_and_says_so(tmp_path):
    data = write_jsonl(tmp_path / "hand.jsonl", ROWS)
    runner = CliRunner()
    args = ["-r", "exact_match", "-i", str(data), "-o", str(tmp_path / "o"), "-w", "1"]
    assert runner.invoke(eval_command, args).exit_code == 0
    again = runner.invoke(eval_command, [*args, "--by", "level"])
    assert again.exit_code == 0, again.output
    assert "11 of 11 rows already scored" in again.output
    assert "all rows resumed" in again.output
    metrics = json.loads((tmp_path / "o" / "metrics.json").read_text())
    assert metrics["timing"]["scoring"]["scored_rows"] == 0 and "level" in metrics["by"]


def test_default_output_folder_and_bad_k(tmp_path, monkeypatch):
    data = write_jsonl(tmp_path / "hand.jsonl", ROWS)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(eval_command, ["-r", "exact_match", "-i", str(data), "-q", "-w", "1"]).exit_code == 0
    assert (tmp_path / "hand.jsonl.eval" / "report.html").exists()
    bad = runner.invoke(eval_command, ["-r", "exact_match", "-i", str(data), "--k", "0,2"])
    assert bad.exit_code == 2 and "at least 1" in bad.output


def test_wired_into_the_aha_group(tmp_path):
    from verifiers.cli import cli

    data = write_jsonl(tmp_path / "hand.jsonl", ROWS)
    result = CliRunner().invoke(
        cli, ["eval", "-r", "exact_match", "-i", str(data), "-o", str(tmp_path / "o"), "-q", "-w", "1"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "summary.md").exists()
