"""Benchmark of the GRPO policy-update phase: peak memory and step time, torch path vs Triton path vs TRL.

Rollouts are fixed (random full-length completions), so only the update is measured: forward, backward
and the optimizer step over one group of completions of a Qwen2.5-1.5B-shaped model with random weights
and LoRA r=16 on every projection. Variants (each on a freshly built model with the same seed):

- torch:       peft LoRA + gradient checkpointing + trainer.logprobs.token_logprobs + trainer.losses.grpo_loss
- triton:      trainer.kernels.patch_lora + gradient checkpointing + trainer.kernels.fused_grpo_loss
- liger_loss:  as torch, with liger-kernel's LigerFusedLinearGRPOLoss as the loss (if liger_kernel imports)
- trl:         TRL GRPOTrainer's own loss (`compute_loss`) on the same inputs (if trl imports)
- trl_liger:   the same with liger-kernel's layer kernels applied to the model (if both import; runs last,
               because liger patches transformers' Qwen2 classes for the rest of the process)

The torch, triton and liger_loss variants process the group in micro-batches of whole completions
(--mb-tokens tokens at most per micro-batch, gradients accumulated, the DAPO loss normalised by the
group's token count, so the gradients equal one full-batch step). TRL runs the group as one batch,
as its reference measurement did.

GPU:   python bench/update_phase.py --json $OUT/update_phase.json
CPU:   python bench/update_phase.py --smoke     (tiny shapes, Triton interpreter; checks the harness)
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GIB = 2**30
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
ALL_VARIANTS = ("torch", "triton", "liger_loss", "trl", "trl_liger")
TRL_REFERENCE_GIB = {256: 4.16, 1024: 5.68, 4096: 11.75}  # ENVIRONMENT.md, measured on the H200 (TRL 1.16)
TRL_REFERENCE_WEIGHTS_GIB = 2.87


@dataclass
class Shape:
    """Model and batch shape of one benchmark configuration."""

    vocab: int
    hidden: int
    layers: int
    heads: int
    kv_heads: int
    intermediate: int
    group: int
    prompt: int
    lengths: list[int]
    rank: int = 16


FULL = Shape(vocab=151936, hidden=1536, layers=28, heads=12, kv_heads=2, intermediate=8960, group=8, prompt=128,
             lengths=[256, 1024, 4096])  # fmt: skip
SMOKE = Shape(
    vocab=1001, hidden=64, layers=2, heads=4, kv_heads=2, intermediate=136, group=4, prompt=6, lengths=[8, 24]
)


@dataclass
class Record:
    """One variant at one completion length."""

    variant: str
    completion_length: int
    status: str = "ok"
    reason: str = ""
    micro_batch: int | None = None
    peak_allocated_gib: float | None = None
    weights_gib: float | None = None
    beyond_weights_gib: float | None = None
    step_time_s: float | None = None
    step_times_s: list[float] = field(default_factory=list)
    first_loss: float | None = None
    first_grad_norm: float | None = None
    leftover_gib: float | None = None


def _cuda(device: str) -> bool:
    return device.startswith("cuda")


def enable_checkpointing(causal_lm) -> None:
    """Non-reentrant gradient checkpointing of every decoder layer (the transformers 5.x name is deprecated)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        causal_lm.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})


def build_model(shape: Shape, device: str, dtype, seed: int = 0):
    """A Qwen2-shaped causal LM with random weights and LoRA on every projection (same seed, same weights)."""
    import torch
    import transformers
    from peft import LoraConfig, get_peft_model

    cfg = transformers.Qwen2Config(
        vocab_size=shape.vocab, hidden_size=shape.hidden, intermediate_size=shape.intermediate,
        num_hidden_layers=shape.layers, num_attention_heads=shape.heads, num_key_value_heads=shape.kv_heads,
        tie_word_embeddings=True, max_position_embeddings=max(shape.lengths) + shape.prompt + 64,
        rope_theta=1_000_000.0, use_cache=False,
    )  # fmt: skip
    torch.manual_seed(seed)
    old_dtype = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            model = transformers.Qwen2ForCausalLM(cfg)
    finally:
        torch.set_default_dtype(old_dtype)
    weights_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
    torch.manual_seed(seed + 1)
    lora = LoraConfig(r=shape.rank, lora_alpha=2 * shape.rank, lora_dropout=0.0, target_modules=TARGETS)
    model = get_peft_model(model, lora)
    enable_checkpointing(model.base_model.model)
    model.train()
    return model, weights_bytes


