"""bench/update_phase.py --smoke: the harness runs, and the torch and Triton paths make the same update."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench" / "update_phase.py"


@pytest.mark.slow
def test_update_phase_smoke_torch_and_triton_agree(tmp_path):
    pytest.importorskip("peft", reason="the benchmark needs peft (pip install 'aha[train]')")
    spec = importlib.util.spec_from_file_location("update_phase_bench", BENCH)
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # dataclasses look their module up there
    try:
        spec.loader.exec_module(bench)
    finally:
        sys.modules.pop(spec.name, None)
    out = tmp_path / "r.json"
    args = ["--smoke", "--variants", "torch", "triton", "--lengths", "8", "--steps", "2", "--json", str(out)]
    assert bench.main(args) == 0
    records = {r["variant"]: r for r in json.loads(out.read_text())["records"]}
    assert records.keys() == {"torch", "triton"}
    assert all(r["status"] == "ok" and r["step_time_s"] > 0 for r in records.values())
    assert records["triton"]["first_grad_norm"] > 0
    assert records["triton"]["first_grad_norm"] == pytest.approx(records["torch"]["first_grad_norm"], rel=1e-4)
