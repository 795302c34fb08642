"""vLLM over the run's ranks: one colocated engine per rank or per tensor-parallel group of ranks."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from ...config import ConfigError, VLLMConfig

if TYPE_CHECKING:
    from ...distributed import DistContext


def vllm_options_for_ranks(options: VLLMConfig, ctx: DistContext) -> VLLMConfig:
    """The [vllm] section for one colocated engine per rank: vLLM joins torchrun's processes (external launcher)."""
    if not ctx.enabled:
        return options
    engine_kwargs = dict(options.engine_kwargs)
    engine_kwargs.setdefault("distributed_executor_backend", "external_launcher")
    tp = vllm_tensor_parallel(options)
    if ctx.world_size % tp:
        raise ConfigError(
            f"vllm.engine_kwargs.tensor_parallel_size = {tp} must divide the {ctx.world_size} ranks "
            "(each group of that many ranks shares one engine)"
        )
    return dataclasses.replace(options, engine_kwargs=engine_kwargs)


def vllm_tensor_parallel(options: VLLMConfig) -> int:
    """vllm.engine_kwargs.tensor_parallel_size (1 when unset)."""
    value = options.engine_kwargs.get("tensor_parallel_size", 1)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"vllm.engine_kwargs.tensor_parallel_size: must be a whole number >= 1, not {value!r}")
    return value


def generate_in_groups(ctx: DistContext, tensor_parallel: int, engine: Any, prompts: list, settings: Any) -> list:
    """Completions of this rank's prompts; with tensor_parallel > 1 the ranks of a group generate together.

    The ranks of one tensor-parallel group drive one engine in lockstep, so each gives it the prompts of the
    whole group (with their seeds) and keeps the completions of its own.
    """
    if tensor_parallel <= 1 or not ctx.enabled:
        return engine.generate(prompts, settings)
    parts = ctx.gather_objects((list(prompts), settings.prompt_seeds))
    first = ctx.rank // tensor_parallel * tensor_parallel
    group = parts[first : first + tensor_parallel]
    seeds = None
    if settings.prompt_seeds is not None:
        seeds = tuple(seed for _, part_seeds in group for seed in part_seeds)
    out = engine.generate([p for part, _ in group for p in part], dataclasses.replace(settings, prompt_seeds=seeds))
    offset = sum(len(part) for part, _ in group[: ctx.rank - first])
    return [
        dataclasses.replace(c, prompt_index=c.prompt_index - offset)
        for c in out
        if offset <= c.prompt_index < offset + len(prompts)
    ]