def make_inputs(shape: Shape, length: int, device: str, seed: int = 1234) -> dict:
    """Fixed rollouts: random prompt and completion ids, all completions full length, group advantages."""
    import torch

    g = torch.Generator().manual_seed(seed + length)
    prompt_ids = torch.randint(0, shape.vocab, (shape.group, shape.prompt), generator=g)
    completion_ids = torch.randint(0, shape.vocab, (shape.group, length), generator=g)
    rewards = torch.rand(shape.group, generator=g)
    advantages = (rewards - rewards.mean()) / (rewards.std() + 1e-4)
    return {
        "prompt_ids": prompt_ids.to(device),
        "prompt_mask": torch.ones_like(prompt_ids).to(device),
        "completion_ids": completion_ids.to(device),
        "completion_mask": torch.ones(shape.group, length, dtype=torch.long).to(device),
        "advantages": advantages.to(device),
    }


def micro_batch_size(shape: Shape, length: int, mb_tokens: int) -> int:
    """Largest number of whole completions per micro-batch within mb_tokens (at least 1)."""
    return max(1, min(shape.group, mb_tokens // (shape.prompt + length)))


def _trainable(model) -> list:
    return [p for p in model.parameters() if p.requires_grad]


def _grad_norm(model) -> float:
    import torch

    grads = [p.grad.float().norm() for p in _trainable(model) if p.grad is not None]
    return float(torch.stack(grads).norm()) if grads else 0.0


def _loss_settings():
    from trainer.losses import LossSettings

    # TRL 1.16's defaults: dapo, epsilon 0.2 both sides, beta 0, one update per batch (old log-probs = current)
    return LossSettings(loss_type="dapo", epsilon_low=0.2, epsilon_high=0.2, beta=0.0)


def _our_loss_fn(kind: str, model, shape: Shape):
    """loss(micro_batch, n_tokens) for the torch / triton / liger_loss variants, from the backbone's hidden states."""
    import torch

    from trainer.losses import grpo_loss

    settings = _loss_settings()
    causal_lm = model.base_model.model
    backbone, head = causal_lm.model, causal_lm.lm_head
    liger = None
    if kind == "liger_loss":
        from liger_kernel.chunked_loss import LigerFusedLinearGRPOLoss

        liger = LigerFusedLinearGRPOLoss(beta=0.0, use_ref_model=False, loss_type="dapo", epsilon_low=0.2,
                                         epsilon_high=0.2, compiled=False)  # fmt: skip

    def loss_fn(mb: dict, n_tokens: float) -> torch.Tensor:
        ids = torch.cat([mb["prompt_ids"], mb["completion_ids"]], dim=1)
        length = mb["completion_ids"].shape[1]
        hidden = backbone(input_ids=ids, use_cache=False).last_hidden_state[:, -length - 1 : -1]
        mask = mb["completion_mask"]
        if kind == "triton":
            from trainer.kernels import fused_grpo_loss

            loss, _, _ = fused_grpo_loss(hidden, head.weight, mb["completion_ids"], mb["advantages"], mask, settings,
                                         num_items_in_batch=n_tokens)  # fmt: skip
            return loss
        if kind == "liger_loss":
            loss, _ = liger(hidden, head.weight, mb["completion_ids"], mask, mb["advantages"],
                            num_items_in_batch=torch.tensor(n_tokens, device=hidden.device))  # fmt: skip
            return loss
        from trainer.logprobs import token_logprobs

        logps = token_logprobs(hidden, head.weight, mb["completion_ids"])
        loss, _ = grpo_loss(logps, None, mb["advantages"], mask, settings, num_items_in_batch=n_tokens)
        return loss

    return loss_fn


def _tiny_tokenizer():
    """A word-level tokenizer made here (no hub): TRL wants a processing class; the update never uses its vocabulary."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordLevel({"<pad>": 0, "<eos>": 1, "<unk>": 2, "hi": 3}, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>", unk_token="<unk>")


def _trl_loss_fn(model, shape: Shape, length: int, device: str, tmp: str):
    """TRL GRPOTrainer's compute_loss on the whole group (its update), with our inputs in its batch format."""
    import torch
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    args = GRPOConfig(
        output_dir=tmp, per_device_train_batch_size=shape.group, num_generations=shape.group,
        max_completion_length=length, gradient_checkpointing=True,
        gradient_checkpointing_kwargs={"use_reentrant": False}, bf16=_cuda(device), use_cpu=not _cuda(device),
        beta=0.0, loss_type="dapo", epsilon=0.2, report_to=[], save_strategy="no", logging_steps=1,
    )  # fmt: skip
    trainer = GRPOTrainer(
        model=model, reward_funcs=lambda completions, **kw: [0.0] * len(completions), args=args,
        train_dataset=Dataset.from_dict({"prompt": ["hi"] * shape.group}), processing_class=_tiny_tokenizer(),
    )  # fmt: skip
    trainer.current_gradient_accumulation_steps = 1
    trained = trainer.model
    trained.train()

    def loss_fn(mb: dict, n_tokens: float) -> torch.Tensor:
        inputs = dict(mb, num_items_in_batch=torch.tensor(float(n_tokens), device=mb["advantages"].device))
        return trainer.compute_loss(trained, inputs)

    return loss_fn, trainer


def _apply_liger_layers(model) -> None:
    from liger_kernel.transformers import apply_liger_kernel_to_qwen2

    apply_liger_kernel_to_qwen2(rope=True, swiglu=True, rms_norm=True, cross_entropy=False,
                                fused_linear_cross_entropy=False, model=model.base_model.model)  # fmt: skip


def _profiler(device: str):
    import torch

    acts = [torch.profiler.ProfilerActivity.CPU]
    if _cuda(device):
        acts.append(torch.profiler.ProfilerActivity.CUDA)
    prof = torch.profiler.profile(activities=acts)
    prof.__enter__()
    return prof


def _write_profile(prof, kind: str, length: int, opts: argparse.Namespace) -> None:
    """The profiled step's top operators by device time (or CPU time without a GPU), printed and saved."""
    sort = "cuda_time_total" if _cuda(opts.device) else "cpu_time_total"
    text = prof.key_averages().table(sort_by=sort, row_limit=30, max_name_column_width=60)
    print(f"--- profile of one {kind} step at {length} tokens ---\n{text}", flush=True)
    if opts.json:
        (opts.json.parent / f"profile_{kind}_{length}.txt").write_text(text)


def _split(inputs: dict, mb: int) -> list[dict]:
    n = inputs["advantages"].shape[0]
    return [{k: v[s : s + mb] for k, v in inputs.items()} for s in range(0, n, mb)]


def run_variant(kind: str, shape: Shape, length: int, opts: argparse.Namespace) -> Record:
    """Build a fresh model, run opts.steps update steps, and measure the steady-state peak and time."""
    import torch

    rec = Record(variant=kind, completion_length=length)
    device, dtype = opts.device, (torch.bfloat16 if _cuda(opts.device) else torch.float32)
    model = trainer = None
    tmp = tempfile.TemporaryDirectory()
    try:
        gc.collect()
        leftover = torch.cuda.memory_allocated() / GIB if _cuda(device) else 0.0
        model, weights_bytes = build_model(shape, device, dtype)
        rec.weights_gib = weights_bytes / GIB
        rec.leftover_gib = leftover
        inputs = make_inputs(shape, length, device)
        n_tokens = float(inputs["completion_mask"].sum())
        if kind in ("trl", "trl_liger"):
            if kind == "trl_liger":
                _apply_liger_layers(model)
            loss_fn, trainer = _trl_loss_fn(model, shape, length, device, tmp.name)
            mb = shape.group
        else:
            if kind == "triton":
                from trainer.kernels import patch_lora

                patched = patch_lora(model)
                if patched != len(TARGETS) * shape.layers:
                    raise RuntimeError(f"patch_lora patched {patched} layers, expected {len(TARGETS) * shape.layers}")
            if opts.offload and _cuda(device):
                from trainer.offload import enable_offloaded_checkpointing

                enable_offloaded_checkpointing(model)
            loss_fn = _our_loss_fn(kind, model, shape)
            mb = micro_batch_size(shape, length, opts.mb_tokens)
        rec.micro_batch = mb
        opt = torch.optim.AdamW(_trainable(model), lr=1e-5)
        for step in range(opts.steps):
            if _cuda(device):
                torch.cuda.synchronize()
                torch.cuda.reset_peak_memory_stats()
            profiling = opts.profile == kind and step == opts.steps - 1 and step > 0
            prof = _profiler(device) if profiling else None
            t0 = time.perf_counter()
            total = torch.zeros((), device=device)
            for part in _split(inputs, mb):
                loss = loss_fn(part, n_tokens)
                loss.backward()
                total += loss.detach()
            if step == 0:
                rec.first_loss, rec.first_grad_norm = float(total), _grad_norm(model)
            opt.step()
            opt.zero_grad(set_to_none=True)
            if _cuda(device):
                torch.cuda.synchronize()
            dt = time.perf_counter() - t0
            if prof is not None:
                prof.__exit__(None, None, None)
                _write_profile(prof, kind, length, opts)
            if step > 0 or opts.steps == 1:  # step 0 warms up kernels and creates the optimizer state
                rec.step_times_s.append(dt)
                if _cuda(device):
                    peak = torch.cuda.max_memory_allocated() / GIB
                    rec.peak_allocated_gib = max(rec.peak_allocated_gib or 0.0, peak)
        rec.step_time_s = sorted(rec.step_times_s)[len(rec.step_times_s) // 2]
        if rec.peak_allocated_gib is not None:
            # what an earlier variant left allocated (if anything) is not this variant's
            rec.peak_allocated_gib -= leftover
            rec.beyond_weights_gib = rec.peak_allocated_gib - rec.weights_gib
    except ImportError as exc:
        rec.status, rec.reason = "skipped", f"not importable: {exc}"
    except Exception as exc:  # one variant failing (OOM, API drift) must not lose the others' numbers
        rec.status, rec.reason = "error", f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        if opts.verbose:
            traceback.print_exc()
    finally:
        if kind == "triton" and model is not None:
            from trainer.kernels import unpatch_lora

            unpatch_lora(model)
        del model, trainer
        gc.collect()
        if _cuda(device):
            torch.cuda.empty_cache()
        tmp.cleanup()
    return rec


def _fmt(x: float | None, spec: str = ".2f") -> str:
    return "-" if x is None else format(x, spec)


def table(records: list[Record]) -> str:
    """A plain-text table of the results (one row per variant and length), with the targets against TRL."""
    head = ("len", "variant", "mb", "peak GiB", "beyond weights", "step s", "loss@1", "|grad|@1", "status")
    rows = [head]
    for r in records:
        rows.append((str(r.completion_length), r.variant, _fmt(r.micro_batch, "d"), _fmt(r.peak_allocated_gib),
                     _fmt(r.beyond_weights_gib), _fmt(r.step_time_s, ".3f"), _fmt(r.first_loss, ".5f"),
                     _fmt(r.first_grad_norm, ".4g"), r.status if r.status == "ok" else f"{r.status}: {r.reason}"))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(head) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row[:-1], widths)) + "  " + row[-1] for row in rows]
    return "\n".join(lines)


