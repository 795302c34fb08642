"""Peak GPU memory of a run, estimated from the config before anything is loaded, and the refusal when it won't fit.

The estimate is analytic (see docs/performance.md): weights by dtype and quantisation; LoRA adapters with
their gradients and AdamW states (or the full model's); for the update, the checkpointed layer inputs
(none on the GPU when offloaded), one layer's recompute/backward working set and the output-head chunks;
for generation, the KV cache and the sampling buffers. Generation and update do not overlap (the rollout
cache is freed before the update), so the peak is the fixed part plus the larger of the two. The
coefficients were fitted to the H200 measurements in docs/benchmarks.md.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import ConfigError, TrainConfig
from .rollout.transformers.fast import KEEP_BYTES  # torch-free at import, like this module

GIB = 2**30
DTYPE_BYTES = {"float32": 4, "bfloat16": 2, "float16": 2}
# bytes per quantised weight, quantisation constants included (NF4 with double quantisation, measured 1.21 GiB
# for the 1.5B shape with its adapters; LLM.int8 is one byte plus a scale per row)
QUANT_BYTES = {"nf4": 0.58, "int8": 1.02}
# fitted coefficients (docs/performance.md): layer working set and output-head chunk multipliers per path
LAYER_WORK = {"torch": 0.6, "triton": 0.71}
HEAD_WORK = {"torch": 3.4, "triton": 2.3}
# float32-equivalent rows of the fused kernel's chunk (about 64 MiB of logits: 256 bf16 rows at 152k)
TRITON_HEAD_ROWS = 128
SAFETY = 1.10  # allocator fragmentation: reserved runs ~5-15 % above allocated in the measured runs
CONTEXT_BYTES = int(0.5 * GIB)  # CUDA context, cuBLAS workspaces, Triton/graph pools outside the estimate


@dataclass(frozen=True)
class ModelShape:
    """What the estimate needs to know about a decoder-only transformer."""

    vocab: int
    hidden: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    intermediate: int
    tied: bool

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> ModelShape:
        """From a transformers config.json dict (Llama/Qwen/Mistral-style keys)."""
        try:
            hidden = int(cfg["hidden_size"])
            heads = int(cfg["num_attention_heads"])
            return cls(
                vocab=int(cfg["vocab_size"]),
                hidden=hidden,
                layers=int(cfg["num_hidden_layers"]),
                heads=heads,
                kv_heads=int(cfg.get("num_key_value_heads") or heads),
                head_dim=int(cfg.get("head_dim") or hidden // heads),
                intermediate=int(cfg.get("intermediate_size") or 4 * hidden),
                tied=bool(cfg.get("tie_word_embeddings", False)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"config.json lacks a field the memory estimate needs: {exc}") from None

    @classmethod
    def from_path(cls, path: str | Path) -> ModelShape:
        """From a model folder's config.json."""
        return cls.from_config(json.loads((Path(path) / "config.json").read_text(encoding="utf-8")))

    @property
    def layer_linear_params(self) -> int:
        q = self.hidden * self.heads * self.head_dim
        kv = 2 * self.hidden * self.kv_heads * self.head_dim
        o = self.heads * self.head_dim * self.hidden
        return q + kv + o + 3 * self.hidden * self.intermediate

    @property
    def embedding_params(self) -> int:
        return self.vocab * self.hidden * (1 if self.tied else 2)

    def lora_params(self, r: int) -> int:
        """Adapter parameters with r on every linear layer of every decoder layer (q,k,v,o,gate,up,down)."""
        kvd = self.kv_heads * self.head_dim
        qd = self.heads * self.head_dim
        dims = [(self.hidden, qd), (self.hidden, kvd), (self.hidden, kvd), (qd, self.hidden)]
        dims += [(self.hidden, self.intermediate)] * 2 + [(self.intermediate, self.hidden)]
        return self.layers * r * sum(a + b for a, b in dims)


