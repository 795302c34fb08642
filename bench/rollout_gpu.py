"""Rollout speed: aha's colocated vLLM engine next to transformers' generate, on a Qwen2.5-1.5B-shaped model.

As in training, vLLM shares a process with the trainer's transformers model: the model is loaded and timed
with `generate`, then vLLM is started beside it (memory share `--memory-share`) and timed on the same
prompt: plain, and with a LoRA adapter of rank 16 on every projection (the training set-up), plus adapter
sync and sleep/wake times. On CUDA each vLLM variant runs in a process of its own (`--variant`), as vLLM
starts one sleep-mode engine per process.
Random weights, built in code (no download). Without vLLM installed, only transformers is timed.

    python bench/rollout_gpu.py                      # on a CUDA GPU: 1 prompt x 8 completions x 256 tokens
    python bench/rollout_gpu.py --prompts 8          # 64 sequences at once
    python bench/rollout_gpu.py --smoke              # a tiny model on the CPU, to check the script itself
    python bench/rollout_gpu.py --json-out rollout.json
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from trainer_gpu import PROJECTIONS, QWEN_1_5B, random_qwen, word_tokenizer  # noqa: E402

# head_dim 32: the smallest vLLM's CPU attention accepts
SMOKE = dict(
    QWEN_1_5B,
    vocab_size=512,
    hidden_size=64,
    intermediate_size=128,
    num_hidden_layers=2,
    num_attention_heads=2,
    num_key_value_heads=1,
)
HBM_TB_S = 4.3  # measured device-to-device copy on the H200 (docs: shared ENVIRONMENT)


def build_model_dir(path: Path, shape: dict, dtype_name: str) -> Path:
    """Save a random-weight Qwen2 model with a word-level tokenizer over its vocabulary ('t0', 't1', ...)."""
    if (path / "config.json").is_file() and (path / "tokenizer.json").is_file():
        return path
    path.mkdir(parents=True, exist_ok=True)
    # tokenizer_config.json names PreTrainedTokenizerFast, so it is used despite the Qwen2 config beside it
    word_tokenizer(shape["vocab_size"]).save_pretrained(str(path))
    model = random_qwen(shape, "cpu", dtype_name)
    model.save_pretrained(str(path))
    del model
    gc.collect()
    return path


def _sync(device: str) -> None:
    import torch

    if device == "cuda":
        torch.cuda.synchronize()


def time_transformers(model, prompt: list[int], n_prompts: int, group: int, new_tokens: int, device: str) -> dict:
    """transformers `generate` (dynamic cache, sampling at temperature 1) on n_prompts x group sequences."""
    import torch
    from transformers import GenerationConfig

    ids = torch.tensor([prompt] * (n_prompts * group), device=device)
    cfg = GenerationConfig(
        max_new_tokens=new_tokens,
        min_new_tokens=new_tokens,
        do_sample=True,
        temperature=1.0,
        top_k=0,
        top_p=1.0,
        pad_token_id=model.config.eos_token_id,
        eos_token_id=model.config.eos_token_id,
    )
    warm = GenerationConfig(**{**cfg.to_dict(), "max_new_tokens": 4, "min_new_tokens": 4})
    with torch.no_grad():
        model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), generation_config=warm)
        _sync(device)
        if device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        t0 = time.perf_counter()
        out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), generation_config=cfg)
        _sync(device)
        elapsed = time.perf_counter() - t0
    tokens = int((out.shape[1] - ids.shape[1]) * out.shape[0])
    row = {
        "engine": "transformers generate",
        "seconds": elapsed,
        "tokens": tokens,
        "tokens_per_s": tokens / elapsed,
        "ms_per_decode_step": 1000 * elapsed / new_tokens,
    }
    if device == "cuda":
        row["peak_alloc_gib"] = torch.cuda.max_memory_allocated() / 2**30
    return row


def time_vllm(engine, prompt: list[int], n_prompts: int, group: int, new_tokens: int, label: str, repeats: int) -> dict:
    """The engine's `generate` on n_prompts x group sequences; the best of `repeats` runs."""
    from trainer.rollout.base import SamplingSettings

    prompts = [prompt] * n_prompts
    engine.generate(prompts, SamplingSettings(n=group, max_new_tokens=4, temperature=1.0, seed=0))  # warm-up
    best = None
    for r in range(repeats):
        settings = SamplingSettings(n=group, max_new_tokens=new_tokens, temperature=1.0, seed=r + 1)
        t0 = time.perf_counter()
        out = engine.generate(prompts, settings)
        elapsed = time.perf_counter() - t0
        tokens = sum(len(c.token_ids) for c in out)
        if best is None or elapsed < best["seconds"]:
            best = {
                "engine": label,
                "seconds": elapsed,
                "tokens": tokens,
                "tokens_per_s": tokens / elapsed,
                "ms_per_decode_step": 1000 * elapsed / new_tokens,
                "prefix_cache_hit_frac": engine.metrics().get("vllm/prefix_cache_hit_frac"),
            }
    return best


