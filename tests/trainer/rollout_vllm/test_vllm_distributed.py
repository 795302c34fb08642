"""vLLM rollouts under torchrun (2 gloo processes): one engine per rank, and one tensor-parallel engine for both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from vllm_helpers import KV_CACHE_GIB, requires_vllm

pytestmark = [pytest.mark.vllm, requires_vllm]

REPO = Path(__file__).resolve().parents[3]


def _config(qwen2_dir, tmp_path):
    import tiny

    data = tiny.make_addition_data(tmp_path / "add.jsonl", 24)
    cfg = tiny.tiny_config(
        qwen2_dir,
        data,
        tmp_path / "one",
        rollout="vllm",
        vllm={"kv_cache_gib": KV_CACHE_GIB},
        generation__prompts_per_step=4,
        max_steps=2,
        checkpoint__every=0,
        eval__at_start=False,
    )
    path = tmp_path / "train.toml"
    path.write_text(cfg.to_toml())
    return cfg, path


def _torchrun(config, out, *extra):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2"]
    cmd += ["-m", "verifiers.cli", "train", str(config), "--output_dir", str(out), *extra]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=600)


def _records(run):
    return [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines() if x.strip()]


@pytest.mark.parametrize("tensor_parallel", [1, 2])
def test_vllm_on_two_ranks_trains_like_one_process(qwen2_dir, tmp_path, tensor_parallel):
    from trainer.grpo_trainer import train

    cfg, config = _config(qwen2_dir, tmp_path)
    extra = [
        "--vllm",
        f"{{kv_cache_gib = {KV_CACHE_GIB}, engine_kwargs = {{tensor_parallel_size = {tensor_parallel}}}}}",
    ]
    done = _torchrun(config, tmp_path / "two", *extra)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    train(cfg)
    want, got = _records(tmp_path / "one"), _records(tmp_path / "two")
    assert [r["step"] for r in got] == [1, 2] and all(r["ranks"] == 2 for r in got)
    for w, g in zip(want, got):
        for key in ("reward/mean", "completion/length_mean", "loss", "grad_norm"):
            assert g[key] == pytest.approx(w[key], rel=1e-4, abs=1e-6), key
