"""Peak memory and step time of aha's GRPO trainer on a Qwen2.5-1.5B-shaped model: LoRA and 4-bit QLoRA.

Builds the model with random weights in code (no download), saves it once, then runs a few real trainer
steps (transformers rollouts, reward scoring, GRPO update) per variant and prints a table and JSON.

    python bench/trainer_gpu.py                 # on a CUDA GPU: lora and qlora, 3 steps each
    python bench/trainer_gpu.py --smoke         # a tiny model on the CPU, to check the script itself
    python bench/trainer_gpu.py --variants lora --steps 4 --kernels torch --json-out result.json
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

QWEN_1_5B = dict(
    vocab_size=151936,
    hidden_size=1536,
    intermediate_size=8960,
    num_hidden_layers=28,
    num_attention_heads=12,
    num_key_value_heads=2,
    max_position_embeddings=32768,
    rope_theta=1000000.0,
    rms_norm_eps=1e-6,
    tie_word_embeddings=True,
)
SMOKE = dict(
    QWEN_1_5B, vocab_size=512, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4
)
PROJECTIONS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def word_tokenizer(vocab_size: int):
    """A word-level tokenizer over a random model's vocabulary ('t0' ... and '<eos>', the last id)."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {f"t{i}": i for i in range(vocab_size - 1)}
    vocab["<eos>"] = vocab_size - 1
    tok = Tokenizer(models.WordLevel(vocab, unk_token="t0"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<eos>", pad_token="<eos>", unk_token="t0")


def random_qwen(shape: dict, device: str, dtype_name: str):
    """A Qwen2 causal LM of `shape` with random weights (seed 0); its EOS and pad are the last id."""
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    eos = shape["vocab_size"] - 1
    torch.manual_seed(0)
    with torch.device(device):
        model = Qwen2ForCausalLM(Qwen2Config(**shape, bos_token_id=None, eos_token_id=eos, pad_token_id=eos))
    model.to(getattr(torch, dtype_name))
    model.generation_config = GenerationConfig(eos_token_id=eos, pad_token_id=eos)
    return model


def build_model_dir(path: Path, shape: dict, device: str, dtype_name: str) -> Path:
    """Save a random-weight Qwen2 model and (in PATH/tokenizer) a word-level tokenizer over its vocabulary ('t0', ...)."""
    import torch

    if (path / "config.json").is_file() and (path / "tokenizer" / "tokenizer.json").is_file():
        return path
    path.mkdir(parents=True, exist_ok=True)
    # in a folder of its own: next to a Qwen2 config.json, AutoTokenizer would pick Qwen2's BPE tokenizer class
    word_tokenizer(shape["vocab_size"]).save_pretrained(str(path / "tokenizer"))
    model = random_qwen(shape, device, dtype_name)
    model.save_pretrained(str(path))
    del model
    gc.collect()
    if device == "cuda":
        torch.cuda.empty_cache()
    return path


def write_prompts(path: Path, n: int, prompt_tokens: int, vocab_size: int) -> Path:
    """JSONL prompts of exactly `prompt_tokens` word tokens each."""
    rng = random.Random(0)
    with path.open("w") as fh:
        for _ in range(n):
            words = " ".join(f"t{rng.randrange(1, vocab_size - 1)}" for _ in range(prompt_tokens))
            fh.write(json.dumps({"prompt": words, "answer": ""}) + "\n")
    return path


def run_variant(name: str, args: argparse.Namespace, model_dir: Path, data: Path, work: Path) -> dict:
    """Run `args.steps` trainer steps for one variant; returns its measurements."""
    import torch
    from rich.console import Console

    from trainer.config import from_dict
    from trainer.grpo_trainer import Trainer

    cuda = torch.cuda.is_available() and not args.smoke
    cfg = from_dict(
        {
            "model": {
                "path": str(model_dir),
                "tokenizer": str(model_dir / "tokenizer"),
                "dtype": "float32" if args.smoke else "bfloat16",
                "quantization": "nf4" if name == "qlora" else "none",
                "gradient_checkpointing": True,
            },
            "lora": {"r": 16, "alpha": 32.0, "target_modules": PROJECTIONS},
            "data": {"train": str(data), "answer_column": "answer"},
            "reward": "regex_match:pattern=^t1",
            "generation": {
                "num_generations": args.generations,
                "prompts_per_step": 1,
                "max_prompt_length": args.prompt_tokens,
                "max_completion_length": args.completion_tokens,
                "temperature": 1.0,
            },
            "grpo": {"loss_type": "dapo", "beta": 0.0},
            "optim": {"learning_rate": 1e-5, "micro_batch_size": args.micro_batch_size},
            "log": {"progress": False, "samples_every": 0, "plot_every": 0},
            "checkpoint": {"every": 0},
            "max_steps": args.steps,
            "deterministic": False,
            "kernels": args.kernels,
            "logprob_chunk_size": args.chunk,
            "device": "cuda" if cuda else "cpu",
            "threads": 2 if args.smoke else 0,
            "output_dir": str(work / f"run-{name}"),
            "overwrite": True,
        }
    ).validate()
    t0 = time.perf_counter()
    trainer = Trainer(cfg, console=Console(quiet=True))
    load_s = time.perf_counter() - t0
    weights_gib = torch.cuda.memory_allocated() / 2**30 if cuda else float("nan")
    steps = []
    try:
        for step in range(1, args.steps + 1):
            rec = trainer.train_step(step)
            steps.append(rec)
            print(
                f"  {name} step {step}: {rec['step_time_s']:.2f} s (generate {rec['time/generate_s']:.2f}, "
                f"update {rec['time/update_s']:.2f}), peak {rec['peak_mem_gib']:.2f} GiB, "
                f"completion tokens {rec['completion/length_mean']:.0f}",
                flush=True,
            )
    finally:
        kernels = trainer.kernels.name
        trainer.close()
        del trainer
        gc.collect()
        if cuda:
            torch.cuda.empty_cache()
    steady = steps[1:] or steps
    mean = lambda key: sum(r[key] for r in steady) / len(steady)  # noqa: E731
    reserved = torch.cuda.max_memory_reserved() / 2**30 if cuda else float("nan")
    peak = max(r["peak_mem_gib"] for r in steps)
    return {
        "variant": name,
        "status": "ok",
        "kernels": kernels,
        "load_s": load_s,
        "weights_gib": weights_gib,
        "peak_gib": peak,
        "peak_over_weights_gib": peak - weights_gib if cuda else float("nan"),
        "max_reserved_gib": reserved,
        "step_s": mean("step_time_s"),
        "generate_s": mean("time/generate_s"),
        "update_s": mean("time/update_s"),
        "completion_tokens_mean": mean("completion/length_mean"),
        "steps_measured": f"{2 if len(steps) > 1 else 1}-{len(steps)}",
    }


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, build the model once, run every variant, print a table and JSON."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--smoke", action="store_true", help="tiny model on the CPU (checks the script, not the GPU)")
    p.add_argument("--variants", default="lora,qlora", help="comma list of lora, qlora")
    p.add_argument("--steps", type=int, default=None, help="trainer steps per variant (default 3; smoke 2)")
    p.add_argument("--generations", type=int, default=8, help="completions per prompt (G)")
    p.add_argument("--prompt-tokens", type=int, default=None, help="prompt length (default 128; smoke 16)")
    p.add_argument("--completion-tokens", type=int, default=None, help="completion length (default 256; smoke 16)")
    p.add_argument("--micro-batch-size", type=int, default=8, help="sequences per forward/backward")
    p.add_argument("--chunk", type=int, default=512, help="logprob_chunk_size (tokens per output-head chunk)")
    p.add_argument("--kernels", default="auto", choices=["auto", "triton", "torch"])
    p.add_argument("--model-dir", default=None, help="where to build (or reuse) the random model")
    p.add_argument("--json-out", default=None, help="also write the results JSON here")
    args = p.parse_args(argv)
    args.steps = args.steps or (2 if args.smoke else 3)
    args.prompt_tokens = args.prompt_tokens or (16 if args.smoke else 128)
    args.completion_tokens = args.completion_tokens or (16 if args.smoke else 256)

    import torch

    if not args.smoke and not torch.cuda.is_available():
        print("no CUDA GPU: run with --smoke to check the script on the CPU", file=sys.stderr)
        return 2
    shape = SMOKE if args.smoke else QWEN_1_5B
    work = Path(tempfile.mkdtemp(prefix="aha-bench-"))
    model_dir = Path(args.model_dir) if args.model_dir else work / "model"
    t0 = time.perf_counter()
    build_model_dir(model_dir, shape, "cpu" if args.smoke else "cuda", "float32" if args.smoke else "bfloat16")
    build_s = time.perf_counter() - t0
    data = write_prompts(work / "prompts.jsonl", 16, args.prompt_tokens, shape["vocab_size"])
    print(f"model at {model_dir} (built in {build_s:.1f} s); work folder {work}", flush=True)

    results = []
    for name in [v.strip() for v in args.variants.split(",") if v.strip()]:
        if name not in ("lora", "qlora"):
            print(f"unknown variant {name!r}", file=sys.stderr)
            return 2
        print(f"== {name}", flush=True)
        try:
            results.append(run_variant(name, args, model_dir, data, work))
        except Exception as exc:  # noqa: BLE001 - report the failure and go on with the next variant
            traceback.print_exc()
            results.append({"variant": name, "status": f"failed: {type(exc).__name__}: {exc}"})

    device = (
        torch.cuda.get_device_name(0) if torch.cuda.is_available() and not args.smoke else platform.processor() or "cpu"
    )
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "device": device,
        "torch": torch.__version__,
        "model": "smoke (tiny Qwen2)" if args.smoke else "Qwen2.5-1.5B shape, random weights",
        "settings": {
            "G": args.generations,
            "prompt_tokens": args.prompt_tokens,
            "completion_tokens": args.completion_tokens,
            "lora_r": 16,
            "targets": "all projections",
            "micro_batch_size": args.micro_batch_size,
            "logprob_chunk_size": args.chunk,
            "gradient_checkpointing": True,
            "steps": args.steps,
        },
        "results": results,
    }
    print_table(report)
    print(json.dumps(report, indent=2))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2))
    return 0 if all(r["status"] == "ok" for r in results) or args.smoke else 1