def lora_model(model, rank: int):
    """The model with a rank-`rank` adapter on every projection, its B made non-zero so it changes outputs."""
    import torch
    from peft import LoraConfig, get_peft_model

    peft_model = get_peft_model(model, LoraConfig(r=rank, lora_alpha=2 * rank, target_modules=PROJECTIONS))
    with torch.no_grad():
        for name, p in peft_model.named_parameters():
            if "lora_B" in name:
                p.normal_(0.0, 1e-3)
    return peft_model


def run(args: argparse.Namespace) -> dict:
    import torch
    from transformers import AutoModelForCausalLM

    device = "cuda" if torch.cuda.is_available() and not args.smoke else "cpu"
    shape = SMOKE if args.smoke else QWEN_1_5B
    dtype = "float32" if device == "cpu" else "bfloat16"
    root = Path(
        args.model_dir or Path(tempfile.gettempdir()) / ("aha-rollout-smoke" if args.smoke else "aha-rollout-qwen1.5b")
    )
    model_dir = build_model_dir(root, shape, dtype)
    rng = random.Random(0)
    prompt = [rng.randrange(shape["vocab_size"] - 1) for _ in range(args.prompt_tokens)]
    report: dict = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": torch.cuda.get_device_name(0) if device == "cuda" else platform.processor() or platform.machine(),
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "shape": "smoke" if args.smoke else "Qwen2.5-1.5B (random weights)",
        "dtype": dtype,
        "sequences": args.prompts * args.group,
        "prompt_tokens": args.prompt_tokens,
        "new_tokens": args.new_tokens,
        "rows": [],
        "notes": [],
    }
    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=getattr(torch, dtype)).to(device).eval()
    weight_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
    report["weights_gib"] = weight_bytes / 2**30
    report["bandwidth_floor_ms"] = 1000 * weight_bytes / (HBM_TB_S * 1e12)
    if not args.variant:
        report["rows"].append(time_transformers(model, prompt, args.prompts, args.group, args.new_tokens, device))

    try:
        from trainer.rollout.vllm.support import VLLMUnavailableError, import_vllm

        report["vllm"] = import_vllm().__version__
    except VLLMUnavailableError as exc:
        report["vllm"] = None
        report["notes"].append(f"vLLM not timed: {exc}")
        return report

    variants = [args.variant] if args.variant else ["plain", "lora"]
    for variant in variants:
        if device == "cuda" and not args.variant:
            # vLLM starts one sleep-mode engine per process (docs/vllm.md): each variant in a process of its own
            child = _child_report(variant)
            report["rows"] += child["rows"]
            report["notes"] += child["notes"]
        else:
            time_vllm_variant(model, model_dir, prompt, dtype, args, variant == "lora", report)
            if variant == "lora" and hasattr(model, "unload"):
                model = model.unload()  # back to the plain model
    return report


def _child_report(variant: str) -> dict:
    """The report of this script, with this run's arguments, for one vLLM variant in a new process."""
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        # argparse keeps the last value of a repeated option: the child's --json-out wins over ours
        cmd = [sys.executable, __file__, *sys.argv[1:], "--variant", variant, "--json-out", str(out)]
        done = subprocess.run(cmd, check=False)
        if not out.is_file():
            return {"rows": [], "notes": [f"vLLM {variant}: the child process exited with {done.returncode}"]}
        return json.loads(out.read_text())


