"""aha's low-VRAM GRPO trainer (uses `verifiers` only through its public API).

Importing this package is cheap: torch, transformers and peft load when training starts.
"""

from .advantages import ESTIMATORS, compute_advantages, zero_spread_fraction
from .config import ConfigError, TrainConfig, load_config
from .data import DataError
from .evaluation import EvalResult, evaluate, evaluate_model
from .loop import Trainer, TrainResult, train
from .losses import LOSS_TYPES, LossSettings, aggregate, grpo_loss, per_token_loss
from .plotting import plot_run
from .rollout import Completion, RolloutEngine, SamplingSettings, make_engine

__all__ = [
    "ESTIMATORS",
    "LOSS_TYPES",
    "Completion",
    "ConfigError",
    "DataError",
    "EvalResult",
    "LossSettings",
    "RolloutEngine",
    "SamplingSettings",
    "TrainConfig",
    "TrainResult",
    "Trainer",
    "aggregate",
    "compute_advantages",
    "evaluate",
    "evaluate_model",
    "grpo_loss",
    "load_config",
    "make_engine",
    "per_token_loss",
    "plot_run",
    "train",
    "zero_spread_fraction",
]
