"""The training configuration: one dataclass tree, loaded from TOML, overridden from the CLI, validated."""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEMO = "demo"
NO_COLUMN = ("", "none", "null")  # data.answer_column values that mean "no gold answer"


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the field."""


def opt(default: Any = dataclasses.MISSING, help: str = "", choices: tuple | None = None, factory: Any = None) -> Any:
    """A config field with its help text (and allowed values)."""
    meta = {"help": help, "choices": choices}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class ModelConfig:
    """Which model to train and how it is loaded."""

    path: str = opt(
        DEMO,
        "Local folder of a transformers causal LM (config, weights, tokenizer), or 'demo' for the bundled tiny "
        "model. Nothing is downloaded.",
    )
    tokenizer: str | None = opt(None, "Folder of the tokenizer when it is not in model.path.")
    dtype: str = opt(
        "auto",
        "Weight dtype: 'auto' is bfloat16 on a GPU that supports it, else float32.",
        ("auto", "float32", "bfloat16", "float16"),
    )
    finetune: str = opt("lora", "Train LoRA adapters ('lora') or every weight ('full').", ("lora", "full"))
    quantization: str = opt(
        "none",
        "Quantise the frozen base weights with bitsandbytes: 'nf4' (4-bit QLoRA) or 'int8'. Needs CUDA, "
        "bitsandbytes (the 'quant' extra) and finetune = 'lora'.",
        ("none", "nf4", "int8"),
    )
    gradient_checkpointing: bool = opt(False, "Recompute activations in the backward pass to save memory.")
    offload_activations: bool | None = opt(
        None,
        "Checkpoint every decoder layer and keep its input in pinned CPU memory until the backward pass "
        "(copied asynchronously, overlapped with compute): long completions fit and a whole group fits in one "
        "micro-batch; implies gradient_checkpointing. Unset = on for a single CUDA GPU (measured leanest and "
        "fastest there), off on the CPU (where it only recomputes) and with several processes; true or false "
        "to force.",
    )
    attn_implementation: str | None = opt(
        None, "transformers attention implementation ('sdpa', 'eager', 'flash_attention_2'); default: its own."
    )
    trust_remote_code: bool = opt(False, "Allow model code shipped in the model folder to run.")


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
    long_prompts: str = opt(
        "skip",
        "What to do with prompts longer than generation.max_prompt_length: 'skip' them (counted and reported), "
        "'truncate' them on the left, or stop with an 'error'.",
        ("skip", "truncate", "error"),
    )


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
    fast: str = opt(
        "auto",
        "The fast transformers rollout path (own decode loop: static KV cache, CUDA-graph decoding, merged LoRA, "
        "sampling on the GPU, each group's prompt prefilled once): 'auto' = on with rollout = 'transformers' on "
        "CUDA for models it supports, 'on' (also on the CPU, without graphs), 'off' = transformers' generate.",
        ("auto", "on", "off"),
    )
    merge_lora: str = opt(
        "auto",
        "Fold the LoRA adapters into the base weights while the fast path generates (restored bit for bit "
        "after): 'auto' = when the base is not quantised, 'on', 'off'.",
        ("auto", "on", "off"),
    )
    cuda_graphs: bool = opt(True, "Capture the fast path's decode step in a CUDA graph (CUDA only).")
    compile: bool | None = opt(
        None,
        "torch.compile the fast path's decode step (inductor: fewer, fused kernels inside the CUDA graph); the "
        "first rollout pays the compile time (about 35 s for a 1.5B model). Unset = on for a CUDA model whose "
        "base is not quantised (H200, 1.5B: decode step 4.2 -> 2.6 ms, GRPO step 1.54 -> 1.34 s), off on the "
        "CPU and for 4-/8-bit bases; true or false to force. If compiling fails, the step runs uncompiled "
        "with a note.",
    )


@dataclass
class GRPOConfig:
    """The GRPO objective."""

    loss_type: str = opt(
        "dapo",
        "Loss aggregation: 'grpo' (mean per sequence, then over sequences), 'dr_grpo' (sum / (sequences x "
        "max_completion_length)), 'dapo' (mean over every token of the step), 'bnpo' (mean over the tokens "
        "of each micro-batch).",
        ("grpo", "dr_grpo", "dapo", "bnpo"),
    )
    beta: float = opt(
        0.0,
        "KL coefficient against the reference policy (the base model: LoRA disabled, or a frozen copy for full "
        "fine-tuning). 0 skips the reference pass entirely.",
    )
    epsilon_low: float = opt(0.2, "Lower clipping range of the probability ratio (1 - eps_low).")
    epsilon_high: float = opt(0.28, "Upper clipping range of the probability ratio (1 + eps_high; DAPO's clip-higher).")
    advantage: str = opt(
        "group_std",
        "Advantage estimator: 'group_std' (reward minus group mean, over group std), 'group_mean' (minus the "
        "group mean, no scaling; Dr. GRPO), 'batch_std' (group mean, std over the whole step) or 'rloo' "
        "(reward minus the mean of the other completions of the group).",
        ("group_std", "group_mean", "batch_std", "rloo"),
    )
    mask_truncated_completions: bool = opt(
        False, "Leave completions that hit max_completion_length out of the loss (their reward is kept in metrics)."
    )
    num_iterations: int = opt(
        1, "Policy updates per batch of rollouts (mu); above 1 the old log-probs are kept and the ratio is clipped."
    )
    importance_sampling: str = opt(
        "auto",
        "Correct for a rollout engine whose log-probs differ from the trainer's (vLLM): truncated importance "
        "weights per 'token' or per 'sequence'. 'auto' is 'token' with rollout = 'vllm' and 'none' with the "
        "transformers engine (which samples from the trainer's own weights). See docs/vllm.md.",
        ("auto", "none", "token", "sequence"),
    )
    importance_sampling_cap: float = opt(2.0, "Upper bound of the truncated importance weights.")
    importance_sampling_mode: str = opt(
        "truncate",
        "'truncate' caps weights at importance_sampling_cap (TIS); 'mask' leaves tokens (or sequences) whose "
        "weight exceeds the cap out of the loss.",
        ("truncate", "mask"),
    )


@dataclass
class OptimConfig:
    """Optimiser (AdamW), learning-rate schedule and batching of the update."""

    learning_rate: float = opt(1e-5, "Peak learning rate.")
    lr_schedule: str = opt("constant", "Learning-rate schedule after warm-up.", ("constant", "linear", "cosine"))
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


@dataclass
class EvalConfig:
    """Held-out evaluation (needs data.eval)."""

    every: int = opt(0, "Evaluate every N steps (0 = only before and after training).")
    at_start: bool = opt(True, "Evaluate before the first step.")
    at_end: bool = opt(True, "Evaluate after the last step.")
    temperature: float = opt(0.0, "Sampling temperature for evaluation (0 = greedy).")
    batch_size: int = opt(64, "Prompts per generate call during evaluation.")


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


@dataclass
class CheckpointConfig:
    """Checkpoints (adapter in peft format + optimiser, scheduler, RNG and data position)."""

    every: int = opt(50, "Write a checkpoint every N steps (0 = only at the end).")
    keep_last: int = opt(2, "Keep this many most recent checkpoints (0 = keep all).")


@dataclass
class DistributedConfig:
    """Data-parallel training under `torchrun` or `accelerate launch` (no effect in a single process)."""

    strategy: str = opt(
        "ddp",
        "'ddp' (every rank holds the whole model; gradients all-reduced) or 'fsdp2' (parameters, gradients and "
        "optimiser state sharded with torch's fully_shard, for models that do not fit on one GPU).",
        ("ddp", "fsdp2"),
    )
    backend: str = opt(
        "auto", "Process-group backend: 'auto' (nccl on GPUs, gloo on the CPU).", ("auto", "nccl", "gloo")
    )
    timeout_s: int = opt(1800, "Seconds a rank waits for the others in a collective before the run fails.")


@dataclass
class TrainConfig:
    """Everything `aha train` needs; sections map to TOML tables and dotted CLI keys."""

    model: ModelConfig = opt(help="Model loading.", factory=ModelConfig)
    lora: LoraConfig = opt(help="LoRA adapters.", factory=LoraConfig)
    data: DataConfig = opt(help="Datasets and prompt formatting.", factory=DataConfig)
    reward: str | dict[str, Any] = opt(
        "exact_match",
        "The reward: any aha reward spec, i.e. a registered verifier name (optionally 'name:key=value'), the path "
        "of a reward TOML file, or an inline [reward] table with [[reward.terms]].",
    )
    reward_workers: int = opt(1, "Worker processes that score completions (1 = in the training process).")
    generation: GenerationConfig = opt(help="Rollouts.", factory=GenerationConfig)
    grpo: GRPOConfig = opt(help="The GRPO objective.", factory=GRPOConfig)
    optim: OptimConfig = opt(help="Optimiser and schedule.", factory=OptimConfig)
    eval: EvalConfig = opt(help="Held-out evaluation.", factory=EvalConfig)
    log: LogConfig = opt(help="Logging.", factory=LogConfig)
    checkpoint: CheckpointConfig = opt(help="Checkpoints.", factory=CheckpointConfig)
    distributed: DistributedConfig = opt(help="Multi-process (multi-GPU) training.", factory=DistributedConfig)
    max_steps: int = opt(100, "Training steps (each: generate, score, update).")
    seed: int = opt(0, "Seed of everything: data order, sampling (per step), initialisation.")
    output_dir: str | None = opt(None, "Run folder for metrics, samples, plots and checkpoints (default: runs/<time>).")
    overwrite: bool = opt(False, "Allow a fresh run in an output_dir that already has checkpoints (they are deleted).")
    rollout: str = opt(
        "transformers",
        "Rollout engine: 'transformers' (generate) or 'vllm' (needs the 'vllm' extra).",
        ("transformers", "vllm"),
    )
    vllm: dict[str, Any] = opt(help="Options passed to the vLLM rollout engine (see docs/training.md).", factory=dict)
    kernels: str = opt(
        "auto",
        "Log-prob/LoRA kernels: 'triton' (fused, CUDA), 'torch' (plain PyTorch) or 'auto' (triton where "
        "available, else torch).",
        ("auto", "triton", "torch"),
    )
    logprob_chunk_size: int = opt(
        512,
        "Tokens per chunk when computing log-probs through the output head: peak extra memory is about "
        "2 x chunk x vocabulary x 4 bytes (0.6 GiB at 512 tokens and a 152k vocabulary). The Triton kernels "
        "use their own chunk of about 64 MiB of logits, or this one where it is smaller.",
    )
    device: str = opt("auto", "'auto' (CUDA when available), 'cpu', 'cuda' or 'cuda:N'.")
    threads: int = opt(0, "CPU threads for torch (0 = torch's default).")
    deterministic: bool | None = opt(
        None,
        "Deterministic algorithms, for bit-exact resume: unset = on for the CPU and off on GPUs (where some "
        "ops get slower or have no deterministic version); true or false to force.",
    )
    memory_check: bool = opt(
        True,
        "Estimate peak GPU memory from the config before loading the model and refuse to start, with a "
        "suggested setting, when it will not fit (see docs/performance.md).",
    )
    memory_budget_gib: float = opt(
        0.0,
        "GPU memory the run may use, in GiB, for the memory check (0 = the device's free memory; on the CPU "
        "the check runs only when this is set).",
    )

    # -- derived ---------------------------------------------------------------------------------------
    @property
    def completions_per_step(self) -> int:
        """Completions sampled per step (prompts_per_step x num_generations)."""
        return self.generation.prompts_per_step * self.generation.num_generations

    def to_dict(self) -> dict[str, Any]:
        """A plain nested dict of every option."""
        return dataclasses.asdict(self)

    def to_toml(self) -> str:
        """This configuration as TOML text (loadable by `load_config`)."""
        return dump_toml(self.to_dict())

    def validate(self) -> TrainConfig:
        """Check every option and their combinations; raises ConfigError naming the fields."""
        if isinstance(self.data.answer_column, str) and self.data.answer_column.strip().lower() in NO_COLUMN:
            self.data.answer_column = ""  # one spelling of "no gold answer", so a saved config reloads the same
        errors = _type_errors(self, "") + _value_errors(self)
        if errors:
            raise ConfigError("invalid training config:\n  " + "\n  ".join(errors))
        return self


# -- loading and overriding ------------------------------------------------------------------------------


def load_config(path: str | Path | None = None, overrides: list[str] | dict[str, Any] | None = None) -> TrainConfig:
    """A validated TrainConfig from an optional TOML file (or a run folder) plus overrides.

    `overrides` is a list of CLI tokens (`--key value`, `--key=value`, dotted keys for sections) or a
    dict of dotted keys to values.
    """
    data: dict[str, Any] = {}
    if path is not None:
        data = read_toml(path)
    cfg = from_dict(data)
    if isinstance(overrides, dict):
        for key, value in overrides.items():
            set_option(cfg, key, value)
    elif overrides:
        apply_cli_overrides(cfg, overrides)
    return cfg.validate()


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a config file (or RUN_DIR/config.toml when given a run folder)."""
    p = Path(path)
    if p.is_dir():
        p = p / "config.toml"
    if not p.is_file():
        raise ConfigError(f"config file not found: {p}")
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: invalid TOML: {exc}") from exc


