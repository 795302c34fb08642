"""bench/run.py: every benchmark names scripts that exist, the README lists them all, and a run is logged."""

from __future__ import annotations

import json
import re
import sys

import pytest
from bench_scripts import BENCH, load_bench

run = load_bench("run")
ROOT = BENCH.parent


def test_every_command_names_a_script_or_test_path_that_exists():
    for b in run.BENCHMARKS.values():
        for command in b.commands:
            paths = [w for w in command if re.match(r"(bench|tests|examples)/", w)]
            assert paths or "verifiers.cli" in command, (b.name, command)
            for word in paths:
                assert (ROOT / word).exists(), f"{b.name}: {word} does not exist"


def test_every_command_fills_in_and_the_groups_name_real_benchmarks():
    values = {"python": sys.executable, "vllm_site": "/v", "unsloth_site": "/u", "dir": "/d"}
    for b in run.BENCHMARKS.values():
        assert b.where in ("cpu", "gpu", "gpu x2") and b.measures
        for command in b.commands:
            filled = [run.fill(w, values) for w in command]
            assert not any("{" in w for w in filled), (b.name, filled)
    for members in run.GROUPS.values():
        assert set(members) <= set(run.BENCHMARKS)
    assert [b.name for b in run.expand(["score-throughput", "cpu"])][:2] == ["score-throughput", "score-vs-loop"]
    with pytest.raises(SystemExit, match="unknown benchmark"):
        run.expand(["no-such-benchmark"])


def test_the_readme_lists_every_benchmark_with_its_script():
    readme = (BENCH / "README.md").read_text()
    for b in run.BENCHMARKS.values():
        assert f"`{b.name}`" in readme, b.name
        scripts = {w for c in b.commands for w in c if w.startswith("bench/")}
        assert all(s in readme for s in scripts), (b.name, scripts)
    for group in run.GROUPS:
        assert f"`{group}`" in readme


def test_a_run_logs_each_command_and_reports_a_failure_without_stopping(tmp_path):
    ok = run.Benchmark("ok", "prints", "cpu", (("{python}", "-c", "print('hello from {dir}')"),), env={"X": "1"})
    bad = run.Benchmark("bad", "fails", "cpu", (("{python}", "-c", "raise SystemExit(3)"),))
    values = {"python": sys.executable, "vllm_site": "", "unsloth_site": ""}
    first = run.run_one(ok, tmp_path, values, timeout=60, dry_run=False)
    second = run.run_one(bad, tmp_path, values, timeout=60, dry_run=False)
    assert first["status"] == "ok" and second["status"] == "failed"
    assert second["failures"][0]["exit"] == 3
    assert f"hello from {tmp_path / 'ok'}" in (tmp_path / "ok" / "ok.log").read_text()


def test_one_process_per_test_runs_each_collected_test_alone(tmp_path):
    tests = tmp_path / "test_pair.py"
    tests.write_text("import os\n\ndef test_a():\n    pass\n\ndef test_b():\n    pass\n")
    command = ("{python}", "-m", "pytest", str(tests), "-q", "-p", "no:cacheprovider")
    b = run.Benchmark("pair", "two tests", "cpu", (command,), one_process_per_test=True)
    values = {"python": sys.executable, "vllm_site": "", "unsloth_site": "", "dir": str(tmp_path)}
    commands = run.commands_of(b, values, run.environment_of(b, values), dry_run=False)
    assert [c[-1].split("::")[-1] for c in commands] == ["test_a", "test_b"]
    assert all(str(tests) not in c for c in commands) and all("no:cacheprovider" in c for c in commands)


def test_main_writes_the_environment_and_the_summary(tmp_path, monkeypatch):
    tiny = run.Benchmark("tiny", "nothing", "cpu", (("{python}", "-c", "pass"),))
    monkeypatch.setitem(run.BENCHMARKS, "tiny", tiny)
    assert run.main(["tiny", "--out", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert [s["name"] for s in summary] == ["tiny"] and summary[0]["status"] == "ok"
    environment = json.loads((tmp_path / "environment.json").read_text())
    assert environment["python"] and "aha" in environment["packages"]


def test_options_after_a_double_dash_go_to_every_command(tmp_path, monkeypatch, capsys):
    tiny = run.Benchmark("tiny", "nothing", "cpu", (("{python}", "bench/x.py"), ("{python}", "bench/y.py")))
    monkeypatch.setitem(run.BENCHMARKS, "tiny", tiny)
    assert run.main(["tiny", "--dry-run", "--", "--steps", "3"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == [f"{sys.executable} bench/x.py --steps 3", f"{sys.executable} bench/y.py --steps 3"]