def verdicts(records: list[Record]) -> list[str]:
    """The issue's targets, checked against this run (and TRL's reference numbers where TRL did not run here)."""
    out = []
    by = {(r.variant, r.completion_length): r for r in records if r.status == "ok"}
    for length in sorted({r.completion_length for r in records}):
        tri = by.get(("triton", length))
        if tri is None or tri.beyond_weights_gib is None:
            continue
        trl = by.get(("trl", length))
        if trl is not None and trl.beyond_weights_gib is not None:
            trl_beyond, src = trl.beyond_weights_gib, "TRL here"
        elif length in TRL_REFERENCE_GIB:
            trl_beyond, src = TRL_REFERENCE_GIB[length] - TRL_REFERENCE_WEIGHTS_GIB, "TRL reference"
        else:
            trl_beyond, src = None, ""
        msg = f"{length}: triton beyond weights {tri.beyond_weights_gib:.2f} GiB"
        if trl_beyond:
            msg += f", {trl_beyond / max(tri.beyond_weights_gib, 1e-9):.1f}x below {src} ({trl_beyond:.2f} GiB)"
        if length <= 256:
            msg += f"; target <= 0.5 GiB: {'met' if tri.beyond_weights_gib <= 0.5 else 'MISSED'}"
        if length >= 4096 and trl_beyond:
            msg += f"; target >= 8x: {'met' if trl_beyond / tri.beyond_weights_gib >= 8 else 'MISSED'}"
        for other in ("torch", "trl"):
            o = by.get((other, length))
            if o is not None and o.step_time_s and tri.step_time_s:
                verdict = "no slower" if tri.step_time_s <= o.step_time_s * 1.02 else "SLOWER"
                msg += f"; time vs {other}: {tri.step_time_s:.3f} s vs {o.step_time_s:.3f} s ({verdict})"
        out.append(msg)
    return out


