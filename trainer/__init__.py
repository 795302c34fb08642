"""aha's low-VRAM GRPO trainer (uses `verifiers` only through its public API).

Importing this package is cheap: torch, transformers and peft load when training starts.
"""

from __future__ import annotations

import importlib
from typing import Any

# Public names and the submodule each lives in: imported on first use (PEP 562), so that loading the
# trainer's commands at every `aha` start does not import the whole trainer.
_EXPORTS = {
    "ESTIMATORS": ("advantages", "ESTIMATORS"),
    "compute_advantages": ("advantages", "compute_advantages"),
    "zero_spread_fraction": ("advantages", "zero_spread_fraction"),
    "ConfigError": ("config", "ConfigError"),
    "TrainConfig": ("config", "TrainConfig"),
    "load_config": ("config", "load_config"),
    "DataError": ("data", "DataError"),
    "DistContext": ("distributed", "DistContext"),
    "GradSync": ("distributed", "GradSync"),
    "setup_distributed": ("distributed", "setup_distributed"),
    "EvalResult": ("heldout", "EvalResult"),
    "evaluate": ("heldout", "evaluate"),
    "evaluate_model": ("heldout", "evaluate_model"),
    "KernelChoice": ("kernels.choice", "KernelChoice"),
    "choose_kernels": ("kernels.choice", "choose_kernels"),
    "Trainer": ("grpo_trainer", "Trainer"),
    "TrainResult": ("grpo_trainer", "TrainResult"),
    "train": ("grpo_trainer", "train"),
    "LOSS_TYPES": ("losses", "LOSS_TYPES"),
    "LossSettings": ("losses", "LossSettings"),
    "aggregate": ("losses", "aggregate"),
    "grpo_loss": ("losses", "grpo_loss"),
    "per_token_loss": ("losses", "per_token_loss"),
    "MemoryEstimate": ("memory_plan", "MemoryEstimate"),
    "ModelShape": ("memory_plan", "ModelShape"),
    "check_fits": ("memory_plan", "check_fits"),
    "check_run_memory": ("memory_plan", "check_run_memory"),
    "estimate_memory": ("memory_plan", "estimate"),
    "plot_run": ("plotting", "plot_run"),
    "Completion": ("rollout", "Completion"),
    "FastEngine": ("rollout", "FastEngine"),
    "RolloutEngine": ("rollout", "RolloutEngine"),
    "SamplingSettings": ("rollout", "SamplingSettings"),
    "importance_weights": ("importance_sampling", "importance_weights"),
    "make_engine": ("rollout", "make_engine"),
}

__all__ = [
    "ESTIMATORS",
    "LOSS_TYPES",
    "Completion",
    "ConfigError",
    "DataError",
    "DistContext",
    "EvalResult",
    "FastEngine",
    "GradSync",
    "KernelChoice",
    "LossSettings",
    "MemoryEstimate",
    "ModelShape",
    "RolloutEngine",
    "SamplingSettings",
    "TrainConfig",
    "TrainResult",
    "Trainer",
    "aggregate",
    "check_fits",
    "check_run_memory",
    "choose_kernels",
    "compute_advantages",
    "estimate_memory",
    "evaluate",
    "evaluate_model",
    "grpo_loss",
    "importance_weights",
    "load_config",
    "make_engine",
    "per_token_loss",
    "plot_run",
    "setup_distributed",
    "train",
    "zero_spread_fraction",
]


def __getattr__(name: str) -> Any:
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'trainer' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
