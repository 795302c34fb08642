"""Atomic checkpoints: trained weights (peft adapter or full model) plus optimiser, scheduler, RNG and data state.

Under FSDP2 the optimiser state and the trained weights are gathered from the shards onto rank 0 first.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model_loading import LoadedModel, save_trainable

if TYPE_CHECKING:
    from .distributed import GradSync

PREFIX = "checkpoint-"
STATE_FILE = "trainer_state.pt"
SUMMARY_FILE = "trainer_state.json"
_NAME = re.compile(rf"^{PREFIX}(\d+)$")


def checkpoint_dirs(run_dir: str | Path) -> list[tuple[int, Path]]:
    """Complete checkpoints of a run, oldest first."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        return []
    out = []
    for p in run_dir.iterdir():
        m = _NAME.match(p.name)
        if m and p.is_dir() and (p / STATE_FILE).is_file():
            out.append((int(m.group(1)), p))
    return sorted(out)


def checkpoint_path(run_dir: str | Path, step: int) -> Path:
    """The folder of the checkpoint after `step`."""
    return Path(run_dir) / f"{PREFIX}{step:06d}"


def latest_checkpoint(run_dir: str | Path) -> tuple[int, Path] | None:
    """(step, folder) of the newest complete checkpoint, or None."""
    found = checkpoint_dirs(run_dir)
    return found[-1] if found else None


def remove_stale_temporaries(run_dir: str | Path) -> None:
    """Delete half-written checkpoint folders left by a killed run."""
    run_dir = Path(run_dir)
    if run_dir.is_dir():
        for p in run_dir.glob(f".tmp-{PREFIX}*"):
            shutil.rmtree(p, ignore_errors=True)
        for p in run_dir.glob(f".old-{PREFIX}*"):
            shutil.rmtree(p, ignore_errors=True)


def rng_state() -> dict[str, Any]:
    """The state of every RNG the trainer touches (Python, NumPy, torch CPU and CUDA)."""
    import numpy as np
    import torch

    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": [kind, keys.tolist(), pos, has_gauss, cached],
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore RNGs saved by `rng_state`."""
    import numpy as np
    import torch

    py = state["python"]
    random.setstate((py[0], tuple(py[1]), py[2]))
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(
    run_dir: str | Path,
    step: int,
    loaded: LoadedModel,
    optimizer: Any,
    scheduler: Any,
    extra: dict[str, Any],
    keep_last: int = 0,
    optimizer_state: dict[str, Any] | None = None,
    save_weights: Callable[[Path], None] | None = None,
) -> Path:
    """Write RUN_DIR/checkpoint-STEP atomically (temporary folder, then rename) and prune old ones.

    `optimizer_state` replaces `optimizer.state_dict()` and `save_weights(folder)` replaces
    `save_trainable(loaded, folder)` (e.g. for weights and state gathered from FSDP2 shards).
    """
    import torch

    run_dir = Path(run_dir)
    final = checkpoint_path(run_dir, step)
    tmp = run_dir / f".tmp-{PREFIX}{step:06d}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    if save_weights is not None:
        save_weights(tmp)
    else:
        save_trainable(loaded, tmp)
    state = {
        "step": step,
        "optimizer": optimizer_state if optimizer_state is not None else optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "rng": rng_state(),
        **extra,
    }
    torch.save(state, tmp / STATE_FILE)
    summary = {"step": step, **{k: v for k, v in extra.items() if isinstance(v, (int, float, str, dict, list))}}
    (tmp / SUMMARY_FILE).write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    _fsync_files(tmp)
    _fsync_dir(tmp)
    if final.exists():
        old = run_dir / f".old-{PREFIX}{step:06d}-{os.getpid()}"
        os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, final)
    _fsync_dir(run_dir)
    if keep_last > 0:
        for _, p in checkpoint_dirs(run_dir)[:-keep_last]:
            shutil.rmtree(p, ignore_errors=True)
    return final


def load_state(checkpoint: str | Path) -> dict[str, Any]:
    """The trainer state saved in a checkpoint folder."""
    import torch

    return torch.load(Path(checkpoint) / STATE_FILE, map_location="cpu", weights_only=True)


def _fsync_files(path: Path) -> None:
    for f in path.iterdir():
        if f.is_file():
            with f.open("rb") as fh:
                os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def optimizer_state(optimizer: Any, sync: GradSync | None) -> dict[str, Any]:
    """The optimiser state in torch's own (parameter-index) form, gathered from the shards under FSDP2.

    A collective under FSDP2 (every rank must call it); the result is complete on rank 0. The form is the
    same for every strategy, so a checkpoint resumes with any strategy and number of ranks.
    """
    if sync is None or sync.strategy != "fsdp2":
        return optimizer.state_dict()
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_optimizer_state_dict

    full = get_optimizer_state_dict(
        sync.wrapped, optimizer, options=StateDictOptions(full_state_dict=True, cpu_offload=True)
    )
    index = {name: i for i, name in enumerate(_trainable_names(sync.wrapped))}
    return {
        "state": {index[name]: value for name, value in full.get("state", {}).items()},
        "param_groups": [
            {**group, "params": [index[name] for name in group["params"]]} for group in full.get("param_groups", [])
        ],
    }


def load_optimizer_state(optimizer: Any, state: dict[str, Any], sync: GradSync | None) -> None:
    """Load an `optimizer_state` checkpoint into this run's optimiser (into the shards under FSDP2)."""
    if sync is None or sync.strategy != "fsdp2":
        optimizer.load_state_dict(state)
        return
    from torch.distributed.checkpoint.state_dict import StateDictOptions, set_optimizer_state_dict

    names = _trainable_names(sync.wrapped)
    full = {
        "state": {names[i]: value for i, value in state["state"].items()},
        "param_groups": [{**group, "params": [names[i] for i in group["params"]]} for group in state["param_groups"]],
    }
    set_optimizer_state_dict(sync.wrapped, optimizer, full, options=StateDictOptions(full_state_dict=True))


def _trainable_names(module: Any) -> list[str]:
    return [name for name, p in module.named_parameters() if p.requires_grad]


def full_trainable_state(sync: GradSync | None) -> dict[str, Any] | None:
    """The trained weights gathered from the FSDP2 shards onto rank 0's CPU (None without FSDP2).

    A collective under FSDP2: every rank must call it. Frozen base weights are left out.
    """
    if sync is None or sync.strategy != "fsdp2":
        return None
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict

    options = StateDictOptions(full_state_dict=True, cpu_offload=True, ignore_frozen_params=True)
    return {k.removeprefix("policy."): v for k, v in get_model_state_dict(sync.wrapped, options=options).items()}


def save_weights(loaded: Any, directory: Any, state_dict: dict[str, Any] | None = None) -> None:
    """`save_trainable`, or with `state_dict` (from `full_trainable_state`) the same files from gathered weights."""
    if state_dict is None:
        save_trainable(loaded, directory)
        return
    loaded.model.save_pretrained(str(directory), safe_serialization=True, state_dict=state_dict)
    loaded.tokenizer.save_pretrained(str(directory))