def _environment(device: str) -> dict[str, Any]:
    import torch

    env: dict[str, Any] = {"python": platform.python_version(), "torch": torch.__version__, "device": device}
    if _cuda(device):
        env["gpu"] = torch.cuda.get_device_name(0)
    for name in ("triton", "transformers", "peft", "trl", "liger_kernel"):
        try:
            mod = __import__(name)
            env[name] = getattr(mod, "__version__", "?")
        except Exception:
            env[name] = None
    return env


def write_json(opts: argparse.Namespace, shape: Shape, records: list[Record], started: float) -> None:
    """The records, the targets' verdicts and the environment, as JSON at opts.json."""
    payload = {
        "benchmark": "update_phase",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "shape": asdict(shape),
        "steps": opts.steps,
        "mb_tokens": opts.mb_tokens,
        "offload": opts.offload,
        "environment": _environment(opts.device),
        "records": [asdict(r) for r in records],
        "verdicts": verdicts(records),
        "wall_s": round(time.perf_counter() - started, 1),
    }
    opts.json.parent.mkdir(parents=True, exist_ok=True)
    opts.json.write_text(json.dumps(payload, indent=2))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--smoke", action="store_true", help="tiny shapes on the CPU through Triton's interpreter")
    p.add_argument("--lengths", type=int, nargs="+", help="completion lengths (default 256 1024 4096)")
    p.add_argument("--variants", nargs="+", choices=ALL_VARIANTS, default=list(ALL_VARIANTS))
    p.add_argument("--steps", type=int, default=4, help="update steps per variant; the first is a warm-up")
    p.add_argument("--mb-tokens", type=int, default=1024, help="token budget of one micro-batch (ours)")
    p.add_argument(
        "--offload",
        action="store_true",
        help="ours: checkpointed layer inputs in pinned CPU memory (model.offload_activations)",
    )
    p.add_argument("--device", default=None, help="default: cuda if available, else cpu")
    p.add_argument("--json", type=Path, default=None, help="write the records and environment here")
    p.add_argument("--verbose", action="store_true", help="print tracebacks of failing variants")
    p.add_argument("--profile", choices=ALL_VARIANTS, help="profile the last step of this variant (torch.profiler)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    if opts.smoke and os.environ.get("TRITON_INTERPRET") is None:
        import torch

        if not torch.cuda.is_available() or opts.device == "cpu":
            os.environ["TRITON_INTERPRET"] = "1"  # before Triton is imported
    import torch

    opts.device = opts.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if opts.steps < 1:
        raise SystemExit("--steps must be >= 1")
    shape = replace(SMOKE if opts.smoke else FULL)
    if opts.lengths:
        shape.lengths = list(opts.lengths)
    order = [v for v in ALL_VARIANTS if v in opts.variants]
    started = time.perf_counter()
    records: list[Record] = []
    # ours first, then TRL (its trainer can hold memory until a later collection), and trl_liger last of all:
    # liger patches transformers' Qwen2 classes for the rest of the process
    ours = [(length, kind) for length in shape.lengths for kind in order if not kind.startswith("trl")]
    plan = ours + [(length, kind) for kind in ("trl", "trl_liger") if kind in order for length in shape.lengths]
    for length, kind in plan:
        t0 = time.perf_counter()
        rec = run_variant(kind, shape, length, opts)
        records.append(rec)
        if opts.json:  # after every variant, so a run stopped early keeps what it measured
            write_json(opts, shape, records, started)
        print(f"[{time.perf_counter() - started:6.1f}s] {length:5d} {kind:10s} {rec.status} "
              f"peak={_fmt(rec.peak_allocated_gib)} GiB step={_fmt(rec.step_time_s, '.3f')} s "
              f"({time.perf_counter() - t0:.1f}s) {rec.reason}", flush=True)  # fmt: skip
    print()
    print(table(records))
    for line in verdicts(records):
        print(line)
    if opts.json:
        write_json(opts, shape, records, started)
        print(f"wrote {opts.json}")
    bad = [r for r in records if r.status == "error" and r.variant in ("torch", "triton")]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