def print_table(report: dict) -> None:
    """The results as a fixed-width table."""
    cols = [
        ("variant", "variant", "{}"),
        ("kernels", "kernels", "{}"),
        ("weights_gib", "weights GiB", "{:.2f}"),
        ("peak_gib", "peak GiB", "{:.2f}"),
        ("peak_over_weights_gib", "peak-weights", "{:.2f}"),
        ("max_reserved_gib", "reserved GiB", "{:.2f}"),
        ("step_s", "step s", "{:.2f}"),
        ("generate_s", "generate s", "{:.2f}"),
        ("update_s", "update s", "{:.2f}"),
    ]
    print(f"\n{report['model']} on {report['device']} (torch {report['torch']}); {report['settings']}")
    print_results(report["results"], cols, 12, ("variant",))


def print_results(results: list[dict], cols: list[tuple[str, str, str]], width: int, key_cols: tuple[str, ...]) -> None:
    """Results as fixed-width rows under a header; cols are (key, header, format); a failed row shows its keys and status."""
    print(" | ".join(f"{h:>{width}}" for _, h, _ in cols))
    for r in results:
        if r.get("status") != "ok":
            print(" | ".join(f"{str(r.get(k, '?')):>{width}}" for k in key_cols) + f" | {r.get('status')}")
            continue
        print(" | ".join(f"{fmt.format(r[k]) if r.get(k) is not None else '-':>{width}}" for k, _, fmt in cols))
    print()


if __name__ == "__main__":
    sys.exit(main())
