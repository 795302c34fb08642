"""`import trainer` exposes the public pieces and stays light (no torch, transformers or Triton)."""

from __future__ import annotations

import subprocess
import sys


def test_import_trainer_exports_the_public_api_without_heavy_imports():
    code = (
        "import sys, trainer\n"
        "missing = [n for n in trainer.__all__ if not hasattr(trainer, n)]\n"
        "heavy = [m for m in ('torch', 'transformers', 'triton', 'peft') if m in sys.modules]\n"
        "print(missing, heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] []"


def test_reexports_are_the_objects_of_their_modules():
    import trainer
    from trainer.distributed import DistContext, setup_distributed
    from trainer.memory_plan import check_fits, estimate
    from trainer.rollout import FastEngine

    assert trainer.FastEngine is FastEngine and trainer.DistContext is DistContext
    assert trainer.setup_distributed is setup_distributed and trainer.check_fits is check_fits
    assert trainer.estimate_memory is estimate
    assert {"FastEngine", "DistContext", "setup_distributed", "estimate_memory"} <= set(trainer.__all__)