@dataclass
class MemoryEstimate:
    """Estimated bytes per part and the peak; `phase` names the larger of generation and update."""

    parts: dict[str, float] = field(default_factory=dict)
    fixed: list[str] = field(default_factory=list)
    generation: list[str] = field(default_factory=list)
    update: list[str] = field(default_factory=list)

    def total(self, names: list[str]) -> float:
        return sum(self.parts[n] for n in names)

    @property
    def peak(self) -> float:
        return self.total(self.fixed) + max(self.total(self.generation), self.total(self.update))

    @property
    def phase(self) -> str:
        return "generation" if self.total(self.generation) > self.total(self.update) else "update"

    def describe(self) -> str:
        """One line per part, in GiB."""
        lines = [f"  {name}: {self.parts[name] / GIB:.2f} GiB" for name in self.fixed]
        lines += [f"  generation - {n}: {self.parts[n] / GIB:.2f} GiB" for n in self.generation]
        lines += [f"  update - {n}: {self.parts[n] / GIB:.2f} GiB" for n in self.update]
        lines.append(f"  peak (in the {self.phase} phase): {self.peak / GIB:.2f} GiB")
        return "\n".join(lines)


def estimate(
    cfg: TrainConfig, shape: ModelShape, kernels: str = "torch", dtype_bytes: int | None = None
) -> MemoryEstimate:
    """The estimated peak of one training step of `cfg` on a model of `shape` ('torch' or 'triton' kernels).

    An unset model.offload_activations counts as off here; `aha train` resolves it for its device first.
    """
    b = dtype_bytes or DTYPE_BYTES.get(cfg.model.dtype, 2)  # 'auto' is bf16 on a GPU
    g, o = cfg.generation, cfg.optim
    lora = cfg.model.finetune == "lora"
    body = shape.layers * shape.layer_linear_params
    qbytes = QUANT_BYTES.get(cfg.model.quantization, b)
    e = MemoryEstimate()
    e.parts["weights"] = body * qbytes + shape.embedding_params * b
    if lora:
        n = shape.lora_params(cfg.lora.r)
        e.parts["adapters"] = n * 4.0  # peft keeps adapters in float32
        e.parts["adapter grads + AdamW"] = n * 12.0
    else:
        n = body + shape.embedding_params
        e.parts["grads + AdamW"] = n * 3.0 * b
        if cfg.grpo.beta > 0:
            e.parts["reference copy"] = e.parts["weights"]
    e.fixed = list(e.parts)

    # generation: KV cache of every sequence at full length, logits and sampling buffers
    rows = cfg.completions_per_step if not g.batch_size else min(g.batch_size, cfg.completions_per_step)
    length = g.max_prompt_length + g.max_completion_length
    kvd = shape.kv_heads * shape.head_dim
    kv = 2.0 * shape.layers * rows * length * kvd * b
    # transformers' dynamic cache grows by concatenation (old and new copy alive at once); vLLM reserves its
    # own memory (vllm.gpu_memory_utilization), which this estimate does not cover
    e.parts["KV cache"] = {"transformers": kv * (1.0 if g.fast != "off" else 2.0)}.get(cfg.rollout, 0.0)
    e.parts["logits + sampling"] = rows * shape.vocab * 4.0 * 4
    # the prompts are prefilled once per group (sdpa: no score matrix); one layer's activations at a time
    e.parts["prefill"] = g.prompts_per_step * g.max_prompt_length * (4 * shape.hidden + 2 * shape.intermediate) * b
    e.generation = ["KV cache", "logits + sampling", "prefill"]

    # update: one micro-batch of prompt + completion tokens
    mb = min(o.micro_batch_size, cfg.completions_per_step)
    tokens = mb * length
    layer_unit = tokens * b * (4 * shape.hidden + 2 * kvd + 3 * shape.intermediate)
    path = "triton" if kernels == "triton" else "torch"
    if cfg.model.gradient_checkpointing or cfg.model.offload_activations:
        kept = 2 if cfg.model.offload_activations else shape.layers
        e.parts["checkpointed layer inputs"] = kept * tokens * shape.hidden * float(b)
        e.parts["layer recompute + backward"] = LAYER_WORK[path] * layer_unit
    else:
        e.parts["activations (no checkpointing)"] = shape.layers * 1.5 * layer_unit
    if cfg.rollout == "transformers" and g.fast != "off" and kv <= KEEP_BYTES:
        e.parts["rollout cache kept between steps"] = kv
    head_rows = min(mb * g.max_completion_length, TRITON_HEAD_ROWS if path == "triton" else cfg.logprob_chunk_size)
    e.parts["output-head chunks"] = HEAD_WORK[path] * head_rows * shape.vocab * 4.0
    e.update = [n for n in e.parts if n not in e.fixed and n not in e.generation]
    return e


