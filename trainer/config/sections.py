"""The sections of a training config (one TOML table each), with their help text and their own checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .fields import DEMO, Checks, opt

DType = Literal["auto", "float32", "bfloat16", "float16"]
AutoOnOff = Literal["auto", "on", "off"]


@dataclass
class ModelConfig:
    """Which model to train and how it is loaded."""

    path: str = opt(
        DEMO,
        "Local folder of a transformers causal LM (config, weights, tokenizer), or 'demo' for the bundled tiny "
        "model. Nothing is downloaded.",
    )
    tokenizer: str | None = opt(None, "Folder of the tokenizer when it is not in model.path.")
    dtype: DType = opt("auto", "Weight dtype: 'auto' is bfloat16 on a GPU that supports it, else float32.")
    finetune: Literal["lora", "full"] = opt("lora", "Train LoRA adapters ('lora') or every weight ('full').")
    quantization: Literal["none", "nf4", "int8"] = opt(
        "none",
        "Quantise the frozen base weights with bitsandbytes: 'nf4' (4-bit QLoRA) or 'int8'. Needs CUDA, "
        "bitsandbytes (the 'quant' extra) and finetune = 'lora'.",
    )
    gradient_checkpointing: bool = opt(False, "Recompute activations in the backward pass to save memory.")
    offload_activations: bool | None = opt(
        None,
        "Checkpoint every decoder layer and keep its input in pinned CPU memory until the backward pass "
        "(copied asynchronously, overlapped with compute): long completions fit and a whole group fits in one "
        "micro-batch; implies gradient_checkpointing. Unset = on for a single CUDA GPU, off on the CPU (where "
        "it only recomputes) and with several processes; true or false to force.",
    )
    attn_implementation: str | None = opt(
        None, "transformers attention implementation ('sdpa', 'eager', 'flash_attention_2'); default: its own."
    )
    trust_remote_code: bool = opt(False, "Allow model code shipped in the model folder to run.")

    def validate(self) -> list[str]:
        """Errors in this section's values."""
        c = Checks("model")
        c.need(bool(str(self.path).strip()), "path", "a local model folder (or 'demo') is required")
        if self.quantization != "none":
            c.need(
                self.finetune == "lora", "quantization", "quantised weights can only be trained with finetune = 'lora'"
            )
        return c.errors


@dataclass
class LoraConfig:
    """LoRA adapter settings (used when model.finetune = 'lora')."""

    r: int = opt(16, "LoRA rank.")
    alpha: float = opt(32.0, "LoRA alpha (the update is scaled by alpha / r, or alpha / sqrt(r) with rslora).")
    dropout: float = opt(0.0, "Dropout on the LoRA input; 0 keeps rollouts and updates on the same policy.")
    target_modules: list[str] | str = opt(
        "all-linear",
        "Modules that get adapters: 'all-linear' (every linear layer but the output head) or a list of names "
        "such as ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'].",
    )
    use_rslora: bool = opt(False, "Rank-stabilised LoRA scaling (alpha / sqrt(r)).")

    def validate(self) -> list[str]:
        """Errors in this section's values."""
        c = Checks("lora")
        c.range("r", self.r, 1)
        c.range("alpha", self.alpha, 0, lo_open=True)
        c.range("dropout", self.dropout, 0, 1)
        targets = self.target_modules
        c.need(
            bool(targets.strip() if isinstance(targets, str) else targets),
            "target_modules",
            "'all-linear' or a non-empty list of names",
        )
        return c.errors


