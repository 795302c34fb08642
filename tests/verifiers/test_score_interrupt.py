"""An interrupted or killed `aha score` keeps what it scored, and `--resume` finishes the job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import reliability_plugin
from click.testing import CliRunner

from verifiers.cli import build_cli

HERE = Path(__file__).parent
N_ROWS = 2000
LAUNCH = (
    "import sys, reliability_plugin; from verifiers import get_registry; "
    "get_registry().add_plugin(reliability_plugin, 'reliability'); from verifiers.cli import main; main(sys.argv[1:])"
)


def _input(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"id": i, "completion": f"c{i}"}) + "\n" for i in range(N_ROWS)))
    return path


def _start(inp: Path, out: Path) -> subprocess.Popen:
    args = ["score", "-r", "sleepy:delay=0.005", "-i", str(inp), "-o", str(out), "-w", "2", "--chunk-size", "20", "-q"]
    env = {**os.environ, "PYTHONPATH": f"{HERE}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    return subprocess.Popen(
        [sys.executable, "-c", LAUNCH, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def _wait_for_rows(proc: subprocess.Popen, out: Path, rows: int = 100) -> Path:
    """The temporary output, once it holds at least `rows` rows."""
    tmp = out.with_name(f".{out.name}.{proc.pid}.tmp")
    for _ in range(600):
        if tmp.exists() and tmp.read_bytes().count(b"\n") >= rows:
            return tmp
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("no rows were written")


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(x) for x in text.split()]


def _gone(pid: int) -> bool:
    """True when the process has exited (a zombie waiting to be reaped counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status or "\nState:\tX" in status


def _ids(path: Path) -> list[int]:
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


def _resume(inp: Path, out: Path, aha_registry) -> str:
    aha_registry.add_plugin(reliability_plugin, "reliability")
    summary = out.with_name("summary.json")
    res = CliRunner().invoke(
        build_cli(),
        [
            "score",
            "-r",
            "sleepy",
            "-i",
            str(inp),
            "-o",
            str(out),
            "-w",
            "2",
            "-q",
            "--resume",
            "--summary-json",
            str(summary),
        ],
    )
    assert res.exit_code == 0, res.output
    assert _ids(out) == list(range(N_ROWS))
    numbers = json.loads(summary.read_text())
    assert numbers["resumed_rows"] + numbers["rows"] == N_ROWS and numbers["resumed_rows"] > 0
    return " ".join(res.output.split())


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_to_the_main_process_saves_the_rows_and_resume_finishes(tmp_path, aha_registry, sig):
    inp, out = _input(tmp_path), tmp_path / "out.jsonl"
    proc = _start(inp, out)
    _wait_for_rows(proc, out)
    workers = _children(proc.pid)
    assert len(workers) >= 2
    proc.send_signal(sig)  # to the main process alone, not its group
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    for _ in range(200):
        if all(_gone(pid) for pid in workers):
            break
        time.sleep(0.05)
    assert all(_gone(pid) for pid in workers)
    kept = _ids(out)
    assert 0 < len(kept) < N_ROWS and kept == list(range(len(kept)))
    assert f"the {len(kept):,} rows scored so far are saved in {out}" in " ".join(stderr.split())
    assert "--resume" in stderr and "Traceback" not in stderr
    assert not list(tmp_path.glob(".out.jsonl.*"))
    said = _resume(inp, out, aha_registry)
    assert f"resuming: {len(kept):,} rows already scored" in said


def test_a_killed_run_leaves_a_temporary_output_that_resume_reuses(tmp_path, aha_registry):
    inp, out = _input(tmp_path), tmp_path / "out.jsonl"
    proc = _start(inp, out)
    tmp = _wait_for_rows(proc, out)
    proc.kill()
    proc.wait(timeout=30)
    assert tmp.exists() and not out.exists()
    said = _resume(inp, out, aha_registry)
    assert "resuming:" in said and tmp.name in said
    assert not tmp.exists()


def test_without_resume_a_stale_temporary_output_is_reported_then_removed(tmp_path, aha_registry):
    inp, out = _input(tmp_path), tmp_path / "out.jsonl"
    stale = tmp_path / ".out.jsonl.999999999.tmp"  # no such process
    stale.write_text(json.dumps({"id": 0, "completion": "c0", "reward": 1.0}) + "\n")
    aha_registry.add_plugin(reliability_plugin, "reliability")
    res = CliRunner().invoke(build_cli(), ["score", "-r", "sleepy", "-i", str(inp), "-o", str(out), "-w", "1", "-q"])
    said = " ".join(res.output.split())
    assert res.exit_code == 0 and "left by a killed run (1 rows); --resume would reuse it" in said
    assert f"removed {stale}" in said and not stale.exists()
    assert _ids(out) == list(range(N_ROWS))


def test_resume_refuses_an_output_of_another_input(tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"completion": "answer: 1", "answer": "1"}) + "\n")
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps({"completion": "something else", "answer": "1", "reward": 1.0}) + "\n")
    res = CliRunner().invoke(build_cli(), ["score", "-r", "exact_match", "-i", str(inp), "-o", str(out), "--resume"])
    assert res.exit_code == 1 and "does not hold the scores of" in res.output
    assert "something else" in out.read_text()  # left as it was
    to_stdout = CliRunner().invoke(build_cli(), ["score", "-r", "exact_match", "-i", str(inp), "--resume"])
    assert to_stdout.exit_code == 1 and "--resume needs an output file" in to_stdout.output
