"""Whether the Triton kernels can run here, and why not."""

from __future__ import annotations

import importlib.util
import os


def available() -> tuple[bool, str]:
    """(True, how) when Triton is importable and CUDA is available or TRITON_INTERPRET=1; else (False, why)."""
    if importlib.util.find_spec("triton") is None:
        return False, "Triton is not installed (pip install 'aha[triton]')"
    try:
        import triton  # noqa: F401
    except Exception as exc:  # a broken install must not crash the trainer: it falls back to torch
        return False, f"Triton failed to import: {exc}"
    if os.environ.get("TRITON_INTERPRET") == "1":
        return True, "Triton interpreter (TRITON_INTERPRET=1, CPU)"
    try:
        import torch
    except ImportError:
        return False, "torch is not installed"
    if not torch.cuda.is_available():
        return False, "no CUDA GPU (set TRITON_INTERPRET=1 to run the kernels slowly in Triton's interpreter)"
    return True, f"CUDA: {torch.cuda.get_device_name(0)}"