@dataclass
class DataConfig:
    """The prompts (and gold answers) to train and evaluate on."""

    train: str = opt(
        DEMO,
        "Training data: a JSONL file, a Parquet file, or a folder written by datasets' save_to_disk; 'demo' "
        "for the bundled task.",
    )
    eval: str | None = opt(
        None,
        "Held-out data in the same forms, for accuracy before, during and after training ('demo' for the "
        "bundled split; unset: no evaluation).",
    )
    train_split: str = opt("train", "Split to use when data.train is a saved DatasetDict.")
    eval_split: str = opt("test", "Split to use when data.eval is a saved DatasetDict.")
    prompt_column: str = opt("prompt", "Column with the prompt: a string, or a list of chat messages.")
    answer_column: str = opt(
        "answer",
        "Column with the gold answer handed to the reward; 'none' (or '') when the reward needs no gold answer "
        "(it judges the completion alone): rows then need only the prompt.",
    )
    prompt_template: str = opt(
        "{prompt}",
        "Python format string for the prompt; {column} fields take any column of the row, e.g. "
        "'Question: {prompt}\\nAnswer:'.",
    )
    chat_template: bool = opt(
        False, "Wrap the rendered prompt as a user message and apply the tokenizer's chat template."
    )
    system_prompt: str | None = opt(None, "System message put before the user message (with chat_template).")
    shuffle: bool = opt(True, "Shuffle the training prompts every epoch (seeded).")
    max_train_samples: int | None = opt(None, "Use only the first N training rows.")
    max_eval_samples: int | None = opt(256, "Evaluate on at most the first N held-out rows.")
    long_prompts: Literal["skip", "truncate", "error"] = opt(
        "skip",
        "What to do with prompts longer than generation.max_prompt_length: 'skip' them (counted and reported), "
        "'truncate' them on the left, or stop with an 'error'.",
    )

    def validate(self) -> list[str]:
        """Errors in this section's values."""
        c = Checks("data")
        c.need(bool(str(self.train).strip()), "train", "a dataset path (or 'demo') is required")
        c.need(bool(self.prompt_column), "prompt_column", "must not be empty")
        if "{" not in self.prompt_template:
            c.need(False, "prompt_template", "needs at least one {column} field, e.g. '{prompt}'")
        else:
            try:
                self.prompt_template.format_map(_AnyFields())
            except (ValueError, IndexError) as exc:
                c.need(False, "prompt_template", f"not a valid format string: {exc}")
        c.range("max_train_samples", self.max_train_samples, 1)
        c.range("max_eval_samples", self.max_eval_samples, 1)
        return c.errors


class _AnyFields(dict):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass
class GenerationConfig:
    """Rollouts: how many completions per step and how they are sampled."""

    num_generations: int = opt(8, "Completions sampled per prompt (the GRPO group size G); at least 2.")
    prompts_per_step: int = opt(4, "Prompts per training step; a step has prompts_per_step x G completions.")
    max_prompt_length: int = opt(512, "Longest prompt in tokens (see data.long_prompts).")
    max_completion_length: int = opt(256, "Most new tokens per completion; longer ones are cut and 'truncated'.")
    temperature: float = opt(1.0, "Sampling temperature (> 0). The loss uses the same temperature on the logits.")
    top_p: float = opt(1.0, "Nucleus sampling: keep the smallest token set with this much probability (1 = off).")
    top_k: int = opt(0, "Sample from the k most likely tokens only (0 = off).")
    stop_token_ids: list[int] = opt(help="Token ids that end a completion besides the tokenizer's EOS.", factory=list)
    batch_size: int = opt(
        0,
        "Sequences per generate call with the transformers engines (0 = the whole step at once); the fast "
        "engine splits a group larger than this into near-equal parts, so its KV cache holds this many rows.",
    )
    fast: AutoOnOff = opt(
        "auto",
        "The fast transformers rollout path (own decode loop: static KV cache, CUDA-graph decoding, merged LoRA, "
        "sampling on the GPU, each group's prompt prefilled once): 'auto' = on with rollout = 'transformers' on "
        "CUDA for models it supports, 'on' (also on the CPU, without graphs), 'off' = transformers' generate.",
    )
    merge_lora: AutoOnOff = opt(
        "auto",
        "Fold the LoRA adapters into the base weights while the fast path generates (restored bit for bit "
        "after): 'auto' = when the base is not quantised, 'on', 'off'.",
    )
    cuda_graphs: bool = opt(True, "Capture the fast path's decode step in a CUDA graph (CUDA only).")
    compile: bool | None = opt(
        None,
        "torch.compile the fast path's decode step (inductor: fewer, fused kernels inside the CUDA graph), "
        "for faster decoding on long runs; the first rollout pays the compile time. Unset = on for a CUDA model "
        "whose base is not quantised, off on the CPU and for 4-/8-bit bases; true or false to force (false for "
        "short runs or quick checks). If compiling fails, the step runs uncompiled with a note.",
    )

    def validate(self) -> list[str]:
        """Errors in this section's values."""
        c = Checks("generation")
        c.range("num_generations", self.num_generations, 2)
        c.range("prompts_per_step", self.prompts_per_step, 1)
        c.range("max_prompt_length", self.max_prompt_length, 1)
        c.range("max_completion_length", self.max_completion_length, 1)
        c.range("temperature", self.temperature, 0, lo_open=True)
        c.range("top_p", self.top_p, 0, 1, lo_open=True)
        c.range("top_k", self.top_k, 0)
        c.range("batch_size", self.batch_size, 0)
        return c.errors