def from_dict(data: dict[str, Any]) -> TrainConfig:
    """A TrainConfig from a nested dict (unknown keys are errors with a suggestion)."""
    cfg = TrainConfig()
    _merge(cfg, data, "")
    return cfg


def _merge(obj: Any, data: dict[str, Any], prefix: str) -> None:
    if not isinstance(data, dict):
        raise ConfigError(f"{prefix.rstrip('.') or 'config'}: expected a table, got {data!r}")
    hints = _hints(type(obj))
    for key, value in data.items():
        name = key.replace("-", "_")
        if name not in hints:
            raise ConfigError(_unknown(prefix + key, [prefix + n for n in hints]))
        current = getattr(obj, name)
        if dataclasses.is_dataclass(current):
            _merge(current, value, f"{prefix}{name}.")
        else:
            setattr(obj, name, _coerce(value, hints[name], prefix + name, from_text=False))


def offload_for(cfg: TrainConfig, device: Any, processes: int = 1) -> bool:
    """Whether model.offload_activations is on for this run (unset: on for one process on a CUDA device)."""
    if cfg.model.offload_activations is not None:
        return bool(cfg.model.offload_activations)
    return getattr(device, "type", str(device)) == "cuda" and processes == 1


def set_option(cfg: TrainConfig, key: str, value: Any) -> None:
    """Set one option by dotted key; string values are parsed for the option's type."""
    target, name, hint, dotted = _resolve_key(cfg, key)
    setattr(target, name, _coerce(value, hint, dotted, from_text=isinstance(value, str)))


