"""Options of the vLLM rollout engine (the `[vllm]` table of a training config)."""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from typing import Any

from ...config import ConfigError

SLEEP_MODES = ("kv_cache", "weights", "off")
ALIASES = {"gpu_memory_utilization": "memory_share"}
"""vLLM's own names accepted for our options."""
DTYPES = ("auto", "float32", "bfloat16", "float16")


@dataclass(frozen=True)
class VLLMSettings:
    """How the colocated vLLM engine is started and kept in step with the trainer."""

    memory_share: float = 0.3
    """Fraction of the accelerator's memory vLLM may take for its weights and KV cache (vLLM's
    gpu_memory_utilization). On a CPU build it is the fraction of the CPU memory of a NUMA node."""
    kv_cache_gib: float | None = None
    """Fixed KV-cache size in GiB instead of the share left by memory_share (vLLM's kv_cache_memory_bytes)."""
    dtype: str = "auto"
    """vLLM's weight dtype; 'auto' uses the trainer model's dtype (so both compute alike)."""
    max_model_len: int | None = None
    """Longest prompt + completion; default: generation.max_prompt_length + generation.max_completion_length."""
    enable_prefix_caching: bool = True
    """Reuse the KV cache of shared prefixes (the prompt of a group is computed once for its G completions)."""
    enforce_eager: bool | None = None
    """Skip CUDA graphs and torch.compile; default: true on a CPU build (fast start), false on a GPU."""
    sleep: str = "kv_cache"
    """While the trainer updates: 'kv_cache' frees the KV cache (weights stay), 'weights' also moves the
    weights to CPU memory (vLLM sleep level 1), 'off' keeps everything. CPU builds cannot sleep: no-op there."""
    sync_check_every: int = 0
    """Compare vLLM's log-probs with the trainer's on the last rollout's first completion after every N-th
    weight sync (0 = never); the result is in the engine's metrics."""
    sync_check_tolerance: float | None = None
    """Largest allowed |vLLM - trainer| log-prob of any token in the check; default by dtype (1e-3 float32,
    0.1 bfloat16/float16)."""
    sync_check_strict: bool = False
    """Raise an error when a sync check fails (default: record it in the metrics and warn)."""
    sync_dir: str | None = None
    """RAM-backed folder for the adapter handed to vLLM at each sync (default /dev/shm, else the temp folder)."""
    quantization: str | None = None
    """vLLM's own quantisation of the base weights (e.g. 'bitsandbytes' to mirror a 4-bit QLoRA trainer)."""
    max_num_seqs: int | None = None
    """Most sequences vLLM decodes at once (vLLM's default when unset)."""
    seed: int = 0
    """vLLM's engine seed (sampling uses a seed per prompt derived from the trainer's step seed)."""
    engine_kwargs: dict[str, Any] = field(default_factory=dict)
    """Extra keyword arguments for `vllm.LLM`, passed as they are (they override the ones above)."""

    def __post_init__(self) -> None:
        if not 0.0 < self.memory_share <= 1.0:
            raise ConfigError(f"vllm.memory_share: must be in (0, 1], not {self.memory_share!r}")
        if self.kv_cache_gib is not None and self.kv_cache_gib <= 0:
            raise ConfigError(f"vllm.kv_cache_gib: must be > 0, not {self.kv_cache_gib!r}")
        if self.dtype not in DTYPES:
            raise ConfigError(f"vllm.dtype: must be one of {', '.join(DTYPES)}, not {self.dtype!r}")
        if self.max_model_len is not None and self.max_model_len < 2:
            raise ConfigError(f"vllm.max_model_len: must be >= 2, not {self.max_model_len!r}")
        if self.sleep not in SLEEP_MODES:
            raise ConfigError(f"vllm.sleep: must be one of {', '.join(SLEEP_MODES)}, not {self.sleep!r}")
        if self.sync_check_every < 0:
            raise ConfigError(f"vllm.sync_check_every: must be >= 0, not {self.sync_check_every!r}")
        if self.sync_check_tolerance is not None and self.sync_check_tolerance <= 0:
            raise ConfigError(f"vllm.sync_check_tolerance: must be > 0, not {self.sync_check_tolerance!r}")
        if self.max_num_seqs is not None and self.max_num_seqs < 1:
            raise ConfigError(f"vllm.max_num_seqs: must be >= 1, not {self.max_num_seqs!r}")
        if not isinstance(self.engine_kwargs, dict):
            raise ConfigError(f"vllm.engine_kwargs: must be a table, not {self.engine_kwargs!r}")

    @classmethod
    def from_mapping(cls, data: dict[str, Any] | None) -> VLLMSettings:
        """Settings from a config table; unknown keys and wrong types are errors naming the key."""
        data = dict(data or {})
        fields = {f.name: f for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            name = ALIASES.get(key.replace("-", "_"), key.replace("-", "_"))
            if name not in fields:
                close = difflib.get_close_matches(name, list(fields), n=1)
                hint = f"did you mean vllm.{close[0]}?" if close else f"known: {', '.join(fields)}"
                raise ConfigError(
                    f"vllm.{key}: unknown option ({hint}; other vllm.LLM arguments go in vllm.engine_kwargs)"
                )
            if name in kwargs:
                raise ConfigError(f"vllm.{key}: given twice (also as another name for vllm.{name})")
            kwargs[name] = _coerce(name, value)
        return cls(**kwargs)


_FLOATS = {"memory_share", "kv_cache_gib", "sync_check_tolerance"}
_INTS = {"max_model_len", "sync_check_every", "max_num_seqs", "seed"}
_BOOLS = {"enable_prefix_caching", "enforce_eager", "sync_check_strict"}
_STRS = {"dtype", "sleep", "sync_dir", "quantization"}
_OPTIONAL = {
    "kv_cache_gib",
    "max_model_len",
    "enforce_eager",
    "sync_check_tolerance",
    "sync_dir",
    "quantization",
    "max_num_seqs",
}


def _coerce(name: str, value: Any) -> Any:
    """A config value as the option's type (TOML and CLI strings included)."""
    if value is None or (isinstance(value, str) and value.lower() in ("none", "null") and name in _OPTIONAL):
        if name in _OPTIONAL:
            return None
        raise ConfigError(f"vllm.{name}: needs a value")
    try:
        if name in _BOOLS:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
                return value.lower() in ("true", "1", "yes")
            raise ValueError
        if name in _INTS:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return int(value)
        if name in _FLOATS:
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if name in _STRS:
            if not isinstance(value, str):
                raise ValueError
            return value
    except (TypeError, ValueError):
        kind = "bool" if name in _BOOLS else "int" if name in _INTS else "number" if name in _FLOATS else "string"
        raise ConfigError(f"vllm.{name}: expected a {kind}, got {value!r}") from None
    return value