@dataclass
class GRPOConfig:
    """The GRPO objective."""

    loss_type: Literal["grpo", "dr_grpo", "dapo", "bnpo"] = opt(
        "dapo",
        "Loss aggregation: 'grpo' (mean per sequence, then over sequences), 'dr_grpo' (sum / (sequences x "
        "max_completion_length)), 'dapo' (mean over every token of the step), 'bnpo' (mean over the tokens "
        "of each micro-batch).",
    )
    beta: float = opt(
        0.0,
        "KL coefficient against the reference policy (the base model: LoRA disabled, or a frozen copy for full "
        "fine-tuning). 0 skips the reference pass entirely.",
    )
    epsilon_low: float = opt(0.2, "Lower clipping range of the probability ratio (1 - eps_low).")
    epsilon_high: float = opt(0.28, "Upper clipping range of the probability ratio (1 + eps_high; DAPO's clip-higher).")
    advantage: Literal["group_std", "group_mean", "batch_std", "rloo"] = opt(
        "group_std",
        "Advantage estimator: 'group_std' (reward minus group mean, over group std), 'group_mean' (minus the "
        "group mean, no scaling; Dr. GRPO), 'batch_std' (group mean, std over the whole step) or 'rloo' "
        "(reward minus the mean of the other completions of the group).",
    )
    mask_truncated_completions: bool = opt(
        False, "Leave completions that hit max_completion_length out of the loss (their reward is kept in metrics)."
    )
    num_iterations: int = opt(
        1, "Policy updates per batch of rollouts (mu); above 1 the old log-probs are kept and the ratio is clipped."
    )
    importance_sampling: Literal["auto", "none", "token", "sequence"] = opt(
        "auto",
        "Correct for a rollout engine whose log-probs differ from the trainer's (vLLM): truncated importance "
        "weights per 'token' or per 'sequence'. 'auto' is 'token' with rollout = 'vllm' and 'none' with the "
        "transformers engine (which samples from the trainer's own weights). See docs/vllm.md.",
    )
    importance_sampling_cap: float = opt(2.0, "Upper bound of the truncated importance weights.")
    importance_sampling_mode: Literal["truncate", "mask"] = opt(
        "truncate",
        "'truncate' caps weights at importance_sampling_cap (TIS); 'mask' leaves tokens (or sequences) whose "
        "weight exceeds the cap out of the loss.",
    )

    def validate(self) -> list[str]:
        """Errors in this section's values."""
        c = Checks("grpo")
        c.range("beta", self.beta, 0)
        c.range("epsilon_low", self.epsilon_low, 0, 1)
        c.range("epsilon_high", self.epsilon_high, 0)
        c.range("num_iterations", self.num_iterations, 1)
        c.range("importance_sampling_cap", self.importance_sampling_cap, 1)
        return c.errors


