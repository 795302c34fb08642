"""Process set-up for a run: threads, determinism, seeds derived per step, and memory readings."""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Callable
from typing import Any


def seed_for(seed: int, step: int, purpose: str = "") -> int:
    """A seed for one step and purpose, derived from the run seed (so a resumed run repeats it exactly)."""
    digest = hashlib.sha256(f"{seed}:{step}:{purpose}".encode()).digest()
    return int.from_bytes(digest[:8], "little") & ((1 << 63) - 1)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % (1 << 32))
    torch.manual_seed(seed)


def setup_torch(threads: int, deterministic: bool | None, seed: int, device: Any = None) -> Callable[[], None]:
    """Thread count, deterministic algorithms (None: on for the CPU only) and the initial seed.

    Returns a function that puts the thread count and the deterministic-algorithms setting back.
    """
    import torch

    old_threads = torch.get_num_threads()
    old_det = torch.are_deterministic_algorithms_enabled()
    old_warn = torch.is_deterministic_algorithms_warn_only_enabled()
    if threads > 0:
        torch.set_num_threads(threads)
    if deterministic is None:
        deterministic = getattr(device, "type", "cpu") == "cpu"
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True, warn_only=True)
    seed_everything(seed)

    def restore() -> None:
        torch.set_num_threads(old_threads)
        torch.use_deterministic_algorithms(old_det, warn_only=old_warn)

    return restore


def reset_peak_memory(device: Any) -> None:
    """Start a new peak-memory window (CUDA only; the CPU reading is the process's peak)."""
    import torch

    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def peak_memory_gib(device: Any) -> float:
    """CUDA: peak allocated since the last reset. CPU: the process's peak resident memory."""
    import torch

    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**30
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux
    except (ImportError, OSError):
        return float("nan")


def quiet_transformers() -> None:
    """Hide transformers' weight-loading progress bars and deprecation chatter from our own output."""
    import warnings

    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
