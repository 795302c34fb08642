"""The calculator example writes transcripts that `aha score` scores as the episodes did."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from verifiers.cli import build_cli

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "examples" / "environments" / "calculator_episodes.py"


def test_example_transcripts_score_like_their_episodes(tmp_path):
    out = tmp_path / "t.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AHA_BLOCK_PLUGINS": "wordcount"}
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "-o", str(out), "-n", "10"], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 10 and all(r["episode_status"] == "completed" for r in rows)
    used_tool = [any(m["role"] == "tool" for m in r["messages"]) for r in rows]
    assert any(used_tool) and not all(used_tool)
    rewards = check_scores(rows, out, tmp_path)
    assert f"mean reward {sum(rewards) / 10:.2f}" in run.stdout


def test_the_bundled_transcripts_file_scores_the_same_way(tmp_path):
    path = ROOT / "examples" / "environments" / "transcripts.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert rows and all(r["messages"][-1]["role"] == "assistant" for r in rows)
    check_scores(rows, path, tmp_path)


def check_scores(rows, path, tmp_path):
    """Score the transcripts with `aha score`: right exactly when the calculator was used or no carry was due."""
    used_tool = [any(m["role"] == "tool" for m in r["messages"]) for r in rows]
    scored = tmp_path / "s.jsonl"
    res = CliRunner().invoke(build_cli(), ["score", "-r", "exact_match", "-i", str(path), "-o", str(scored)])
    assert res.exit_code == 0, res.output
    rewards = [json.loads(line)["reward"] for line in scored.read_text().splitlines()]
    # every episode that used the calculator is right; the carry-less answers without it are wrong when a carry is due
    for row, reward, tool in zip(rows, rewards, used_tool, strict=True):
        a, b = (int(x) for x in row["messages"][1]["content"].rstrip("=").split("+"))
        carry = (a % 10 + b % 10) >= 10 or (a // 10 + b // 10) >= 10
        assert reward == (1.0 if tool or not carry else 0.0)
    return rewards