@dataclass
class OptimConfig:
    """Optimiser (AdamW), learning-rate schedule and batching of the update."""

    learning_rate: float = opt(1e-5, "Peak learning rate.")
    lr_schedule: Literal["constant", "linear", "cosine"] = opt("constant", "Learning-rate schedule after warm-up.")
    warmup_steps: int = opt(0, "Optimiser steps of linear warm-up (overrides warmup_ratio when > 0).")
    warmup_ratio: float = opt(0.0, "Fraction of all optimiser steps used for warm-up.")
    weight_decay: float = opt(0.0, "AdamW weight decay.")
    adam_beta1: float = opt(0.9, "AdamW beta1.")
    adam_beta2: float = opt(0.99, "AdamW beta2.")
    adam_epsilon: float = opt(1e-8, "AdamW epsilon.")
    max_grad_norm: float = opt(1.0, "Clip the gradient norm to this (0 = no clipping; the norm is logged anyway).")
    micro_batch_size: int = opt(8, "Sequences per forward/backward pass (the memory knob).")
    gradient_accumulation_steps: int = opt(
        0,
        "Micro-batches per optimiser step; 0 = all of a step's completions in one optimiser step. Must divide "
        "the step's micro-batch count.",
    )

    def validate(self) -> list[str]:
        """Errors in this section's values."""
        c = Checks("optim")
        c.range("learning_rate", self.learning_rate, 0, lo_open=True)
        c.range("warmup_steps", self.warmup_steps, 0)
        c.range("warmup_ratio", self.warmup_ratio, 0, 1)
        c.range("weight_decay", self.weight_decay, 0)
        c.range("adam_beta1", self.adam_beta1, 0, 1)
        c.range("adam_beta2", self.adam_beta2, 0, 1)
        c.range("adam_epsilon", self.adam_epsilon, 0, lo_open=True)
        c.range("max_grad_norm", self.max_grad_norm, 0)
        c.range("micro_batch_size", self.micro_batch_size, 1)
        c.range("gradient_accumulation_steps", self.gradient_accumulation_steps, 0)
        return c.errors


@dataclass
class EvalConfig:
    """Held-out evaluation (needs data.eval)."""

    every: int = opt(0, "Evaluate every N steps (0 = only before and after training).")
    at_start: bool = opt(True, "Evaluate before the first step.")
    at_end: bool = opt(True, "Evaluate after the last step.")
    temperature: float = opt(0.0, "Sampling temperature for evaluation (0 = greedy).")
    batch_size: int = opt(64, "Prompts per generate call during evaluation.")

    def validate(self) -> list[str]:
        """Errors in this section's values."""
        c = Checks("eval")
        c.range("every", self.every, 0)
        c.range("temperature", self.temperature, 0)
        c.range("batch_size", self.batch_size, 1)
        return c.errors


@dataclass
class LogConfig:
    """Metrics, samples, plots and optional trackers (metrics.jsonl and metrics.csv are always written)."""

    every: int = opt(1, "Print a metrics line every N steps (when the progress bar is off or not a terminal).")
    samples_every: int = opt(10, "Write sample completions with their scores and reasons every N steps (0 = never).")
    samples_per_log: int = opt(4, "Completions written to samples.jsonl each time.")
    plot_every: int = opt(10, "Redraw the training-curves PNG every N steps (and at the end; 0 = only at the end).")
    progress: bool = opt(True, "Show a live progress bar (step, reward, ETA).")
    tensorboard: bool = opt(False, "Also log to TensorBoard (RUN_DIR/tensorboard) when it is installed.")
    wandb: bool = opt(False, "Also log to Weights & Biases when it is installed.")
    wandb_project: str = opt("aha", "W&B project name.")

    def validate(self) -> list[str]:
        """Errors in this section's values."""
        c = Checks("log")
        for name in ("every", "samples_every", "samples_per_log", "plot_every"):
            c.range(name, getattr(self, name), 0)
        return c.errors


@dataclass
class CheckpointConfig:
    """Checkpoints (adapter in peft format + optimiser, scheduler, RNG and data position)."""

    every: int = opt(50, "Write a checkpoint every N steps (0 = only at the end).")
    keep_last: int = opt(2, "Keep this many most recent checkpoints (0 = keep all).")

    def validate(self) -> list[str]:
        """Errors in this section's values."""
        c = Checks("checkpoint")
        c.range("every", self.every, 0)
        c.range("keep_last", self.keep_last, 0)
        return c.errors


@dataclass
class DistributedConfig:
    """Data-parallel training under `torchrun` or `accelerate launch` (no effect in a single process)."""

    strategy: Literal["ddp", "fsdp2"] = opt(
        "ddp",
        "'ddp' (every rank holds the whole model; gradients all-reduced) or 'fsdp2' (parameters, gradients and "
        "optimiser state sharded with torch's fully_shard, for models that do not fit on one GPU).",
    )
    backend: Literal["auto", "nccl", "gloo"] = opt(
        "auto", "Process-group backend: 'auto' (nccl on GPUs, gloo on the CPU)."
    )
    timeout_s: int = opt(1800, "Seconds a rank waits for the others in a collective before the run fails.")

    def validate(self) -> list[str]:
        """Errors in this section's values."""
        c = Checks("distributed")
        c.range("timeout_s", self.timeout_s, 1)
        return c.errors


