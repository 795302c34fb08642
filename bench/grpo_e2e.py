"""End-to-end GRPO steps, side by side: aha vs TRL's GRPOTrainer vs Unsloth, each in its fastest setup.

Engines: `aha`; `trl` (TRL GRPOTrainer, transformers `generate`); `trl_vllm` (TRL with colocated vLLM, sleep
mode on: its recommended single-GPU setup); `unsloth` (FastLanguageModel, no vLLM); `unsloth_vllm` (Unsloth
with `fast_inference=True`: vLLM sharing the weights). vLLM, TRL and Unsloth each live in a site folder of their
own (`--vllm-path`, `--unsloth-path`), put first on that variant's path only.

RANDOM WEIGHTS: models are built in code with random weights (no downloads), so completions always run to
full length. Configs: (a) Qwen2.5-1.5B shape, LoRA r=16, 1 prompt x G=8, prompt 128, completion 256; (b) (a)
with 4-bit QLoRA; (c) (a) with completion 4,096; (d) Llama-3.1-8B shape, QLoRA, the longest completion the
memory planner admits in 80 GB (found by doubling), then confirmed by a run; (e) the shape of a real run:
16 prompts x 8 completions, prompt 256, completion 1,024, LoRA r=16, bf16; (f) (e) with 4-bit QLoRA. Every
variant runs in its own process, so one failure (or OOM) does not stop the others. Peak memory is reported
twice: the PyTorch allocator's peak, and the device's (total minus free, sampled every 20 ms, less what was in
use before the model loaded), which also counts vLLM's own pools.

    python bench/grpo_e2e.py --configs a,b,c --json $OUT/e2e.json      # H200, ~8 minutes
    python bench/grpo_e2e.py --configs a,e --engines aha,trl_vllm --vllm-path /tmp/site-vllm
    python bench/grpo_e2e.py --configs d --json $OUT/e2e_d.json
    python bench/grpo_e2e.py --smoke                                      # tiny shapes on the CPU
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from trainer_gpu import PROJECTIONS, QWEN_1_5B, SMOKE, print_results  # noqa: E402

LLAMA_8B = dict(
    vocab_size=128256, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
    num_key_value_heads=8, max_position_embeddings=131072, rope_theta=500000.0, rms_norm_eps=1e-5,
    tie_word_embeddings=False,
)  # fmt: skip
CONFIGS = {
    "a": dict(shape="qwen", quant="none", completion=256),
    "b": dict(shape="qwen", quant="nf4", completion=256),
    "c": dict(shape="qwen", quant="none", completion=4096),
    "d": dict(shape="llama8b", quant="nf4", completion=0),  # 0: search with the planner
    "e": dict(shape="qwen", quant="none", completion=1024, prompts=16, prompt=256),
    "f": dict(shape="qwen", quant="nf4", completion=1024, prompts=16, prompt=256),
}
VLLM_SHARE = 0.15  # the GPU share vLLM takes in the peers' colocated runs: KV room for (e)'s 128 x 1,280 tokens


def _prompts(spec: dict) -> int:
    return spec.get("prompts", 1)


def _flat_dir(model_dir: Path) -> Path:
    """A folder of links to the weights and the tokenizer side by side (vLLM and Unsloth read them from one folder)."""
    flat = model_dir.parent / f"{model_dir.name}-flat"
    flat.mkdir(exist_ok=True)
    for src in [*model_dir.iterdir(), *(model_dir / "tokenizer").iterdir()]:
        if src.is_file() and not (flat / src.name).exists():
            (flat / src.name).symlink_to(src)
    return flat


class DevicePeak:
    """The device's peak memory in use (total minus free, which counts vLLM's pools too), sampled in a thread."""

    def __init__(self, interval_s: float = 0.02):
        import threading

        import torch

        self.cuda = torch.cuda.is_available()
        self.base = self._used() if self.cuda else 0
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval_s,), daemon=True)
        if self.cuda:
            self._thread.start()

    @staticmethod
    def _used() -> int:
        import torch

        free, total = torch.cuda.mem_get_info()
        return total - free

    def _run(self, interval_s: float) -> None:
        while not self._stop.wait(interval_s):
            self.peak = max(self.peak, self._used())

    def gib(self) -> float:
        """Peak device memory in use beyond what was in use at the start, in GiB (NaN without CUDA)."""
        if not self.cuda:
            return float("nan")
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._used())
        return (self.peak - self.base) / 2**30


def _shape(name: str, smoke: bool) -> dict:
    return SMOKE if smoke else {"qwen": QWEN_1_5B, "llama8b": LLAMA_8B}[name]


def search_completion(budget_gib: float, prompt: int, generations: int) -> int:
    """The longest completion (a multiple of 1,024 within the context) the planner admits for config (d)."""
    from trainer.memory_plan import GIB, ModelShape, estimate, needed_bytes

    shape = ModelShape.from_config({**LLAMA_8B, "head_dim": 128})

    def fits(length: int) -> bool:
        cfg = aha_config("d", {"quant": "nf4", "completion": length}, Path("."), Path("."), prompt, generations, False)
        return needed_bytes(estimate(cfg, shape, "triton")) <= budget_gib * GIB

    cap = (LLAMA_8B["max_position_embeddings"] - prompt) // 1024 * 1024
    best, length = 0, 1024
    while length <= cap and fits(length):  # double, then bisect between the last fit and the first miss
        best, length = length, length * 2
    hi = min(length, cap + 1024)
    while hi - best > 1024:
        mid = (best + hi) // 2 // 1024 * 1024
        best, hi = (mid, hi) if fits(mid) else (best, mid)
    return best


def aha_config(
    name: str,
    spec: dict,
    model_dir: Path,
    data: Path,
    prompt: int,
    generations: int,
    smoke: bool,
    aha_overrides: tuple[str, ...] = (),
):
    """The aha TrainConfig of one benchmark config."""
    from trainer.config import from_dict

    long = spec["completion"] > 1024
    rows = generations * _prompts(spec)
    cfg = from_dict(
        {
            "model": {
                "path": str(model_dir), "tokenizer": str(model_dir / "tokenizer"),
                "dtype": "float32" if smoke else "bfloat16", "quantization": spec["quant"],
                "gradient_checkpointing": True, "offload_activations": True,
            },
            "lora": {"r": 16, "alpha": 32.0, "target_modules": PROJECTIONS},
            "data": {"train": str(data)},
            "reward": "regex_match:pattern=^t1",
            "generation": {
                "num_generations": generations, "prompts_per_step": _prompts(spec), "max_prompt_length": spec.get("prompt", prompt),
                "max_completion_length": spec["completion"], "fast": "on",
                # long completions: the group in two halves, so the KV cache holds 4 rows, not 8
                "batch_size": generations // 2 if long else 0,
            },
            "grpo": {"loss_type": "dapo", "beta": 0.0},
            # few micro-batches (each costs launches on the CPU); offloaded checkpoints keep them small:
            # the whole group at 256 tokens, 2 completions at 4,096 (bench/update_phase.py), 1 beyond
            "optim": {"learning_rate": 1e-5, "micro_batch_size": min(rows, 16) if not long else 2 if spec["completion"] <= 8192 else 1},
            "log": {"progress": False, "samples_every": 0, "plot_every": 0},
            "checkpoint": {"every": 0},
            "max_steps": 3, "deterministic": False, "kernels": "torch" if smoke else "auto",
            "device": "cpu" if smoke else "cuda", "threads": 2 if smoke else 0,
            "output_dir": str(model_dir.parent / f"run-{name}"), "overwrite": True,
            "memory_budget_gib": 80.0 if name == "d" else 0.0,
        }
    )  # fmt: skip
    from trainer.config import set_option

    for item in aha_overrides:
        key, _, value = item.partition("=")
        set_option(cfg, key.strip(), value.strip())
    return cfg.validate()


def run_aha(name: str, spec: dict, model_dir: Path, data: Path, args: argparse.Namespace) -> dict:
    """Three aha trainer steps; steady numbers are the mean of steps 2-3."""
    import torch
    from rich.console import Console

    from trainer.grpo_trainer import Trainer

    cfg = aha_config(name, spec, model_dir, data, args.prompt, args.generations, args.smoke, tuple(args.aha_set))
    cuda = torch.cuda.is_available() and not args.smoke
    device = DevicePeak()
    trainer = Trainer(cfg, console=Console(quiet=True))
    weights = torch.cuda.memory_allocated() / 2**30 if cuda else float("nan")
    recs = []
    try:
        for step in range(1, cfg.max_steps + 1):
            recs.append(trainer.train_step(step))
    finally:
        engine = type(trainer.engine).__name__
        notes = list(getattr(trainer.engine, "notes", []))
        trainer.close()
    steady = recs[1:] or recs
    mean = lambda k: sum(r.get(k, float("nan")) for r in steady) / len(steady)  # noqa: E731
    peak = max(r["peak_mem_gib"] for r in recs)
    return {
        "engine": f"aha ({engine})", "weights_gib": weights, "peak_gib": peak,
        "peak_over_weights_gib": peak - weights if cuda else float("nan"),
        "step_s": mean("step_time_s"), "generate_s": mean("time/generate_s"), "update_s": mean("time/update_s"),
        "rollout_tok_s": mean("rollout/tokens_per_s"), "decode_step_ms": mean("rollout/decode_step_ms"),
        "cuda_graph": mean("rollout/cuda_graph"), "lora_merged": mean("rollout/lora_merged"),
        "generation_peak_gib": max(r["mem/generate_peak_gib"] for r in recs),
        "update_peak_gib": max(r["mem/update_peak_gib"] for r in recs),
        "completion": spec["completion"], "notes": notes, "device_peak_gib": device.gib(),
        "completion_tok_s": _prompts(spec) * args.generations * spec["completion"] / mean("step_time_s"),
        # a decode step must read every weight once: the bandwidth floor at 4.3 TB/s (target: within 2.5x)
        "decode_floor_ms": weights * 2**30 / 4.3e12 * 1e3 if cuda else float("nan"),
    }  # fmt: skip


def run_aha_confirm(name: str, spec: dict, model_dir: Path, data: Path, args: argparse.Namespace) -> dict:
    """Config (d): confirm the planner's length fits, without hours of decoding.

    The fast engine allocates its KV cache for the full length before the first token, so a rollout that
    stops at once (every token a stop token) already reaches the generation peak; the update then runs on
    random full-length completions (`--confirm-rows` of them: each micro-batch is one sequence, so the peak is
    the same as with all G). Decoding time at this length is not measured (tens of minutes).
    """
    import torch
    from rich.console import Console

    from trainer.grpo_trainer import Trainer
    from trainer.rollout.base import SamplingSettings
    from trainer.update import make_micro_batches, policy_update

    cfg = aha_config(name, spec, model_dir, data, args.prompt, args.generations, args.smoke, tuple(args.aha_set))
    cuda = torch.cuda.is_available() and not args.smoke
    trainer = Trainer(cfg, console=Console(quiet=True))
    weights = torch.cuda.memory_allocated() / 2**30 if cuda else float("nan")
    vocab = trainer.loaded.model.get_output_embeddings().weight.shape[0]
    length = spec["completion"]
    try:
        prompt = trainer.train_data.examples[0].prompt_ids
        if cuda:
            torch.cuda.reset_peak_memory_stats()
        settings = SamplingSettings(
            n=args.generations, max_new_tokens=length, seed=0, stop_token_ids=tuple(range(vocab))
        )
        trainer.engine.generate([prompt], settings)
        gen_peak = torch.cuda.max_memory_allocated() / 2**30 if cuda else float("nan")
        trainer.engine.sleep()
        trainer.engine._drop_session()
        if cuda:
            torch.cuda.reset_peak_memory_stats()
        rows = min(args.confirm_rows, args.generations)
        gen = torch.Generator().manual_seed(0)
        comps = [torch.randint(0, vocab - 1, (length,), generator=gen).tolist() for _ in range(rows)]
        t0 = time.perf_counter()
        micro = make_micro_batches(
            [prompt] * rows, comps, torch.randn(rows), [True] * rows, cfg.optim.micro_batch_size,
            trainer.loaded.tokenizer.pad_token_id, trainer.device,
        )  # fmt: skip
        policy_update(
            trainer.loaded.model, trainer.optimizer, trainer.scheduler, trainer.params, micro,
            trainer.update_settings, trainer.kernels.token_logprobs,
        )  # fmt: skip
        if cuda:
            torch.cuda.synchronize()
        update_s = time.perf_counter() - t0
        upd_peak = torch.cuda.max_memory_allocated() / 2**30 if cuda else float("nan")
    finally:
        trainer.close()
    peak = max(gen_peak, upd_peak)
    return {
        "engine": "aha (confirm)", "weights_gib": weights, "peak_gib": peak, "peak_over_weights_gib": peak - weights,
        "generation_peak_gib": gen_peak, "update_peak_gib": upd_peak, "update_s": update_s,
        "completion": length, "note": f"update of {rows} full-length sequences; decoding time not measured",
    }  # fmt: skip


def _trl_grpo(
    name: str, spec: dict, model, tok, peft_config, data: Path, args: argparse.Namespace, label: str,
    vllm: bool = False, device: DevicePeak | None = None,
) -> dict:  # fmt: skip
    """TRL's GRPOTrainer over `model` (Unsloth patches the same class): timed steps and peak memory.

    A step is one optimizer step over one generation batch (prompts x G completions), in micro-batches of at
    most 16 rows (gradient accumulation), as aha's update does. With `vllm`, TRL's colocated vLLM generates
    (sleep mode on, KV share `VLLM_SHARE`, its recommended single-GPU setup).
    """
    import torch
    from datasets import Dataset
    from transformers import TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    cuda = torch.cuda.is_available() and not args.smoke
    prompts = [json.loads(line)["prompt"] for line in data.read_text().splitlines()]
    steps = 1 if spec["completion"] > 1024 else 3
    rows = args.generations * _prompts(spec)
    micro = min(rows, 16)
    extra = {}
    if vllm:
        extra = dict(
            use_vllm=True, vllm_mode="colocate", vllm_enable_sleep_mode=cuda,  # no sleep mode on the CPU
            vllm_gpu_memory_utilization=VLLM_SHARE,
            vllm_max_model_length=spec.get("prompt", args.prompt) + spec["completion"] + 8,
        )  # fmt: skip
    conf = GRPOConfig(
        output_dir=str(data.parent / f"{label}-{name}"), per_device_train_batch_size=micro,
        gradient_accumulation_steps=rows // micro, num_generations=args.generations,
        max_completion_length=spec["completion"],
        gradient_checkpointing=True, bf16=not args.smoke, beta=0.0, max_steps=steps, learning_rate=1e-5,
        report_to=[], logging_steps=1, save_strategy="no", use_cpu=not cuda, temperature=1.0, **extra,
    )  # fmt: skip
    times: list[float] = []

    class Timer(TrainerCallback):
        def on_step_begin(self, *a, **k):
            if cuda:
                torch.cuda.synchronize()
            self.t = time.perf_counter()

        def on_step_end(self, *a, **k):
            if cuda:
                torch.cuda.synchronize()
            times.append(time.perf_counter() - self.t)

    trainer = GRPOTrainer(
        model=model, reward_funcs=lambda completions, **kw: [float(c.startswith("t1")) for c in completions],
        args=conf, train_dataset=Dataset.from_dict({"prompt": prompts}), processing_class=tok,
        peft_config=peft_config, callbacks=[Timer()],
    )  # fmt: skip
    weights = torch.cuda.memory_allocated() / 2**30 if cuda else float("nan")
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    trainer.train()
    peak = torch.cuda.max_memory_allocated() / 2**30 if cuda else float("nan")
    steady = times[1:] or times
    tokens = rows * spec["completion"]
    step_s = sum(steady) / len(steady)
    return {
        "weights_gib": weights, "peak_gib": peak, "peak_over_weights_gib": peak - weights,
        "device_peak_gib": device.gib() if device else float("nan"),
        "step_s": step_s, "completion_tok_s": tokens / step_s,
        "completion": spec["completion"], "note": f"{steps} step(s); completion tokens/s is per whole step",
    }  # fmt: skip


def run_trl(name: str, spec: dict, model_dir: Path, data: Path, args: argparse.Namespace, vllm: bool = False) -> dict:
    """TRL GRPOTrainer on the same model, data and settings (transformers generate unless `vllm`)."""
    import torch
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer

    cuda = torch.cuda.is_available() and not args.smoke
    device = DevicePeak()
    tok = AutoTokenizer.from_pretrained(str(model_dir / "tokenizer"))
    kwargs = {"dtype": torch.float32 if args.smoke else torch.bfloat16}
    if spec["quant"] == "nf4":
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16,
            bnb_4bit_use_double_quant=True,
        )  # fmt: skip
    # vLLM reads the tokenizer beside the weights: load from the folder that has both
    path = _flat_dir(model_dir) if vllm else model_dir
    model = AutoModelForCausalLM.from_pretrained(str(path), device_map={"": "cuda" if cuda else "cpu"}, **kwargs)
    lora = LoraConfig(r=16, lora_alpha=32, target_modules=PROJECTIONS, task_type="CAUSAL_LM")
    label = "TRL GRPOTrainer + colocated vLLM" if vllm else "TRL GRPOTrainer"
    return {"engine": label, **_trl_grpo(name, spec, model, tok, lora, data, args, "trl", vllm, device)}


def run_trl_vllm(name: str, spec: dict, model_dir: Path, data: Path, args: argparse.Namespace) -> dict:
    """TRL GRPOTrainer with colocated vLLM (`use_vllm=True, vllm_mode="colocate"`, sleep mode on)."""
    return run_trl(name, spec, model_dir, data, args, vllm=True)


def run_unsloth(
    name: str, spec: dict, model_dir: Path, data: Path, args: argparse.Namespace, vllm: bool = False
) -> dict:
    """Unsloth's FastLanguageModel (LoRA or QLoRA, its gradient checkpointing) in its patched GRPOTrainer.

    With `vllm`: `fast_inference=True`, Unsloth's fast setup (vLLM generates, sharing the weights with the
    trainer; its standby mode where the release has it).

    Unsloth pins trl <= 1.15 and datasets < 5, so on a machine that also runs TRL 1.16 it lives in a site
    folder of its own (`--unsloth-path`, put first on this child's path). If it does not import, the reason
    is the result.
    """
    try:
        import unsloth  # noqa: F401 - first, so that it patches transformers, peft and trl before they load
        from unsloth import FastLanguageModel
    except Exception as exc:  # noqa: BLE001 - any import failure is the recorded reason
        traceback.print_exc()
        return {"engine": "Unsloth", "status": f"not importable: {type(exc).__name__}: {str(exc)[:400]}"}
    import torch
    from transformers import AutoTokenizer

    device = DevicePeak()
    flat = _flat_dir(model_dir)
    tok = AutoTokenizer.from_pretrained(str(model_dir / "tokenizer"))
    extra = {"gpu_memory_utilization": VLLM_SHARE} if vllm else {}
    model, _ = FastLanguageModel.from_pretrained(
        model_name=str(flat), max_seq_length=spec.get("prompt", args.prompt) + spec["completion"] + 8,
        dtype=torch.bfloat16, load_in_4bit=spec["quant"] == "nf4", fast_inference=vllm, max_lora_rank=16,
        fix_tokenizer=False, tokenizer_name=str(model_dir / "tokenizer"), **extra,
    )  # fmt: skip
    model = FastLanguageModel.get_peft_model(
        model, r=16, lora_alpha=32, target_modules=PROJECTIONS, use_gradient_checkpointing="unsloth", random_state=0
    )
    out = _trl_grpo(name, spec, model, tok, None, data, args, "unsloth", vllm, device)
    label = f"Unsloth {getattr(unsloth, '__version__', '?')}" + (" fast_inference" if vllm else "")
    return {"engine": label, **out}


def run_unsloth_vllm(name: str, spec: dict, model_dir: Path, data: Path, args: argparse.Namespace) -> dict:
    """Unsloth with `fast_inference=True` (vLLM shares the weights)."""
    return run_unsloth(name, spec, model_dir, data, args, vllm=True)


RUNNERS = {
    "aha": run_aha, "aha_confirm": run_aha_confirm, "trl": run_trl, "trl_vllm": run_trl_vllm,
    "unsloth": run_unsloth, "unsloth_vllm": run_unsloth_vllm,
}  # fmt: skip


def _child_env(engine: str, args: argparse.Namespace) -> dict:
    """The environment of one variant's process: Unsloth's own site folder first on its path, offline."""
    env = dict(os.environ)
    first = []
    if engine.startswith("unsloth") and args.unsloth_path:
        first.append(args.unsloth_path)
    uses_vllm = engine.endswith("_vllm") or any(x.replace(" ", "") == "rollout=vllm" for x in args.aha_set)
    if uses_vllm and args.vllm_path:
        first.append(args.vllm_path)
        env.setdefault("VLLM_USE_FLASHINFER_SAMPLER", "0")
    if first:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (*first, env.get("PYTHONPATH", "")) if p)
    env.setdefault("HF_HUB_OFFLINE", "1")
    return env


def child(args: argparse.Namespace) -> int:
    """Run one (config, engine) variant in this process and write its JSON."""
    name, engine = args.child.split(":")
    spec = json.loads(args.spec)
    work = Path(args.work)
    model_dir = work / f"model-{spec['shape']}{'-smoke' if args.smoke else ''}"
    try:
        runner = run_aha_confirm if (engine == "aha" and name == "d") else RUNNERS[engine]
        out = runner(name, spec, model_dir, work / f"prompts-{spec.get('prompt', args.prompt)}.jsonl", args)
        out.setdefault("status", "ok")
    except Exception as exc:  # noqa: BLE001
        traceback.print_exc()
        out = {"engine": engine, "status": f"failed: {type(exc).__name__}: {str(exc)[:500]}"}
    out.update({"config": name})
    Path(args.result).write_text(json.dumps(out))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Build the models, run every selected variant in its own process, print a table and write JSON."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--configs", default="a,b,c,d")
    p.add_argument("--engines", default="aha,trl,unsloth")
    p.add_argument("--trl-configs", default="a,b", help="configs TRL runs on (c: one 4,096-token step is ~4 min)")
    p.add_argument("--smoke", action="store_true", help="tiny shapes on the CPU (checks the script)")
    p.add_argument("--prompt", type=int, default=None)
    p.add_argument("--generations", type=int, default=8)
    p.add_argument("--timeout", type=int, default=420, help="seconds per variant")
    p.add_argument("--aha-set", action="append", default=[], help="KEY=VALUE override of aha's config (repeatable)")
    p.add_argument("--confirm-rows", type=int, default=2, help="(d): full-length sequences in the confirming update")
    p.add_argument("--d-completion", type=int, default=0, help="(d): this length instead of the planner's")
    p.add_argument("--unsloth-path", default=None, help="a site folder with Unsloth and its pins, first on its path")
    p.add_argument("--vllm-path", default=None, help="a site folder with vLLM, first on the path of the vLLM variants")
    p.add_argument("--json", default=None)
    p.add_argument("--work", default=None)
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    p.add_argument("--spec", default=None, help=argparse.SUPPRESS)
    p.add_argument("--result", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.prompt = args.prompt or (16 if args.smoke else 128)
    if args.child:
        return child(args)
    import torch

    if not args.smoke and not torch.cuda.is_available():
        print("no CUDA GPU: use --smoke on the CPU", file=sys.stderr)
        return 2
    from trainer_gpu import build_model_dir, write_prompts

    work = Path(args.work or tempfile.mkdtemp(prefix="aha-e2e-"))
    work.mkdir(parents=True, exist_ok=True)
    vocab = (SMOKE if args.smoke else QWEN_1_5B)["vocab_size"]
    results = []
    for name in [c for c in args.configs.split(",") if c]:
        spec = dict(CONFIGS[name])
        if args.smoke:  # bitsandbytes needs CUDA: the smoke run checks the script with unquantised weights
            spec.update(completion=16 if name != "c" else 32, quant="none")
        elif name == "d":
            spec["completion"] = args.d_completion or search_completion(80.0, args.prompt, args.generations)
            print(f"(d) planner: longest completion within 80 GB = {spec['completion']}", flush=True)
        if args.smoke:
            spec.update(prompts=min(_prompts(spec), 2), prompt=min(spec.get("prompt", args.prompt), args.prompt))
        plen = spec.setdefault("prompt", args.prompt)
        if not (work / f"prompts-{plen}.jsonl").exists():
            write_prompts(work / f"prompts-{plen}.jsonl", max(16, 4 * _prompts(spec)), plen, vocab)
        shape = _shape(spec["shape"], args.smoke)
        model_dir = work / f"model-{spec['shape']}{'-smoke' if args.smoke else ''}"
        t0 = time.perf_counter()
        build_model_dir(model_dir, shape, "cpu" if args.smoke else "cuda", "float32" if args.smoke else "bfloat16")
        print(f"model {spec['shape']} ready in {time.perf_counter() - t0:.0f} s", flush=True)
        for engine in [e for e in args.engines.split(",") if e]:
            if engine == "trl" and name not in args.trl_configs.split(","):
                continue
            res_file = work / f"{name}-{engine}.json"
            cmd = [sys.executable, __file__, "--child", f"{name}:{engine}", "--spec", json.dumps(spec),
                   "--work", str(work), "--result", str(res_file), "--prompt", str(args.prompt),
                   "--generations", str(args.generations), "--confirm-rows", str(args.confirm_rows)] + [f"--aha-set={x}" for x in args.aha_set] + (["--smoke"] if args.smoke else [])  # fmt: skip
            print(f"== ({name}) {engine}", flush=True)
            try:
                subprocess.run(cmd, timeout=args.timeout, env=_child_env(engine, args), check=False)
                res = json.loads(res_file.read_text())
            except subprocess.TimeoutExpired:
                res = {"config": name, "engine": engine, "status": f"timed out after {args.timeout} s"}
            except (OSError, ValueError) as exc:
                res = {"config": name, "engine": engine, "status": f"no result: {exc}"}
            results.append(res)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() and not args.smoke else "cpu (smoke)",
        "torch": torch.__version__, "weights": "RANDOM weights (no downloads); completions run to full length",
        "G": args.generations, "prompt": args.prompt, "results": results, "vllm_share": VLLM_SHARE,
    }  # fmt: skip
    print_table(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


def print_table(report: dict) -> None:
    """Results as a fixed-width table."""
    cols = [("config", "{}"), ("engine", "{}"), ("completion", "{}"), ("weights_gib", "{:.2f}"), ("peak_gib", "{:.2f}"),
            ("peak_over_weights_gib", "{:.2f}"), ("step_s", "{:.2f}"), ("generate_s", "{:.2f}"),
            ("update_s", "{:.2f}"), ("completion_tok_s", "{:.0f}"), ("device_peak_gib", "{:.2f}"), ("decode_step_ms", "{:.2f}"),
            ("decode_floor_ms", "{:.2f}"), ("generation_peak_gib", "{:.2f}"), ("update_peak_gib", "{:.2f}")]  # fmt: skip
    print(
        f"\n{report['weights']}; {report['device']}, torch {report['torch']}, G={report['G']}, prompt {report['prompt']}"
    )
    print_results(report["results"], [(c, c, fmt) for c, fmt in cols], 12, ("config", "engine"))


if __name__ == "__main__":
    sys.exit(main())