def needed_bytes(est: MemoryEstimate) -> float:
    """What the run needs from the device: the peak with the fragmentation margin."""
    return est.peak * SAFETY


def suggestions(cfg: TrainConfig, shape: ModelShape, budget: float, kernels: str) -> list[str]:
    """Setting changes, mildest first, each of which alone (or with the ones before it) makes the run fit."""
    steps: list[tuple[str, Any]] = []
    mb = cfg.optim.micro_batch_size
    while mb > 1:
        mb = max(1, mb // 2)
        steps.append(("optim.micro_batch_size", mb))
    if cfg.logprob_chunk_size > 128:
        steps.append(("logprob_chunk_size", 128))
    if not cfg.model.gradient_checkpointing:
        steps.append(("model.gradient_checkpointing", True))
    if not cfg.model.offload_activations:
        steps.append(("model.offload_activations", True))
    if cfg.generation.batch_size == 0 and cfg.completions_per_step > 1:
        steps.append(("generation.batch_size", max(1, cfg.generation.num_generations)))
    if cfg.model.finetune == "lora" and cfg.model.quantization == "none":
        steps.append(("model.quantization", "nf4"))
    trial = copy.deepcopy(cfg)
    applied: list[str] = []
    for key, value in steps:
        section, _, name = key.rpartition(".")
        setattr(getattr(trial, section) if section else trial, name, value)
        applied.append(f"{key} = {value!r}".replace("True", "true"))
        if needed_bytes(estimate(trial, shape, kernels)) <= budget:
            return [applied[-1]] if len(applied) == 1 else applied
    return []


def check_fits(cfg: TrainConfig, shape: ModelShape, budget: float, kernels: str = "torch") -> MemoryEstimate:
    """The estimate, or a ConfigError with the breakdown and a suggested setting when it exceeds `budget` bytes."""
    est = estimate(cfg, shape, kernels)
    need = needed_bytes(est)
    if need <= budget:
        return est
    tips = suggestions(cfg, shape, budget, kernels)
    if tips:
        advice = "try: " + ", ".join(tips)
    else:
        advice = (
            "no single setting makes it fit: shorten generation.max_completion_length or "
            "generation.max_prompt_length, or use a smaller model"
        )
    raise ConfigError(
        f"this run needs about {need / GIB:.1f} GiB of GPU memory (estimate x {SAFETY} margin) but "
        f"{budget / GIB:.1f} GiB are available; it would run out of memory in the {est.phase} phase.\n"
        f"{est.describe()}\n{advice} (or set memory_check = false to start anyway)"
    )


def device_budget(cfg: TrainConfig, device: Any) -> float | None:
    """Bytes the run may use: memory_budget_gib when set, else the CUDA device's free memory; None on the CPU."""
    if cfg.memory_budget_gib > 0:
        return cfg.memory_budget_gib * GIB
    if getattr(device, "type", "cpu") != "cuda":
        return None
    import torch

    free, _total = torch.cuda.mem_get_info(device)
    return float(max(free - CONTEXT_BYTES, 0))


def check_run_memory(cfg: TrainConfig, model_path: str | Path, device: Any, kernels: str) -> str | None:
    """Run the check for `aha train` (a ConfigError when it won't fit); returns a one-line summary, or None."""
    budget = device_budget(cfg, device)
    if budget is None:
        return None
    try:
        shape = ModelShape.from_path(model_path)
    except (OSError, ValueError) as exc:
        return f"memory check skipped: {exc}"
    est = check_fits(cfg, shape, budget, kernels)
    return (
        f"memory plan: about {needed_bytes(est) / GIB:.1f} GiB at peak ({est.phase} phase) of "
        f"{budget / GIB:.1f} GiB available"
    )