def apply_cli_overrides(cfg: TrainConfig, tokens: list[str]) -> None:
    """Apply `--key value` / `--key=value` tokens; a bool option given alone means true."""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not tok.startswith("--") or len(tok) == 2:
            raise ConfigError(f"expected an option like --key value, got {tok!r}")
        key, eq, value = tok[2:].partition("=")
        if not eq:
            _, _, hint, _ = _resolve_key(cfg, key)
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt is None or (nxt.startswith("--") and len(nxt) > 2):
                if _base_type(hint) is bool:
                    value = "true"
                else:
                    raise ConfigError(f"option --{key} needs a value")
            else:
                value = nxt
                i += 1
        set_option(cfg, key, value)
        i += 1


def _resolve_key(cfg: TrainConfig, key: str) -> tuple[Any, str, Any, str]:
    parts = key.replace("-", "_").split(".")
    obj: Any = cfg
    for depth, part in enumerate(parts):
        hints = _hints(type(obj))
        prefix = ".".join(parts[:depth])
        if part not in hints:
            if depth == 0 and len(parts) == 1:
                found = _leaf_matches(cfg, part)
                if len(found) == 1:
                    return found[0]
                if len(found) > 1:
                    names = ", ".join(f[3] for f in found)
                    raise ConfigError(f"option '{key}' is ambiguous: use one of {names}")
            raise ConfigError(_unknown(key, [f"{prefix}.{n}" if prefix else n for n in hints] + all_option_names()))
        value = getattr(obj, part)
        if depth == len(parts) - 1:
            if dataclasses.is_dataclass(value):
                raise ConfigError(f"'{key}' is a section; set one of its options, e.g. --{key}.{_first(value)}")
            return obj, part, hints[part], ".".join(parts)
        if not dataclasses.is_dataclass(value):
            raise ConfigError(f"'{'.'.join(parts[: depth + 1])}' is not a section")
        obj = value
    raise ConfigError(f"empty option name {key!r}")