@dataclass
class VLLMConfig:
    """The vLLM rollout engine (used when rollout = 'vllm'): how it starts and stays in step with the trainer."""

    memory_share: float = opt(
        0.3,
        "Fraction of the accelerator's memory vLLM may take for its weights and KV cache (vLLM's "
        "gpu_memory_utilization, accepted as another name); the trainer's model, optimiser and activations "
        "must fit in the rest. On a CPU build it is the fraction of the CPU memory of a NUMA node.",
    )
    kv_cache_gib: float | None = opt(
        None, "Fixed KV-cache size in GiB instead of the share left by memory_share (vLLM's kv_cache_memory_bytes)."
    )
    dtype: DType = opt("auto", "vLLM's weight dtype; 'auto' uses the trainer model's dtype (so both compute alike).")
    max_model_len: int | None = opt(
        None,
        "Longest prompt + completion vLLM accepts; unset: generation.max_prompt_length + "
        "generation.max_completion_length + 1, at most the model's max_position_embeddings.",
    )
    enable_prefix_caching: bool = opt(
        True, "Reuse the KV cache of shared prefixes (the prompt of a group is computed once for its G completions)."
    )
    enforce_eager: bool | None = opt(
        None,
        "Skip CUDA graphs and torch.compile (slower decoding, faster start, less memory); unset: true on a CPU "
        "build, false on a GPU.",
    )
    sleep: Literal["kv_cache", "weights", "off"] = opt(
        "kv_cache",
        "While the trainer updates: 'kv_cache' frees the KV cache (weights stay), 'weights' also moves the "
        "weights to CPU memory (vLLM sleep level 1), 'off' keeps everything. CPU builds cannot sleep: no-op there.",
    )
    sync_check_every: int = opt(
        0,
        "Compare vLLM's log-probs with the trainer's on the last rollout's first completion after every N-th "
        "weight sync (0 = never); the result is in the engine's metrics.",
    )
    sync_check_tolerance: float | None = opt(
        None,
        "Largest allowed |vLLM - trainer| log-prob of any token in the sync check; unset: by dtype (1e-3 "
        "float32, 0.1 bfloat16/float16).",
    )
    sync_check_strict: bool = opt(False, "Raise an error when a sync check fails (default: record it and warn).")
    sync_dir: str | None = opt(
        None, "RAM-backed folder for the adapter handed to vLLM at each sync; unset: /dev/shm, else the temp folder."
    )
    quantization: str | None = opt(
        None, "vLLM's own quantisation of the base weights (e.g. 'bitsandbytes' to mirror a 4-bit QLoRA trainer)."
    )
    max_num_seqs: int | None = opt(None, "Most sequences vLLM decodes at once; unset: vLLM's default.")
    seed: int = opt(0, "vLLM's engine seed (sampling uses a seed per prompt derived from the trainer's step seed).")
    engine_kwargs: dict[str, Any] = opt(
        help="Other keyword arguments for vllm.LLM, passed as they are (they override the options above); "
        "e.g. {tensor_parallel_size = 2}.",
        factory=dict,
    )

    def validate(self) -> list[str]:
        """Errors in this section's values."""
        c = Checks("vllm")
        c.range("memory_share", self.memory_share, 0, 1, lo_open=True)
        c.range("kv_cache_gib", self.kv_cache_gib, 0, lo_open=True)
        c.range("max_model_len", self.max_model_len, 2)
        c.range("sync_check_every", self.sync_check_every, 0)
        c.range("sync_check_tolerance", self.sync_check_tolerance, 0, lo_open=True)
        c.range("max_num_seqs", self.max_num_seqs, 1)
        return c.errors


ALIASES: dict[type, dict[str, str]] = {VLLMConfig: {"gpu_memory_utilization": "memory_share"}}
"""Other accepted names of options, per section (vLLM's own names for ours)."""
