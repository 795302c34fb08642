"""Data-parallel scaling of `aha train` on a Qwen2.5-1.5B-shaped model: 1 vs N GPUs through torchrun.

The same global batch (prompts_per_step x G completions) runs on 1 GPU and on N GPUs (strong scaling); the
script reports the steady step time (steps 2..), completion tokens per second and the scaling efficiency
(t_1 / (N x t_N)). The model has random weights, built in code (no download). Each configuration is a real
`torchrun --nproc-per-node N -m verifiers.cli train CONFIG` run; numbers come from its metrics.jsonl.

    python bench/scaling_gpu.py                          # 1 and 2 GPUs, 3 steps each
    python bench/scaling_gpu.py --gpus 1,2,4 --steps 4 --json-out scaling.json
    python bench/scaling_gpu.py --smoke                  # a tiny model, 1 and 2 CPU processes (gloo)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from trainer_gpu import PROJECTIONS, QWEN_1_5B, SMOKE, build_model_dir, print_results, write_prompts  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def write_config(path: Path, args: argparse.Namespace, model_dir: Path, data: Path, out: Path) -> Path:
    """The training config TOML of one run."""
    from trainer.config import from_dict

    cfg = from_dict(
        {
            "model": {
                "path": str(model_dir),
                "tokenizer": str(model_dir / "tokenizer"),
                "dtype": "float32" if args.smoke else "bfloat16",
                "gradient_checkpointing": True,
            },
            "lora": {"r": 16, "alpha": 32.0, "target_modules": PROJECTIONS},
            "data": {"train": str(data), "answer_column": "answer"},
            "reward": "regex_match:pattern=^t1",
            "reward_workers": args.reward_workers,
            "generation": {
                "num_generations": args.generations,
                "prompts_per_step": args.prompts_per_step,
                "max_prompt_length": args.prompt_tokens,
                "max_completion_length": args.completion_tokens,
                "temperature": 1.0,
            },
            "grpo": {"loss_type": "dapo", "beta": 0.0},
            "optim": {"learning_rate": 1e-5, "micro_batch_size": args.micro_batch_size},
            "log": {"progress": False, "samples_every": 0, "plot_every": 0},
            "checkpoint": {"every": 0},
            "eval": {"at_start": False, "at_end": False},
            "max_steps": args.steps,
            "deterministic": False,
            "kernels": args.kernels,
            "device": "cpu" if args.smoke else "cuda",
            "threads": 1 if args.smoke else 0,
            "rollout": args.rollout,
            "distributed": {"strategy": args.strategy},
            "output_dir": str(out),
            "overwrite": True,
        }
    ).validate()
    path.write_text(cfg.to_toml())
    return path


def run_world(n: int, args: argparse.Namespace, model_dir: Path, data: Path, work: Path) -> dict:
    """One torchrun run on `n` processes; returns its steady-state measurements."""
    out = work / f"run-{n}"
    config = write_config(work / f"train-{n}.toml", args, model_dir, data, out)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(n)]
    cmd += ["-m", "verifiers.cli", "train", str(config)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if args.smoke:
        env["OMP_NUM_THREADS"] = "1"
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=args.timeout)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        tail = (done.stdout + done.stderr)[-3000:]
        return {"gpus": n, "status": f"failed (exit {done.returncode})", "log_tail": tail}
    records = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines() if x.strip()]
    steady = records[1:] or records
    mean = lambda key: sum(r[key] for r in steady) / len(steady)  # noqa: E731
    tokens = mean("completion/length_mean") * args.prompts_per_step * args.generations
    return {
        "gpus": n,
        "status": "ok",
        "step_s": mean("step_time_s"),
        "generate_s": mean("time/generate_s"),
        "score_s": mean("time/score_s"),
        "update_s": mean("time/update_s"),
        "completion_tokens_per_step": tokens,
        "tokens_per_s": tokens / mean("step_time_s"),
        "peak_gib": max(r["peak_mem_gib"] for r in records),
        "reward_mean": mean("reward/mean"),
        "wall_s": wall,
        "steps_measured": f"{2 if len(records) > 1 else 1}-{len(records)}",
    }


def main(argv: list[str] | None = None) -> int:
    """Build the model once, run each world size, print a table and JSON."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--smoke", action="store_true", help="tiny model, CPU processes with gloo (checks the script)")
    p.add_argument("--gpus", default="1,2", help="comma list of process (GPU) counts")
    p.add_argument("--steps", type=int, default=None, help="training steps per run (default 3; smoke 2)")
    p.add_argument("--prompts-per-step", type=int, default=None, help="global prompts per step (default 8; smoke 2)")
    p.add_argument("--generations", type=int, default=8, help="completions per prompt (G)")
    p.add_argument("--prompt-tokens", type=int, default=None, help="prompt length (default 128; smoke 16)")
    p.add_argument("--completion-tokens", type=int, default=None, help="completion length (default 256; smoke 8)")
    p.add_argument("--micro-batch-size", type=int, default=8, help="sequences per forward/backward")
    p.add_argument("--kernels", default="auto", choices=["auto", "triton", "torch"])
    p.add_argument("--rollout", default="transformers", choices=["transformers", "vllm"])
    p.add_argument("--strategy", default="ddp", choices=["ddp", "fsdp2"])
    p.add_argument("--reward-workers", type=int, default=1, help="reward worker processes per rank")
    p.add_argument("--timeout", type=int, default=1800, help="seconds allowed per run")
    p.add_argument("--model-dir", default=None, help="where to build (or reuse) the random model")
    p.add_argument("--json-out", default=None, help="also write the results JSON here")
    args = p.parse_args(argv)
    args.steps = args.steps or (2 if args.smoke else 3)
    args.prompts_per_step = args.prompts_per_step or (2 if args.smoke else 8)
    args.prompt_tokens = args.prompt_tokens or (16 if args.smoke else 128)
    args.completion_tokens = args.completion_tokens or (8 if args.smoke else 256)
    worlds = [int(x) for x in args.gpus.split(",") if x.strip()]

    import torch

    if not args.smoke:
        have = torch.cuda.device_count()
        if have < max(worlds):
            print(f"needs {max(worlds)} CUDA GPUs, found {have} (use --smoke on the CPU)", file=sys.stderr)
            return 2
    shape = SMOKE if args.smoke else QWEN_1_5B
    work = Path(tempfile.mkdtemp(prefix="aha-scaling-"))
    model_dir = Path(args.model_dir) if args.model_dir else work / "model"
    build_model_dir(model_dir, shape, "cpu" if args.smoke else "cuda", "float32" if args.smoke else "bfloat16")
    n_prompts = max(64, args.prompts_per_step * (args.steps + 1))
    data = write_prompts(work / "prompts.jsonl", n_prompts, args.prompt_tokens, shape["vocab_size"])
    print(f"model at {model_dir}; work folder {work}", flush=True)

    results = []
    for n in worlds:
        print(f"== {n} process(es)", flush=True)
        res = run_world(n, args, model_dir, data, work)
        print(json.dumps(res), flush=True)
        results.append(res)
    base = next((r for r in results if r["status"] == "ok" and r["gpus"] == 1), None)
    for r in results:
        if base is not None and r["status"] == "ok":
            r["speedup"] = base["step_s"] / r["step_s"]
            r["efficiency"] = r["speedup"] / r["gpus"]
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() and not args.smoke else platform.processor()
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "device": device or "cpu",
        "torch": torch.__version__,
        "model": "smoke (tiny Qwen2)" if args.smoke else "Qwen2.5-1.5B shape, random weights",
        "settings": {
            "prompts_per_step (global)": args.prompts_per_step,
            "G": args.generations,
            "prompt_tokens": args.prompt_tokens,
            "completion_tokens": args.completion_tokens,
            "micro_batch_size": args.micro_batch_size,
            "rollout": args.rollout,
            "strategy": args.strategy,
            "steps": args.steps,
        },
        "results": results,
    }
    print_table(report)
    print(json.dumps(report, indent=2))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2))
    return 0 if all(r["status"] == "ok" for r in results) else 1


def print_table(report: dict) -> None:
    """The results as a fixed-width table."""
    cols = [
        ("gpus", "processes", "{}"),
        ("step_s", "step s", "{:.2f}"),
        ("generate_s", "generate s", "{:.2f}"),
        ("update_s", "update s", "{:.2f}"),
        ("tokens_per_s", "tokens/s", "{:.0f}"),
        ("peak_gib", "peak GiB", "{:.2f}"),
        ("speedup", "speedup", "{:.2f}"),
        ("efficiency", "efficiency", "{:.2f}"),
    ]
    print(f"\n{report['model']} on {report['device']} (torch {report['torch']}); {report['settings']}")
    print_results(report["results"], cols, 10, ("gpus",))


if __name__ == "__main__":
    sys.exit(main())
