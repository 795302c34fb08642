"""End to end on a tiny random model: a short run's artifacts, kill-and-resume equality, the CLI commands."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import tiny
import torch
from click.testing import CliRunner

from trainer.checkpoint import latest_checkpoint
from trainer.commands import evaluate_model_command, plot_command, train_command
from trainer.metrics import TIMING_KEYS, read_jsonl

REPO = Path(__file__).resolve().parents[2]
STEPS = 8


def run_config(tiny_model, addition_data, out: Path):
    return tiny.tiny_config(tiny_model, addition_data, out, max_steps=STEPS)


@pytest.fixture(scope="module")
def reference_run(tiny_model, addition_data, tmp_path_factory):
    """An uninterrupted run, in this process."""
    from trainer import train

    out = tmp_path_factory.mktemp("ref") / "run"
    result = train(run_config(tiny_model, addition_data, out))
    return result


def test_short_run_writes_every_artifact(reference_run, tiny_model):
    assert not torch.are_deterministic_algorithms_enabled()  # the run put torch's global settings back
    run = reference_run.run_dir
    records = read_jsonl(run / "metrics.jsonl")
    assert [r["step"] for r in records] == list(range(1, STEPS + 1))
    required = [
        "reward/mean",
        "reward/std",
        "reward/exact_match/mean",
        "reward/digit_first/mean",
        "status/passed",
        "status/error",
        "status/timeout",
        "completion/length_mean",
        "completion/length_max",
        "completion/truncated_frac",
        "groups/zero_std_frac",
        "loss",
        "clip_fraction",
        "grad_norm",
        "lr",
        "tokens_per_s",
        "step_time_s",
        "peak_mem_gib",
    ]
    for key in required + ["mem/generate_peak_gib", "mem/update_peak_gib"]:
        assert all(key in r for r in records), key
    # the step's peak is the larger of its two phases' (on the CPU: the process's resident peak)
    assert all(r["peak_mem_gib"] == max(r["mem/generate_peak_gib"], r["mem/update_peak_gib"]) > 0 for r in records)
    assert all(r["status/passed"] + r["status/failed"] == 8 for r in records)
    header = (run / "metrics.csv").read_text().splitlines()[0].split(",")
    assert set(required) <= set(header) and len((run / "metrics.csv").read_text().splitlines()) == STEPS + 1
    samples = read_jsonl(run / "samples.jsonl")
    assert samples and {"prompt", "completion", "answer", "reward", "status", "reason", "terms"} <= set(samples[0])
    evals = read_jsonl(run / "eval.jsonl")
    assert [e["step"] for e in evals] == [0, STEPS]
    assert reference_run.before is not None and reference_run.after is not None
    assert (run / "training_curves.png").stat().st_size > 10_000
    assert (run / "config.toml").is_file()

    # the adapter loads with peft and with transformers, and it changed the model
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    final = reference_run.final_dir
    assert (final / "adapter_config.json").is_file() and (final / "adapter_model.safetensors").is_file()
    ids = torch.tensor([[3, 4, 5]])
    base = AutoModelForCausalLM.from_pretrained(str(tiny_model))
    with torch.no_grad():
        base_logits = base(input_ids=ids).logits
        peft_logits = PeftModel.from_pretrained(base, str(final))(input_ids=ids).logits
        hf_logits = AutoModelForCausalLM.from_pretrained(str(final))(input_ids=ids).logits
    assert torch.allclose(peft_logits, hf_logits, atol=1e-6)
    assert not torch.allclose(peft_logits, base_logits, atol=1e-4)


def _comparable(records):
    return [{k: v for k, v in r.items() if k not in TIMING_KEYS} for r in records]


@pytest.mark.slow
def test_kill_and_resume_matches_the_uninterrupted_run(reference_run, tiny_model, addition_data, tmp_path):
    out = tmp_path / "killed"
    cfg = run_config(tiny_model, addition_data, out)
    cfg_path = tmp_path / "train.toml"
    cfg_path.write_text(cfg.to_toml())
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "verifiers.cli", "train"]
    proc = subprocess.Popen(
        [*cmd, str(cfg_path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO
    )
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if "checkpoint saved: step 2" in line:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    assert latest_checkpoint(out) is not None and not (out / "final").exists()

    done = subprocess.run([*cmd, str(out), "--resume"], capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "resuming after step" in done.stdout

    ref = read_jsonl(reference_run.run_dir / "metrics.jsonl")
    got = read_jsonl(out / "metrics.jsonl")
    assert [r["step"] for r in got] == list(range(1, STEPS + 1))
    assert _comparable(got) == _comparable(ref)
    assert [e["accuracy"] for e in read_jsonl(out / "eval.jsonl")] == [
        e["accuracy"] for e in read_jsonl(reference_run.run_dir / "eval.jsonl")
    ]
    from safetensors.torch import load_file

    a = load_file(str(reference_run.final_dir / "adapter_model.safetensors"))
    b = load_file(str(out / "final" / "adapter_model.safetensors"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_full_finetuning_with_kl_several_iterations(tiny_model, addition_data, tmp_path):
    from trainer import train

    cfg = tiny.tiny_config(
        tiny_model,
        addition_data,
        tmp_path / "full",
        max_steps=2,
        model__finetune="full",
        grpo__beta=0.05,
        grpo__num_iterations=2,
        grpo__loss_type="grpo",
        grpo__advantage="rloo",
        grpo__mask_truncated_completions=True,
        optim__lr_schedule="cosine",
        optim__warmup_steps=1,
        optim__micro_batch_size=2,
        optim__gradient_accumulation_steps=2,
        checkpoint__every=0,
        data__eval=None,
    )
    result = train(cfg)
    records = read_jsonl(result.run_dir / "metrics.jsonl")
    assert len(records) == 2 and all("kl" in r for r in records)
    assert records[0]["optimizer_steps"] == 2 * 2  # two iterations x (4 micro-batches / 2 per step)
    assert records[0]["kl"] > 0  # the second iteration moved away from the frozen reference
    for r in records:  # masking: a step whose completions were all truncated teaches nothing
        assert (r["grad_norm"] == 0.0) == (r["completion/truncated_frac"] == 1.0)
    assert (result.final_dir / "config.json").is_file() and (result.final_dir / "model.safetensors").is_file()
    assert result.before is None and result.after is None


def test_run_folder_refuses_to_be_overwritten(reference_run, tiny_model, addition_data):
    from trainer.config import ConfigError
    from trainer.grpo_trainer import prepare_run_dir

    cfg = run_config(tiny_model, addition_data, reference_run.run_dir)
    with pytest.raises(ConfigError, match="already holds a run; pass --resume"):
        prepare_run_dir(cfg, resume=False)


def test_resume_without_a_checkpoint_says_it_starts_again_from_step_1(tiny_model, addition_data, tmp_path):
    out = tmp_path / "run"
    cfg = tiny.tiny_config(tiny_model, addition_data, out, max_steps=1, checkpoint__every=5)
    out.mkdir()
    (out / "config.toml").write_text(cfg.to_toml())
    # what a run killed at step 3, before its first checkpoint, leaves behind
    (out / "metrics.jsonl").write_text("".join(json.dumps({"step": s, "reward/mean": 0.5}) + "\n" for s in (1, 2, 3)))
    res = CliRunner().invoke(train_command, [str(out), "--resume"])
    assert res.exit_code == 0, res.output
    assert f"--resume: no checkpoint found in {out}" in res.output
    assert "checkpoint.every = 5" in res.output and "the 3 steps it logged are discarded and redone" in res.output
    assert "starting from step 1 (no checkpoint to resume from)" in res.output  # in the run's header too
    assert [r["step"] for r in read_jsonl(out / "metrics.jsonl")] == [1]


def test_cli_errors_name_the_field():
    runner = CliRunner()
    res = runner.invoke(train_command, ["--optim.learning_rate", "-3"])
    assert res.exit_code != 0 and "optim.learning_rate" in res.output
    res = runner.invoke(train_command, ["--no_such_option", "1"])
    assert res.exit_code != 0 and "unknown option 'no_such_option'" in res.output
    res = runner.invoke(train_command, ["--print-config", "--max_steps", "5"])
    assert res.exit_code == 0 and "max_steps = 5" in res.output and 'path = "demo"' in res.output


def test_plot_and_evaluate_model_commands(reference_run, tmp_path):
    runner = CliRunner()
    out = tmp_path / "curves.png"
    res = runner.invoke(plot_command, [str(reference_run.run_dir), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.stat().st_size > 10_000
    res = runner.invoke(evaluate_model_command, ["--adapter", str(reference_run.run_dir), "--limit", "6", "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    assert report["n"] == 6 and 0.0 <= report["accuracy"] <= 1.0
    assert report["status/passed"] + report["status/failed"] == 6
    res = runner.invoke(plot_command, [str(tmp_path)])
    assert res.exit_code != 0 and "no metrics.jsonl records" in res.output
