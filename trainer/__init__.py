"""aha's low-VRAM GRPO trainer (uses `verifiers` only through its public API).

Importing this package is cheap: torch, transformers and peft load when training starts.
"""

from .advantages import ESTIMATORS, compute_advantages, zero_spread_fraction
from .config import ConfigError, TrainConfig, load_config
from .data import DataError
from .distributed import DistContext, GradSync, setup_distributed
from .evaluation import EvalResult, evaluate, evaluate_model
from .kernel_choice import KernelChoice, choose_kernels
from .loop import Trainer, TrainResult, train
from .losses import LOSS_TYPES, LossSettings, aggregate, grpo_loss, per_token_loss
from .memory_plan import MemoryEstimate, ModelShape, check_fits, check_run_memory
from .memory_plan import estimate as estimate_memory
from .plotting import plot_run
from .rollout import Completion, FastEngine, RolloutEngine, SamplingSettings, importance_weights, make_engine

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
