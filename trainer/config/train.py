"""`TrainConfig`: the whole training configuration, its top-level options and the checks across sections."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from .fields import NO_COLUMN, Checks, ConfigError, all_ints, opt
from .sections import (
    CheckpointConfig,
    DataConfig,
    DistributedConfig,
    EvalConfig,
    GenerationConfig,
    GRPOConfig,
    LogConfig,
    LoraConfig,
    ModelConfig,
    OptimConfig,
    VLLMConfig,
)
from .values import type_errors


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
    rollout: Literal["transformers", "vllm"] = opt(
        "transformers", "Rollout engine: 'transformers' (generate) or 'vllm' (needs the 'vllm' extra; see [vllm])."
    )
    vllm: VLLMConfig = opt(help="The vLLM rollout engine.", factory=VLLMConfig)
    kernels: Literal["auto", "triton", "torch"] = opt(
        "auto",
        "Log-prob/LoRA kernels: 'triton' (fused, CUDA), 'torch' (plain PyTorch) or 'auto' (triton where "
        "available, else torch).",
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

    def sections(self) -> list[Any]:
        """The section objects, in declaration order."""
        return [v for f in dataclasses.fields(self) if dataclasses.is_dataclass(v := getattr(self, f.name))]

    def to_dict(self) -> dict[str, Any]:
        """A plain nested dict of every option."""
        return dataclasses.asdict(self)

    def to_toml(self) -> str:
        """This configuration as TOML text (loadable by `load_config`)."""
        from .toml_out import dump_toml

        return dump_toml(self.to_dict())

    def validate(self) -> TrainConfig:
        """Check every option and their combinations; raises ConfigError naming the fields."""
        if isinstance(self.data.answer_column, str) and self.data.answer_column.strip().lower() in NO_COLUMN:
            self.data.answer_column = ""  # one spelling of "no gold answer", so a saved config reloads the same
        errors = type_errors(self, "")
        if not errors:  # the range checks compare values, so they run on well-typed ones
            for section in self.sections():
                errors += section.validate()
            errors += self._own_errors()
        if errors:
            raise ConfigError("invalid training config:\n  " + "\n  ".join(errors))
        return self

    def _own_errors(self) -> list[str]:
        """Errors in the top-level options and in combinations of sections."""
        c = Checks("")
        g, o = self.generation, self.optim
        if isinstance(self.reward, str):
            c.need(bool(self.reward.strip()), "reward", "a reward spec (verifier name, TOML path or table) is required")
        c.range("reward_workers", self.reward_workers, 1)
        c.range("max_steps", self.max_steps, 1)
        c.range("logprob_chunk_size", self.logprob_chunk_size, 1)
        c.range("threads", self.threads, 0)
        c.range("memory_budget_gib", self.memory_budget_gib, 0)
        dev = self.device
        c.need(
            dev in ("auto", "cpu", "cuda") or (dev.startswith("cuda:") and dev[5:].isdigit()),
            "device",
            f"must be 'auto', 'cpu', 'cuda' or 'cuda:N', not {dev!r}",
        )
        c.need(
            self.grpo.importance_sampling in ("none", "auto") or self.rollout != "transformers",
            "grpo.importance_sampling",
            "the transformers engine samples from the trainer's own weights and returns no log-probs; use it "
            "with rollout = 'vllm' or set it to 'none'",
        )
        c.need(
            g.fast != "on" or self.rollout == "transformers",
            "generation.fast",
            "'on' needs rollout = 'transformers' (vLLM has its own fast path)",
        )
        if all_ints(o.micro_batch_size, o.gradient_accumulation_steps) and (
            o.micro_batch_size >= 1 and o.gradient_accumulation_steps >= 1
        ):
            n_micro = -(-self.completions_per_step // o.micro_batch_size)
            c.need(
                n_micro % o.gradient_accumulation_steps == 0,
                "optim.gradient_accumulation_steps",
                f"must divide the {n_micro} micro-batches of a step ({self.completions_per_step} completions / "
                f"micro_batch_size {o.micro_batch_size})",
            )
        return c.errors
