"""The training configuration: one dataclass tree, loaded from TOML, overridden from the CLI, validated.

Modules: `fields` (the error type, `opt`, range checks), `sections` (one dataclass per TOML table, each with
its `validate`), `train` (`TrainConfig` and the checks across sections), `values` (option types and value
conversion), `loading` (TOML, dicts and `--key value` overrides), `toml_out` (TOML text), `reference`
(`aha train --help` text and the generated option reference in docs/training.md).
"""

from __future__ import annotations

from .fields import DEMO, NO_COLUMN, ConfigError, opt
from .loading import apply_cli_overrides, from_dict, load_config, offload_for, read_toml, set_option
from .reference import all_option_names, iter_options, options_help, options_markdown
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
from .toml_out import dump_toml
from .train import TrainConfig

__all__ = [
    "DEMO",
    "NO_COLUMN",
    "CheckpointConfig",
    "ConfigError",
    "DataConfig",
    "DistributedConfig",
    "EvalConfig",
    "GRPOConfig",
    "GenerationConfig",
    "LogConfig",
    "LoraConfig",
    "ModelConfig",
    "OptimConfig",
    "TrainConfig",
    "VLLMConfig",
    "all_option_names",
    "apply_cli_overrides",
    "dump_toml",
    "from_dict",
    "iter_options",
    "load_config",
    "offload_for",
    "opt",
    "options_help",
    "options_markdown",
    "read_toml",
    "set_option",
]
