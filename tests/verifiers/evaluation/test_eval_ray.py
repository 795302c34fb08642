"""`--engine ray` on a local Ray instance with 2 CPUs scores exactly what the local pool scores."""

from __future__ import annotations

import json

import pytest
from eval_helpers import write_jsonl

pytest.importorskip("ray", reason="needs Ray (pip install 'aha[ray]')")


def test_ray_engine_matches_the_local_pool(tmp_path):
    from click.testing import CliRunner

    from verifiers.evaluation.command import eval_command

    rows = [
        {"prompt": f"q{i // 3}", "completion": f"\\boxed{{{i % 5}}}", "answer": str(i % 4), "level": i % 2}
        for i in range(300)
    ]
    data = write_jsonl(tmp_path / "d.jsonl", rows + [{"prompt": "q"}])
    runner = CliRunner()
    common = ["-r", "exact_match", "-i", str(data), "--by", "level", "--chunk-size", "40", "-q"]
    local = runner.invoke(eval_command, [*common, "-o", str(tmp_path / "local"), "-w", "2"])
    assert local.exit_code == 0, local.output
    ray_run = runner.invoke(eval_command, [*common, "-o", str(tmp_path / "ray"), "--engine", "ray", "-w", "2"])
    assert ray_run.exit_code == 0, ray_run.output

    def numbers(name):
        m = json.loads((tmp_path / name / "metrics.json").read_text())
        return {k: v for k, v in m.items() if k not in ("settings", "timing", "generated")}

    assert (tmp_path / "ray" / "scores.jsonl").read_text().splitlines()[1:] == (
        (tmp_path / "local" / "scores.jsonl").read_text().splitlines()[1:]
    )
    assert numbers("ray") == numbers("local")
    assert numbers("ray")["rows"] == 301 and numbers("ray")["statuses"]["error"] == 1
    settings = json.loads((tmp_path / "ray" / "metrics.json").read_text())["settings"]
    assert settings["engine"] == "ray"