def _leaf_matches(cfg: TrainConfig, name: str) -> list[tuple[Any, str, Any, str]]:
    out = []
    for f in dataclasses.fields(cfg):
        section = getattr(cfg, f.name)
        if dataclasses.is_dataclass(section):
            hints = _hints(type(section))
            if name in hints:
                out.append((section, name, hints[name], f"{f.name}.{name}"))
    return out


def _first(obj: Any) -> str:
    return dataclasses.fields(obj)[0].name


def _unknown(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown option '{key}'{hint}; `aha train --help` lists every option"


def all_option_names() -> list[str]:
    """Every dotted option name."""
    return [name for name, _, _ in iter_options()]


def iter_options(cls: type = TrainConfig, prefix: str = "") -> typing.Iterator[tuple[str, dataclasses.Field, Any]]:
    """(dotted name, field, type) of every leaf option, in declaration order."""
    hints = _hints(cls)
    defaults = cls()
    for f in dataclasses.fields(cls):
        value = getattr(defaults, f.name)
        if dataclasses.is_dataclass(value):
            yield from iter_options(type(value), f"{prefix}{f.name}.")
        else:
            yield f"{prefix}{f.name}", f, hints[f.name]


def options_help(width: int = 100) -> str:
    """Every option with its type, default and help text, grouped by section."""
    import textwrap

    lines: list[str] = []
    section = None
    defaults = TrainConfig()
    for name, f, hint in iter_options():
        head = name.rsplit(".", 1)[0] if "." in name else ""
        if head != section:
            section = head
            lines.append("")
            lines.append(f"[{head}]" if head else "(top level)")
        obj: Any = defaults
        for part in name.split("."):
            obj = getattr(obj, part)
        choices = f.metadata.get("choices")
        kind = " | ".join(repr(c) for c in choices) if choices else _type_name(hint)
        lines.append(f"  --{name} ({kind}, default {obj!r})")
        lines.extend(
            textwrap.wrap(f.metadata.get("help", ""), width, initial_indent="      ", subsequent_indent="      ")
        )
    return "\n".join(lines).lstrip("\n")


# -- types ----------------------------------------------------------------------------------------------

_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _args(hint: Any) -> tuple[Any, ...]:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return typing.get_args(hint)
    return (hint,)


def _base_type(hint: Any) -> Any:
    non_none = [a for a in _args(hint) if a is not type(None)]
    return non_none[0] if len(non_none) == 1 else None


def _type_name(hint: Any) -> str:
    names = []
    for a in _args(hint):
        origin = typing.get_origin(a)
        if a is type(None):
            names.append("none")
        elif origin is list:
            names.append(f"list of {typing.get_args(a)[0].__name__}")
        elif origin is dict or a is dict:
            names.append("table")
        else:
            names.append(a.__name__)
    return " | ".join(names)


def _coerce(value: Any, hint: Any, name: str, from_text: bool) -> Any:
    """`value` converted to the option's type, or a ConfigError naming the option."""
    allowed = _args(hint)
    if from_text:
        text = value.strip()
        if type(None) in allowed and text.lower() in ("none", "null", ""):
            return None
        value = _parse_text(text, allowed, name)
    if value is None:
        if type(None) in allowed:
            return None
        raise ConfigError(f"{name}: a value is required ({_type_name(hint)})")
    for a in allowed:
        ok, converted = _convert(value, a)
        if ok:
            return converted
    raise ConfigError(f"{name}: expected {_type_name(hint)}, got {value!r}")


def _convert(value: Any, target: Any) -> tuple[bool, Any]:
    origin = typing.get_origin(target)
    if target is type(None):
        return value is None, None
    if target is bool:
        return isinstance(value, bool), value
    if target is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return True, value
        if isinstance(value, float) and value.is_integer():
            return True, int(value)
        return False, None
    if target is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return True, float(value)
        return False, None
    if target is str:
        return isinstance(value, str), value
    if origin is list:
        (item,) = typing.get_args(target)
        if isinstance(value, (list, tuple)):
            out = []
            for v in value:
                ok, c = _convert(v, item)
                if not ok:
                    return False, None
                out.append(c)
            return True, out
        return False, None
    if origin is dict or target is dict:
        return isinstance(value, dict), value
    return False, None


def _parse_text(text: str, allowed: tuple[Any, ...], name: str) -> Any:
    """Parse a CLI string for an option whose allowed types are `allowed`."""
    kinds = [typing.get_origin(a) or a for a in allowed if a is not type(None)]
    if bool in kinds:
        low = text.lower()
        if low in ("true", "yes", "1", "on"):
            return True
        if low in ("false", "no", "0", "off"):
            return False
        raise ConfigError(f"{name}: expected true or false, got {text!r}")
    if int in kinds or float in kinds:
        try:
            number = float(text) if float in kinds else int(text)
        except ValueError:
            raise ConfigError(f"{name}: expected a number, got {text!r}") from None
        if float in kinds and not math.isfinite(number):
            raise ConfigError(f"{name}: expected a finite number, got {text!r}")
        return number
    if list in kinds and (text.startswith("[") or "," in text or str not in kinds):
        if text.startswith("["):
            parsed = _toml_value(text, name)
        else:
            parsed = [t.strip() for t in text.split(",") if t.strip()]
        item = typing.get_args(next(a for a in allowed if typing.get_origin(a) is list))[0]
        if item is int:
            try:
                parsed = [int(v) for v in parsed]
            except (TypeError, ValueError):
                raise ConfigError(f"{name}: expected a list of whole numbers, got {text!r}") from None
        return parsed
    if dict in kinds and text.startswith("{"):
        return _toml_value(text, name)
    return text


def _toml_value(text: str, name: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: cannot parse {text!r}: {exc}") from None


# -- validation -----------------------------------------------------------------------------------------


def _type_errors(obj: Any, prefix: str) -> list[str]:
    errors = []
    hints = _hints(type(obj))
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        name = prefix + f.name
        if dataclasses.is_dataclass(value):
            errors += _type_errors(value, name + ".")
            continue
        try:
            setattr(obj, f.name, _coerce(value, hints[f.name], name, from_text=False))
        except ConfigError as exc:
            errors.append(str(exc))
            continue
        choices = f.metadata.get("choices")
        if choices and value not in choices:
            errors.append(f"{name}: must be one of {', '.join(map(repr, choices))}, not {value!r}")
    return errors


def _value_errors(c: TrainConfig) -> list[str]:
    errors: list[str] = []

    def need(cond: bool, msg: str) -> None:
        if not cond:
            errors.append(msg)

    def num(name: str, value: Any, lo: float, hi: float | None = None, lo_open: bool = False) -> None:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return  # reported as a type error
        ok = (value > lo if lo_open else value >= lo) and (hi is None or value <= hi)
        if not ok:
            rng = f"{'>' if lo_open else '>='} {lo:g}" + (f" and <= {hi:g}" if hi is not None else "")
            errors.append(f"{name}: must be {rng}, got {value!r}")

    g, o, grpo, lora = c.generation, c.optim, c.grpo, c.lora
    need(bool(str(c.model.path).strip()), "model.path: a local model folder (or 'demo') is required")
    if c.model.quantization != "none":
        need(
            c.model.finetune == "lora",
            "model.quantization: quantised weights can only be trained with finetune = 'lora'",
        )
    num("lora.r", lora.r, 1)
    num("lora.alpha", lora.alpha, 0, lo_open=True)
    num("lora.dropout", lora.dropout, 0, 1)
    if isinstance(lora.target_modules, str):
        need(bool(lora.target_modules.strip()), "lora.target_modules: 'all-linear' or a non-empty list of names")
    else:
        need(bool(lora.target_modules), "lora.target_modules: 'all-linear' or a non-empty list of names")
    need(bool(str(c.data.train).strip()), "data.train: a dataset path (or 'demo') is required")
    need(bool(c.data.prompt_column), "data.prompt_column: must not be empty")
    if "{" not in c.data.prompt_template:
        errors.append("data.prompt_template: needs at least one {column} field, e.g. '{prompt}'")
    else:
        try:
            c.data.prompt_template.format_map(_AnyFields())
        except (ValueError, IndexError) as exc:
            errors.append(f"data.prompt_template: not a valid format string: {exc}")
    if c.data.max_train_samples is not None:
        num("data.max_train_samples", c.data.max_train_samples, 1)
    if c.data.max_eval_samples is not None:
        num("data.max_eval_samples", c.data.max_eval_samples, 1)
    if isinstance(c.reward, str):
        need(bool(c.reward.strip()), "reward: a reward spec (verifier name, TOML path or table) is required")
    num("reward_workers", c.reward_workers, 1)
    num("generation.num_generations", g.num_generations, 2)
    num("generation.prompts_per_step", g.prompts_per_step, 1)
    num("generation.max_prompt_length", g.max_prompt_length, 1)
    num("generation.max_completion_length", g.max_completion_length, 1)
    num("generation.temperature", g.temperature, 0, lo_open=True)
    num("generation.top_p", g.top_p, 0, 1, lo_open=True)
    num("generation.top_k", g.top_k, 0)
    num("generation.batch_size", g.batch_size, 0)
    num("grpo.beta", grpo.beta, 0)
    num("grpo.epsilon_low", grpo.epsilon_low, 0, 1)
    num("grpo.epsilon_high", grpo.epsilon_high, 0)
    num("grpo.num_iterations", grpo.num_iterations, 1)
    num("grpo.importance_sampling_cap", grpo.importance_sampling_cap, 1)
    if grpo.importance_sampling not in ("none", "auto") and c.rollout == "transformers":
        errors.append(
            "grpo.importance_sampling: the transformers engine samples from the trainer's own weights and "
            "returns no log-probs; use it with rollout = 'vllm' or set it to 'none'"
        )
    num("optim.learning_rate", o.learning_rate, 0, lo_open=True)
    num("optim.warmup_steps", o.warmup_steps, 0)
    num("optim.warmup_ratio", o.warmup_ratio, 0, 1)
    num("optim.weight_decay", o.weight_decay, 0)
    num("optim.adam_beta1", o.adam_beta1, 0, 1)
    num("optim.adam_beta2", o.adam_beta2, 0, 1)
    num("optim.adam_epsilon", o.adam_epsilon, 0, lo_open=True)
    num("optim.max_grad_norm", o.max_grad_norm, 0)
    num("optim.micro_batch_size", o.micro_batch_size, 1)
    num("optim.gradient_accumulation_steps", o.gradient_accumulation_steps, 0)
    if _all_ints(o.micro_batch_size, o.gradient_accumulation_steps, g.prompts_per_step, g.num_generations) and (
        o.micro_batch_size >= 1 and o.gradient_accumulation_steps >= 1
    ):
        n_micro = -(-c.completions_per_step // o.micro_batch_size)
        need(
            n_micro % o.gradient_accumulation_steps == 0,
            f"optim.gradient_accumulation_steps: must divide the {n_micro} micro-batches of a step "
            f"({c.completions_per_step} completions / micro_batch_size {o.micro_batch_size})",
        )
    num("eval.every", c.eval.every, 0)
    num("eval.temperature", c.eval.temperature, 0)
    num("eval.batch_size", c.eval.batch_size, 1)
    for name in ("every", "samples_every", "samples_per_log", "plot_every"):
        num(f"log.{name}", getattr(c.log, name), 0)
    num("checkpoint.every", c.checkpoint.every, 0)
    num("checkpoint.keep_last", c.checkpoint.keep_last, 0)
    num("distributed.timeout_s", c.distributed.timeout_s, 1)
    num("max_steps", c.max_steps, 1)
    num("logprob_chunk_size", c.logprob_chunk_size, 1)
    num("threads", c.threads, 0)
    num("memory_budget_gib", c.memory_budget_gib, 0)
    if g.fast == "on" and c.rollout != "transformers":
        errors.append("generation.fast: 'on' needs rollout = 'transformers' (vLLM has its own fast path)")
    dev = c.device
    if isinstance(dev, str) and not (dev in ("auto", "cpu", "cuda") or (dev.startswith("cuda:") and dev[5:].isdigit())):
        errors.append(f"device: must be 'auto', 'cpu', 'cuda' or 'cuda:N', not {dev!r}")
    return errors


def _all_ints(*values: Any) -> bool:
    return all(isinstance(v, int) and not isinstance(v, bool) for v in values)


class _AnyFields(dict):
    def __missing__(self, key: str) -> str:
        return ""


# -- TOML output ----------------------------------------------------------------------------------------


def dump_toml(data: dict[str, Any]) -> str:
    """TOML text for a nested dict of scalars, lists and tables (None values are left out)."""
    lines: list[str] = []
    _emit_table(data, [], lines)
    return "\n".join(lines).strip() + "\n"


def _emit_table(data: dict[str, Any], path: list[str], lines: list[str]) -> None:
    scalars = {k: v for k, v in data.items() if v is not None and not _is_table(v) and not _is_table_list(v)}
    tables = {k: v for k, v in data.items() if _is_table(v)}
    table_lists = {k: v for k, v in data.items() if _is_table_list(v)}
    for k, v in scalars.items():
        lines.append(f"{_key(k)} = {_scalar(v)}")
    for k, v in tables.items():
        sub = path + [k]
        lines.append("")
        lines.append(f"[{'.'.join(_key(p) for p in sub)}]")
        _emit_table(v, sub, lines)
    for k, items in table_lists.items():
        sub = path + [k]
        for item in items:
            lines.append("")
            lines.append(f"[[{'.'.join(_key(p) for p in sub)}]]")
            _emit_table(item, sub, lines)


def _is_table(v: Any) -> bool:
    return isinstance(v, dict)


def _is_table_list(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() else json.dumps(k)


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_scalar(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")
