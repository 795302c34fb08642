"""Where a fast-engine decode step goes: graph replay, sampling and the loop, against the bandwidth floor.

Builds a Qwen2.5-1.5B-shaped model with random bf16 weights and a LoRA adapter (r=16, every projection) on
the GPU, runs `trainer.rollout.transformers.fast.FastEngine` for G=8 x 256 tokens, then times the parts of one
decode step separately (CUDA events, medians): the captured graph replayed back to back (GPU time of the
model), the same step run eagerly (launch-bound), `sample_next` with one generator and with one per row,
a torch.profiler table of a whole generate call, and with --compile the step through torch.compile.

    python bench/decode_step.py --json $OUT/decode_step.json     # H200, about 1 minute
    python bench/decode_step.py --compile                         # also generation.compile = true
    python bench/decode_step.py --smoke                           # tiny shapes on the CPU (checks the script)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from trainer_gpu import PROJECTIONS, QWEN_1_5B, SMOKE, random_qwen, word_tokenizer  # noqa: E402

BANDWIDTH = 4.3e12  # bytes/s: a device-to-device copy on the H200 (KINDS.md, measured here)


def _build(shape: dict, device: str, dtype_name: str):
    from peft import LoraConfig, get_peft_model

    model = random_qwen(shape, device, dtype_name)
    return get_peft_model(model, LoraConfig(r=16, lora_alpha=32, target_modules=PROJECTIONS))


def _timed(fn, reps: int, cuda: bool) -> float:
    """Median milliseconds of fn() over reps calls (events on CUDA, so GPU time when the CPU runs ahead)."""
    import torch

    out = []
    for _ in range(reps):
        if cuda:
            a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            a.record()
            fn()
            b.record()
            b.synchronize()
            out.append(a.elapsed_time(b))
        else:
            t0 = time.perf_counter()
            fn()
            out.append(1e3 * (time.perf_counter() - t0))
    return statistics.median(out)


def _back_to_back(fn, reps: int, cuda: bool) -> float:
    """Milliseconds per call of reps calls issued without a sync between them (the steady rate)."""
    import torch

    if cuda:
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    if cuda:
        torch.cuda.synchronize()
    return 1e3 * (time.perf_counter() - t0) / reps


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--generations", type=int, default=8)
    p.add_argument("--prompt", type=int, default=128)
    p.add_argument("--completion", type=int, default=256)
    p.add_argument("--compile", action="store_true", help="also time the decode step compiled with inductor")
    p.add_argument("--json", type=Path, default=None)
    args = p.parse_args(argv)
    import torch

    from trainer.rollout.base import SamplingSettings
    from trainer.rollout.transformers.fast import FastEngine
    from trainer.rollout.transformers.sampling import sample_next

    cuda = torch.cuda.is_available() and not args.smoke
    if not cuda and not args.smoke:
        print("no CUDA GPU: use --smoke on the CPU", file=sys.stderr)
        return 2
    shape = SMOKE if args.smoke else QWEN_1_5B
    device, dtype_name = ("cuda", "bfloat16") if cuda else ("cpu", "float32")
    completion = 16 if args.smoke else args.completion
    model = _build(shape, device, dtype_name)
    weights = sum(p.numel() * p.element_size() for n, p in model.named_parameters() if "lora_" not in n)
    engine = FastEngine(model, word_tokenizer(shape["vocab_size"]), cuda_graphs=cuda)
    g = torch.Generator().manual_seed(0)
    prompt = torch.randint(0, shape["vocab_size"] - 1, (args.prompt,), generator=g).tolist()
    res: dict = {"weights_gib": weights / 2**30, "floor_ms": weights / BANDWIDTH * 1e3}
    for label, seeds in (("one generator", None), ("generator per row", [7])):
        settings = SamplingSettings(n=args.generations, max_new_tokens=completion, seed=0, prompt_seeds=seeds)
        engine.generate([prompt], settings)  # warm-up and capture
        engine.pop_metrics()
        t0 = time.perf_counter()
        engine.generate([prompt], settings)
        wall = time.perf_counter() - t0
        m = engine.pop_metrics()
        res[f"generate {label}: decode step ms"] = m["rollout/decode_step_ms"]
        res[f"generate {label}: wall s"] = wall
        res[f"generate {label}: cuda graph"] = m["rollout/cuda_graph"]
    s = engine._session
    reps = 20 if args.smoke else 200
    if cuda and s.get("graph") is not None:
        res["graph replay ms (events, one)"] = _timed(s["graph"].replay, reps, True)
        res["graph replay ms (back to back)"] = _back_to_back(s["graph"].replay, reps, True)
    with torch.no_grad():
        res["eager step ms (back to back)"] = _back_to_back(lambda: engine._decode_once(s), reps // 4, cuda)
        logits = torch.randn(args.generations, shape["vocab_size"], device=device)
        one = torch.Generator(device=device).manual_seed(0)
        rows = [torch.Generator(device=device).manual_seed(i) for i in range(args.generations)]
        res["sample_next ms, one generator (back to back)"] = _back_to_back(
            lambda: sample_next(logits, 1.0, 1.0, 0, one), reps, cuda
        )
        res["sample_next ms, generator per row (back to back)"] = _back_to_back(
            lambda: sample_next(logits, 1.0, 1.0, 0, rows), reps, cuda
        )
    settings = SamplingSettings(n=args.generations, max_new_tokens=min(completion, 64), seed=0, prompt_seeds=[7])
    acts = [torch.profiler.ProfilerActivity.CPU] + ([torch.profiler.ProfilerActivity.CUDA] if cuda else [])
    with torch.profiler.profile(activities=acts) as prof:
        engine.generate([prompt], settings)
    sort = "cuda_time_total" if cuda else "cpu_time_total"
    table = prof.key_averages().table(sort_by="cpu_time_total", row_limit=25, max_name_column_width=50)
    table += "\n" + prof.key_averages().table(sort_by=sort, row_limit=15, max_name_column_width=50)
    engine.close()
    if args.compile:  # the same model, the decode step through torch.compile (generation.compile = true)
        engine = FastEngine(model, word_tokenizer(shape["vocab_size"]), cuda_graphs=cuda, compile_backend="inductor")
        settings = SamplingSettings(n=args.generations, max_new_tokens=completion, seed=0, prompt_seeds=[7])
        t0 = time.perf_counter()
        engine.generate([prompt], settings)  # compiles, warms up and captures
        res["compiled: first generate s (compile included)"] = time.perf_counter() - t0
        engine.pop_metrics()
        engine.generate([prompt], settings)
        res["compiled: decode step ms"] = engine.pop_metrics()["rollout/decode_step_ms"]
        s = engine._session
        if cuda and s.get("graph") is not None:
            res["compiled: graph replay ms (back to back)"] = _back_to_back(s["graph"].replay, reps, True)
        engine.close()
    print(table[-6000:] if not args.smoke else "(profile table written with --json)")
    print(
        f"\nG={args.generations}, prompt {args.prompt}, completion {completion}, {torch.cuda.get_device_name(0) if cuda else 'cpu'}"
    )
    for k, v in res.items():
        print(f"{k:52s} {v:10.3f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "torch": torch.__version__, **res}
        args.json.write_text(json.dumps(payload, indent=2))
        (args.json.parent / "decode_profile.txt").write_text(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
