"""Choosing the rollout engine from the config (vLLM is imported only when asked for)."""

from __future__ import annotations

import importlib
from typing import Any

from ..config import ConfigError, TrainConfig
from .base import RolloutEngine


def vllm_engine_class() -> type:
    """`trainer.rollout.vllm.engine.VLLMEngine`, or a ConfigError that names the `vllm` extra."""
    try:
        module = importlib.import_module("trainer.rollout.vllm.engine")
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing == "vllm" or missing.startswith("vllm."):
            raise ConfigError(
                "rollout = 'vllm' needs vLLM, which is not installed: pip install 'aha[vllm]' "
                "(or set rollout = 'transformers')"
            ) from None
        if missing in ("trainer.rollout.vllm", "trainer.rollout.vllm.engine"):
            raise ConfigError(
                "rollout = 'vllm': this aha build has no vLLM engine; set rollout = 'transformers'"
            ) from None
        raise
    cls = getattr(module, "VLLMEngine", None)
    if cls is None:
        raise ConfigError("rollout = 'vllm': trainer.rollout.vllm.engine defines no VLLMEngine")
    return cls


def make_engine(config: TrainConfig, model: Any, tokenizer: Any) -> RolloutEngine:
    """The configured rollout engine for `model`.

    A vLLM engine is built with `VLLMEngine.from_train_config(config, model, tokenizer)` when it has that
    classmethod, else `VLLMEngine(config=..., model=..., tokenizer=...)`.
    """
    if config.rollout == "transformers":
        from .transformers.fast import FastEngine, compile_decode_for, use_fast_engine
        from .transformers.generate import TransformersEngine

        g = config.generation
        if use_fast_engine(g.fast, model):
            return FastEngine(
                model,
                tokenizer,
                max_prompt_length=g.max_prompt_length,
                merge_lora=g.merge_lora,
                cuda_graphs=g.cuda_graphs,
                batch_size=g.batch_size,
                compile_backend="inductor"
                if compile_decode_for(g.compile, model, quantised=config.model.quantization != "none")
                else None,
            )
        return TransformersEngine(model, tokenizer, batch_size=g.batch_size)
    if config.rollout == "vllm":
        cls = vllm_engine_class()
        builder = getattr(cls, "from_train_config", None)
        if callable(builder):
            return builder(config, model, tokenizer)
        return cls(config=config, model=model, tokenizer=tokenizer)
    raise ConfigError(f"rollout: must be 'transformers' or 'vllm', not {config.rollout!r}")