def time_vllm_variant(
    model, model_dir: Path, prompt: list[int], dtype: str, args, use_lora: bool, report: dict
) -> None:
    """Start aha's vLLM engine beside the trainer's model (plain, or with a LoRA adapter) and time it."""
    from trainer.rollout.vllm.engine import VLLMEngine
    from trainer.rollout.vllm.settings import VLLMSettings

    settings = VLLMSettings(
        memory_share=args.memory_share,
        kv_cache_gib=args.kv_cache_gib,
        max_num_seqs=max(256, args.prompts * args.group),
    )
    label = f"vLLM + LoRA r={args.lora_rank}" if use_lora else "vLLM (aha engine)"
    trainer_model = lora_model(model, args.lora_rank) if use_lora else model
    t0 = time.perf_counter()
    try:
        engine = VLLMEngine(
            model_dir,
            settings=settings,
            model=trainer_model,
            dtype=dtype,
            max_model_len=args.prompt_tokens + args.new_tokens + 8,
        )
    except Exception as exc:  # noqa: BLE001 - record why and keep the transformers row
        report["notes"].append(f"{label}: engine failed to start: {type(exc).__name__}: {exc}")
        traceback.print_exc()
        return
    start_s = time.perf_counter() - t0
    try:
        row = time_vllm(engine, prompt, args.prompts, args.group, args.new_tokens, label, args.repeats)
        row["start_s"] = start_s
        t1 = time.perf_counter()
        engine.sync_weights(trainer_model)
        row["sync_s"] = time.perf_counter() - t1
        half = len(prompt) // 2
        check = engine.check_sync(prompt_ids=prompt[:half], completion_ids=prompt[half:])
        row.update(
            sync_check_max_abs=check.max_abs_diff,
            sync_check_mean_abs=check.mean_abs_diff,
            sync_check_tolerance=check.tolerance,
            sync_check_passed=check.passed,
        )
        t2 = time.perf_counter()
        engine.sleep()
        t3 = time.perf_counter()
        engine.wake()
        t4 = time.perf_counter()
        row.update(
            sleep_s=t3 - t2,
            wake_s=t4 - t3,
            sleep_mode=engine._sleep.mode,
            sleep_freed_gib=engine.metrics().get("vllm/sleep_freed_gib"),
        )
        report["rows"].append(row)
    except Exception as exc:  # noqa: BLE001
        report["notes"].append(f"{label}: {type(exc).__name__}: {exc}")
        traceback.print_exc()
    finally:
        engine.close()


def print_table(report: dict) -> None:
    print(
        f"\n{report['shape']}, {report['dtype']}, {report['sequences']} sequences x {report['new_tokens']} new tokens "
        f"(prompt {report['prompt_tokens']}), {report['machine']}, torch {report['torch']}, vLLM {report.get('vllm')}"
    )
    print(
        f"weights {report['weights_gib']:.2f} GiB; bandwidth floor {report['bandwidth_floor_ms']:.2f} ms per decode step"
    )
    print(
        f"{'engine':28} {'tokens/s':>10} {'ms/step':>9} {'x floor':>8} {'start s':>8} {'sync s':>7} {'sleep/wake s':>13}"
    )
    for r in report["rows"]:
        floor = r["ms_per_decode_step"] / report["bandwidth_floor_ms"]
        start = f"{r['start_s']:.1f}" if "start_s" in r else "-"
        sync = f"{r['sync_s']:.3f}" if "sync_s" in r else "-"
        sw = f"{r['sleep_s']:.2f}/{r['wake_s']:.2f}" if "sleep_s" in r else "-"
        print(
            f"{r['engine']:28} {r['tokens_per_s']:>10.0f} {r['ms_per_decode_step']:>9.2f} {floor:>8.1f} {start:>8} {sync:>7} {sw:>13}"
        )
    for note in report["notes"]:
        print("note:", note)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--prompts", type=int, default=1, help="prompts per call (each gets --group completions)")
    p.add_argument("--group", type=int, default=8, help="completions per prompt")
    p.add_argument("--prompt-tokens", type=int, default=128)
    p.add_argument("--new-tokens", type=int, default=256)
    p.add_argument("--lora-rank", type=int, default=16)
    p.add_argument("--memory-share", type=float, default=0.3, help="vLLM's share of the GPU memory")
    p.add_argument("--kv-cache-gib", type=float, default=None, help="fixed KV cache size instead of the share")
    p.add_argument("--repeats", type=int, default=3, help="timed vLLM runs (best is kept)")
    p.add_argument("--model-dir", default=None, help="where the random model is saved (reused when present)")
    p.add_argument("--smoke", action="store_true", help="a tiny model on the CPU")
    p.add_argument("--json-out", default=None)
    p.add_argument("--variant", choices=("plain", "lora"), default=None, help="only this vLLM variant, no generate")
    args = p.parse_args()
    if args.smoke:
        args.new_tokens = min(args.new_tokens, 32)
        args.prompt_tokens = min(args.prompt_tokens, 32)
        args.kv_cache_gib = args.kv_cache_gib or 0.25
        args.repeats = 1
    report = run(args)
    print_table(report)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
