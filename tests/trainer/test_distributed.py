"""Data-parallel training on the CPU: rank shares, seeding, and 2 gloo processes matching one process (and resuming)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tiny

from trainer.config import ConfigError
from trainer.distributed import (
    DistContext,
    check_rank_micro_batches,
    launch_env,
    local_accumulation,
    optimizer_steps_per_step,
    rank_positions,
    shard_dataset,
)
from trainer.heldout import EvalResult, merge_eval_results
from trainer.metrics import TIMING_KEYS, read_jsonl

REPO = Path(__file__).resolve().parents[2]

# 4 prompts x 4 completions, micro-batches of 2, 4 micro-batches per optimiser step: 2 optimiser steps per
# training step, and on 2 ranks 2 micro-batches per rank per optimiser step (so DDP's no_sync is used).
DP_OVERRIDES = dict(
    generation__prompts_per_step=4,
    optim__micro_batch_size=2,
    optim__gradient_accumulation_steps=4,
    grpo__advantage="batch_std",
    checkpoint__every=2,
    max_steps=3,
)


# -- rank shares -----------------------------------------------------------------------------------------


def test_rank_positions_split_whole_prompts_over_ranks():
    shares = [rank_positions(8, r, 2) for r in range(2)]
    assert shares == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert rank_positions(8, 0, 1) == list(range(8))


def test_rank_positions_follow_the_optimizer_steps_of_one_process():
    # 2 optimiser steps per training step: each one's prompts are split over the ranks
    assert rank_positions(8, 0, 2, chunks=2) == [0, 1, 4, 5]
    assert rank_positions(8, 1, 2, chunks=2) == [2, 3, 6, 7]
    every = sorted(p for r in range(4) for p in rank_positions(8, r, 4, chunks=2))
    assert every == list(range(8))


def test_a_step_that_does_not_split_over_the_ranks_is_a_clear_error():
    with pytest.raises(ConfigError, match="prompts_per_step = 3 must split evenly over 2 ranks"):
        rank_positions(3, 0, 2)
    with pytest.raises(ConfigError, match="multiple of the 2 ranks"):
        local_accumulation(3, 2)
    assert local_accumulation(4, 2) == 2 and local_accumulation(0, 2) == 0
    assert optimizer_steps_per_step(16, 2, 4) == 2 and optimizer_steps_per_step(16, 2, 0) == 1
    check_rank_micro_batches(8, 2, 2, 2)
    with pytest.raises(ConfigError, match="do not make the 2 optimiser step"):
        check_rank_micro_batches(8, 3, 1, 2)


def test_launch_env_reads_torchrun_variables_and_rejects_half_set_ones():
    assert launch_env({}) == (0, 1, 0)
    env = {"RANK": "1", "WORLD_SIZE": "2", "LOCAL_RANK": "1", "MASTER_ADDR": "localhost", "MASTER_PORT": "1"}
    assert launch_env(env) == (1, 2, 1)
    with pytest.raises(ConfigError, match="MASTER_ADDR, MASTER_PORT is not set"):
        launch_env({"RANK": "0", "WORLD_SIZE": "2"})
    with pytest.raises(ConfigError, match="RANK=2 is not in"):
        launch_env({"RANK": "2", "WORLD_SIZE": "2", "MASTER_ADDR": "x", "MASTER_PORT": "1"})
    with pytest.raises(ConfigError, match="bad RANK"):
        launch_env({"RANK": "zero"})


def test_single_process_context_needs_no_process_group():
    ctx = DistContext()
    assert not ctx.enabled and ctx.is_main
    assert ctx.sum([1.0, 2.0]) == [1.0, 2.0] and ctx.gather_objects("x") == ["x"]
    assert ctx.run_on_main(lambda: 5) == 5
    with pytest.raises(ConfigError, match="boom"):
        ctx.run_on_main(lambda: (_ for _ in ()).throw(ConfigError("boom")))


def test_eval_shards_cover_the_set_and_merge_by_prompt_count():
    from trainer.data import PromptDataset

    ds = PromptDataset(list(range(5)), "x")
    shards = [shard_dataset(ds, DistContext(rank=r, world_size=2)).examples for r in range(2)]
    assert sorted(shards[0] + shards[1]) == list(range(5))
    merged = merge_eval_results(
        [
            EvalResult(1.0, 1.0, 3, {"passed": 3}, 0.0, 1.0),
            EvalResult(0.0, 0.5, 1, {"failed": 1}, 1.0, 2.0),
            None,
        ]
    )
    assert merged.n == 4 and merged.accuracy == 0.75 and merged.reward_mean == pytest.approx(0.875)
    assert merged.statuses == {"passed": 3, "failed": 1} and merged.truncated_fraction == 0.25
    assert merged.elapsed == 2.0


# -- rank-independent sampling ---------------------------------------------------------------------------


def test_prompt_seeds_make_a_prompts_completions_independent_of_its_batch(tiny_model):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from trainer.rollout.base import SamplingSettings
    from trainer.rollout.transformers.generate import TransformersEngine

    torch.set_num_threads(1)
    model = AutoModelForCausalLM.from_pretrained(str(tiny_model), dtype=torch.float32)
    tok = AutoTokenizer.from_pretrained(str(tiny_model))
    engine = TransformersEngine(model, tok)
    a, b = tok("1+2=")["input_ids"], tok("3+4=")["input_ids"]
    s = dict(n=3, max_new_tokens=6, temperature=1.0)
    both = engine.generate([a, b], SamplingSettings(**s, prompt_seeds=(11, 22)))
    alone = engine.generate([b], SamplingSettings(**s, prompt_seeds=(22,)))
    split = TransformersEngine(model, tok, batch_size=2).generate([a, b], SamplingSettings(**s, prompt_seeds=(11, 22)))
    assert [c.token_ids for c in both[3:]] == [c.token_ids for c in alone]
    assert [c.token_ids for c in split] == [c.token_ids for c in both]
    other = engine.generate([b], SamplingSettings(**s, prompt_seeds=(23,)))
    assert [c.token_ids for c in other] != [c.token_ids for c in alone]
    # the completions of one prompt are different draws, not copies
    assert len({tuple(c.token_ids) for c in both[:3]}) > 1


# -- two gloo processes ----------------------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1", **extra}
    for var in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(var, None)
    return env


def _torchrun(config: Path, out: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2"]
    cmd += ["-m", "verifiers.cli", "train", str(config), "--output_dir", str(out), *extra]
    return subprocess.run(cmd, capture_output=True, text=True, env=env or _env(), cwd=REPO, timeout=240)


@pytest.fixture(scope="module")
def dp_runs(tiny_model, addition_data, tmp_path_factory):
    """(one-process run folder, two-rank run folder) of the same config."""
    from trainer.grpo_trainer import train

    root = tmp_path_factory.mktemp("dp")
    cfg = tiny.tiny_config(tiny_model, addition_data, root / "one", **DP_OVERRIDES)
    config = root / "train.toml"
    config.write_text(cfg.to_toml())
    done = _torchrun(config, root / "two")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "x 2 ranks (ddp, gloo)" in done.stdout
    from rich.console import Console

    train(cfg, console=Console(quiet=True))
    return root / "one", root / "two"


def _close_records(got: list[dict], want: list[dict], skip: tuple[str, ...] = ()) -> None:
    assert [r["step"] for r in got] == [r["step"] for r in want]
    for g, w in zip(got, want):
        keys = [k for k in w if k not in TIMING_KEYS and k not in skip]
        assert set(keys) <= set(g), set(keys) - set(g)
        for k in keys:
            if isinstance(w[k], float):
                assert g[k] == pytest.approx(w[k], rel=1e-5, abs=1e-6), (w["step"], k)
            else:
                assert g[k] == w[k], (w["step"], k)


def _adapter(run: Path, name: str = "final") -> dict:
    from safetensors.torch import load_file

    return load_file(str(run / name / "adapter_model.safetensors"))


def _assert_same_weights(a: dict, b: dict) -> None:
    import torch

    assert a.keys() == b.keys()
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=1e-4, atol=1e-5, msg=k)


@pytest.mark.slow
def test_two_ranks_train_like_one_process_on_the_same_global_batch(dp_runs):
    one, two = dp_runs
    want, got = read_jsonl(one / "metrics.jsonl"), read_jsonl(two / "metrics.jsonl")
    assert len(want) == 3 and all(r["ranks"] == 2 for r in got)
    assert all(r["optimizer_steps"] == 2 for r in got)
    _close_records(got, want)
    # every completion, its reward and its reason are the same
    assert read_jsonl(two / "samples.jsonl") == read_jsonl(one / "samples.jsonl")
    assert [e["accuracy"] for e in read_jsonl(two / "eval.jsonl")] == [
        e["accuracy"] for e in read_jsonl(one / "eval.jsonl")
    ]
    _assert_same_weights(_adapter(two), _adapter(one))
    _assert_same_weights(_adapter(two, "checkpoint-000002"), _adapter(one, "checkpoint-000002"))
    # rank 0 alone wrote the logs: one record per step
    assert (two / "metrics.csv").read_text().count("\n") == 4


@pytest.mark.slow
def test_a_two_rank_checkpoint_resumes_in_one_process(dp_runs, tmp_path):
    from rich.console import Console

    from trainer.config import load_config
    from trainer.grpo_trainer import train

    one, two = dp_runs
    run = tmp_path / "resumed"
    shutil.copytree(two, run, ignore=shutil.ignore_patterns("checkpoint-000003", "final"))
    cfg = load_config(str(run / "config.toml"))
    cfg.output_dir = str(run)
    result = train(cfg, resume=True, console=Console(quiet=True))
    assert result.steps == 3
    got = read_jsonl(run / "metrics.jsonl")
    _close_records(got, read_jsonl(one / "metrics.jsonl"), skip=("ranks",))
    assert "ranks" in got[1] and "ranks" not in got[2]  # steps 1-2 from the two ranks, step 3 from one process
    _assert_same_weights(_adapter(run), _adapter(one))


@pytest.mark.slow
def test_fsdp2_full_finetuning_with_kl_on_two_ranks_trains_like_one_process(tiny_model, addition_data, tmp_path):
    """Sharded full fine-tuning (root parameters trained too), a reference model and 2 policy iterations."""
    import torch
    from rich.console import Console
    from safetensors.torch import load_file

    from trainer.checkpoint import load_state
    from trainer.grpo_trainer import train

    more = dict(model__finetune="full", grpo__beta=0.05, grpo__num_iterations=2, optim__learning_rate=1e-3)
    cfg = tiny.tiny_config(tiny_model, addition_data, tmp_path / "one", **DP_OVERRIDES, **more)
    config = tmp_path / "train.toml"
    config.write_text(cfg.to_toml())
    done = _torchrun(config, tmp_path / "fsdp2", "--distributed.strategy", "fsdp2")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "x 2 ranks (fsdp2, gloo)" in done.stdout
    train(cfg, console=Console(quiet=True))
    one, two = tmp_path / "one", tmp_path / "fsdp2"
    _close_records(read_jsonl(two / "metrics.jsonl"), read_jsonl(one / "metrics.jsonl"))
    # weights and optimiser state were gathered from the shards into ordinary (unsharded) checkpoints
    for name in ("final", "checkpoint-000002"):
        _assert_same_weights(
            load_file(str(two / name / "model.safetensors")), load_file(str(one / name / "model.safetensors"))
        )
    a = load_state(two / "checkpoint-000002")["optimizer"]
    b = load_state(one / "checkpoint-000002")["optimizer"]
    assert a["state"].keys() == b["state"].keys() and len(b["state"]) == 21
    for i in b["state"]:
        for key in ("exp_avg", "exp_avg_sq"):
            torch.testing.assert_close(a["state"][i][key], b["state"][i][key], rtol=1e-3, atol=1e-8)


# -- vLLM: one engine per rank or per tensor-parallel group ---------------------------------------------


class _FakeEngine:
    def __init__(self):
        self.calls = []

    def generate(self, prompts, settings):
        from trainer.rollout.base import Completion

        self.calls.append((list(prompts), settings.prompt_seeds))
        return [Completion(i, list(p) + [k], "", "stop") for i, p in enumerate(prompts) for k in range(settings.n)]


class _GroupContext(DistContext):
    """Rank `rank` of 4, whose all-gather hands back preset contributions of the other ranks."""

    def __init__(self, rank, parts):
        super().__init__(rank=rank, world_size=4)
        self.parts = parts

    def gather_objects(self, obj):
        parts = list(self.parts)
        parts[self.rank] = obj
        return parts


def test_tensor_parallel_group_generates_the_groups_prompts_and_keeps_its_own():
    from trainer.rollout.base import SamplingSettings
    from trainer.rollout.vllm.ranks import generate_in_groups

    parts = [([[r, 0], [r, 1]], (10 * r, 10 * r + 1)) for r in range(4)]
    engine = _FakeEngine()
    settings = SamplingSettings(n=2, prompt_seeds=(30, 31))
    got = generate_in_groups(_GroupContext(3, parts), 2, engine, [[3, 0], [3, 1]], settings)
    # ranks 2 and 3 form a group: the engine sees both ranks' prompts and seeds, in rank order
    assert engine.calls == [([[2, 0], [2, 1], [3, 0], [3, 1]], (20, 21, 30, 31))]
    assert [(c.prompt_index, c.token_ids) for c in got] == [
        (0, [3, 0, 0]),
        (0, [3, 0, 1]),
        (1, [3, 1, 0]),
        (1, [3, 1, 1]),
    ]
    alone = _FakeEngine()
    generate_in_groups(_GroupContext(3, parts), 1, alone, [[3, 0]], SamplingSettings(n=1, prompt_seeds=(30,)))
    assert alone.calls == [([[3, 0]], (30,))]


def test_vllm_options_for_ranks_join_the_launcher_and_check_tensor_parallel():
    from trainer.config import VLLMConfig
    from trainer.rollout.vllm.ranks import vllm_options_for_ranks, vllm_tensor_parallel

    two = DistContext(rank=0, world_size=2)
    opts = vllm_options_for_ranks(VLLMConfig(memory_share=0.4), two)
    assert opts.engine_kwargs == {"distributed_executor_backend": "external_launcher"}
    assert opts.memory_share == 0.4
    assert vllm_options_for_ranks(VLLMConfig(seed=1), DistContext()) == VLLMConfig(seed=1)
    assert vllm_tensor_parallel(VLLMConfig(engine_kwargs={"tensor_parallel_size": 2})) == 2
    with pytest.raises(ConfigError, match="must divide the 2 ranks"):
        vllm_options_for_ranks(VLLMConfig(engine_kwargs={"tensor_parallel_size": 3}), two)
    with pytest.raises(ConfigError, match="whole number"):
        vllm_tensor_parallel(VLLMConfig(engine_kwargs={"tensor_parallel_size": 0}))
    from trainer.data import PromptDataset

    ds = PromptDataset(list(range(6)), "x")
    shards = [shard_dataset(ds, DistContext(rank=r, world_size=4), 2).examples for r in range(4)]
    assert shards == [[0, 2, 4], [0, 2, 4], [1, 3, 5], [1, 3, 5]]


def _fused_triton_runs(tiny_model, addition_data, tmp_path, *torchrun_args: str, **overrides) -> tuple[Path, Path, str]:
    """(one-process run, two-rank run, the two-rank run's output) of one config with kernels = 'triton' through Triton's interpreter."""
    cfg = tiny.tiny_config(tiny_model, addition_data, tmp_path / "cfg", **{**DP_OVERRIDES, "max_steps": 2}, **overrides)
    cfg.kernels = "triton"
    cfg.checkpoint.every = 0
    config = tmp_path / "train.toml"
    config.write_text(cfg.to_toml())
    env = _env(TRITON_INTERPRET="1")
    two = _torchrun(config, tmp_path / "two", *torchrun_args, env=env)
    assert two.returncode == 0, two.stdout[-4000:] + two.stderr[-4000:]
    cmd = [sys.executable, "-m", "verifiers.cli", "train", str(config), "--output_dir", str(tmp_path / "one")]
    one = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=240)
    assert one.returncode == 0, one.stdout[-4000:] + one.stderr[-4000:]
    assert "kernels: triton" in one.stdout and "kernels: triton" in two.stdout
    _close_records(read_jsonl(tmp_path / "two" / "metrics.jsonl"), read_jsonl(tmp_path / "one" / "metrics.jsonl"))
    return tmp_path / "one", tmp_path / "two", two.stdout


NEEDS_TRITON = pytest.mark.skipif(
    importlib.util.find_spec("triton") is None, reason="needs Triton (pip install 'aha[triton]')"
)


@pytest.mark.slow
@NEEDS_TRITON
def test_two_ranks_with_the_fused_triton_loss_train_like_one_process(tiny_model, addition_data, tmp_path):
    """kernels = 'triton' under DDP (Triton's interpreter on the CPU): the fused loss runs inside the wrapper."""
    one, two, log = _fused_triton_runs(tiny_model, addition_data, tmp_path)
    assert "x 2 ranks (ddp, gloo)" in log
    _assert_same_weights(_adapter(two), _adapter(one))


@pytest.mark.slow
@NEEDS_TRITON
def test_fsdp2_full_finetuning_with_the_fused_triton_loss_trains_like_one_process(tiny_model, addition_data, tmp_path):
    """Sharded full fine-tuning: the fused loss's head-weight gradient goes through FSDP2's reduce-scatter."""
    from safetensors.torch import load_file

    more = dict(model__finetune="full", grpo__beta=0.05, grpo__num_iterations=2, optim__learning_rate=1e-3)
    one, two, log = _fused_triton_runs(tiny_model, addition_data, tmp_path, "--distributed.strategy", "fsdp2", **more)
    assert "x 2 ranks (fsdp2, gloo)" in log
    _assert_same_weights(*(load_file(str(run / "final" / "model.safetensors")) for run in (two, one)))
