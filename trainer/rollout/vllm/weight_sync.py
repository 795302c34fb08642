"""Handing the trainer's weights to vLLM: the LoRA adapter through RAM, or full weights in place."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .support import VLLMUnavailableError

VLLM_LORA_RANKS = (1, 8, 16, 32, 64, 128, 256, 320, 512)
"""The values vLLM accepts for max_lora_rank."""

RAM_DIR = "/dev/shm"


def is_peft_model(model: Any) -> bool:
    """True for a peft model (its adapter is what gets synced)."""
    return hasattr(model, "peft_config") and callable(getattr(model, "get_base_model", None))


def vllm_max_lora_rank(rank: int) -> int:
    """The smallest max_lora_rank vLLM accepts that fits an adapter of rank `rank`."""
    for allowed in VLLM_LORA_RANKS:
        if allowed >= rank:
            return allowed
    raise VLLMUnavailableError(f"lora.r: vLLM serves LoRA ranks up to {VLLM_LORA_RANKS[-1]}, not {rank}")


def active_adapter_name(model: Any) -> str:
    """The name of the peft model's single active adapter."""
    name = getattr(model, "active_adapter", "default")
    if isinstance(name, (list, tuple)):
        if len(name) != 1:
            raise ValueError(f"vLLM sync needs exactly one active adapter, the model has {list(name)}")
        name = name[0]
    return str(name)


def adapter_rank(model: Any) -> int:
    """The largest LoRA rank in the peft model's active adapter (rank_pattern included)."""
    cfg = model.peft_config[active_adapter_name(model)]
    ranks = [int(cfg.r), *(int(r) for r in (getattr(cfg, "rank_pattern", None) or {}).values())]
    return max(ranks)


def check_adapter_servable(model: Any) -> None:
    """Raise ValueError when vLLM cannot serve this adapter exactly as the trainer computes it."""
    name = active_adapter_name(model)
    cfg = model.peft_config[name]
    peft_type = str(getattr(getattr(cfg, "peft_type", None), "value", getattr(cfg, "peft_type", "")))
    if peft_type.upper() != "LORA":
        raise ValueError(f"vLLM serves LoRA adapters only, not {peft_type or type(cfg).__name__}")
    problems = []
    if getattr(cfg, "modules_to_save", None):
        problems.append(f"modules_to_save={cfg.modules_to_save} (fully trained modules are not served by vLLM)")
    if getattr(cfg, "use_dora", False):
        problems.append("use_dora=True")
    if getattr(cfg, "bias", "none") != "none":
        problems.append(f"bias={cfg.bias!r}")
    if problems:
        raise ValueError("this LoRA adapter cannot be synced to vLLM: " + "; ".join(problems))


def ram_backed_root(preferred: str | None = None) -> tuple[Path, bool]:
    """A new private folder for adapters, in RAM where possible; (folder, whether it is RAM-backed)."""
    if preferred:
        base, in_ram = Path(preferred), _is_ram_fs(Path(preferred))
    elif os.path.isdir(RAM_DIR) and os.access(RAM_DIR, os.W_OK):
        base, in_ram = Path(RAM_DIR), True
    else:
        base, in_ram = Path(tempfile.gettempdir()), _is_ram_fs(Path(tempfile.gettempdir()))
    base.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix=f"aha-vllm-{os.getpid()}-", dir=base))
    return root, in_ram


def _is_ram_fs(path: Path) -> bool:
    """Whether `path` lives on tmpfs/ramfs (Linux /proc/mounts; False where unknown)."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return False
    target = str(path.resolve())
    best, fstype = "", ""
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3 and (target == parts[1] or target.startswith(parts[1].rstrip("/") + "/")):
            if len(parts[1]) > len(best):
                best, fstype = parts[1], parts[2]
    return fstype in ("tmpfs", "ramfs")


@dataclass(frozen=True)
class PublishedAdapter:
    """One adapter version as vLLM sees it: a unique name and LoRA id, and its folder."""

    name: str
    lora_id: int
    path: Path
    nbytes: int


class AdapterPublisher:
    """Writes each new version of the trainer's adapter to a RAM-backed folder under a fresh LoRA id.

    vLLM caches adapters by id, so every sync gets a new id; the folder of the version before is
    deleted once a newer one is published.
    """

    def __init__(self, root: str | None = None):
        self.root, self.in_ram = ram_backed_root(root)
        # RAM is not freed by process exit: delete the folder even when close() is never called
        self._cleanup = weakref.finalize(self, shutil.rmtree, str(self.root), True)
        self._next_id = 1
        self._token = uuid.uuid4().hex[:8]
        self.current: PublishedAdapter | None = None

    def publish(self, model: Any) -> PublishedAdapter:
        """Write the model's active adapter (weights and config) as a new version."""
        from peft import get_peft_model_state_dict
        from safetensors.torch import save_file

        check_adapter_servable(model)
        name = active_adapter_name(model)
        state = get_peft_model_state_dict(model, adapter_name=name)
        if not state:
            raise ValueError("the peft model has no adapter weights to sync")
        tensors = {k: v.detach().to("cpu").contiguous() for k, v in state.items()}
        lora_id = self._next_id
        self._next_id += 1
        folder = self.root / f"v{lora_id}"
        tmp = self.root / f".tmp-v{lora_id}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        save_file(tensors, str(tmp / "adapter_model.safetensors"))
        model.peft_config[name].save_pretrained(str(tmp))
        os.replace(tmp, folder)
        nbytes = sum(t.numel() * t.element_size() for t in tensors.values())
        previous, self.current = (
            self.current,
            PublishedAdapter(f"aha-{self._token}-v{lora_id}", lora_id, folder, nbytes),
        )
        if previous is not None:
            shutil.rmtree(previous.path, ignore_errors=True)
        return self.current

    def close(self) -> None:
        """Delete every published version."""
        self._cleanup()
        self.current = None


def packed_siblings(packed_modules_mapping: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """For each checkpoint module name vLLM fuses (q_proj...), the names fused with it (q_proj, k_proj, v_proj)."""
    out: dict[str, tuple[str, ...]] = {}
    for parts in (packed_modules_mapping or {}).values():
        for part in parts:
            out[part] = tuple(parts)
    return out


def weights_to_push(model: Any, packed_modules_mapping: dict[str, list[str]] | None = None) -> list[str]:
    """Names of the parameters to push after an update: every parameter of a module with a trainable one,
    and of the modules vLLM fuses with it.

    vLLM loads a layer as one unit (its weight and bias; qkv_proj from q/k/v_proj, gate_up_proj from
    gate/up_proj), and a layer given only part of its tensors is rebuilt with the rest uninitialised. So a
    trainable q_proj.weight brings q_proj.bias and the k_proj and v_proj tensors along.
    """
    params = dict(model.named_parameters())
    if all(p.requires_grad for p in params.values()):
        return list(params)
    siblings = packed_siblings(packed_modules_mapping or {})
    modules: set[str] = set()
    for name, p in params.items():
        if not p.requires_grad:
            continue
        module_path = name.rpartition(".")[0]
        modules.add(module_path)
        parent, _, module = module_path.rpartition(".")
        for sib in siblings.get(module, ()):
            modules.add(f"{parent}.{sib}" if parent else sib)
    return [name for name in params if name.rpartition(".")[0] in modules]


def iter_named_weights(model: Any, names: list[str]) -> Iterator[tuple[str, Any]]:
    """(checkpoint name, tensor) pairs for vLLM's loaders, without copies."""
    params = dict(model.named_parameters())
    for name in names:
        yield _checkpoint_name(name), params[name].detach()


def _checkpoint_name(name: str) -> str:
    """The checkpoint name of a parameter of a wrapped model (torch.compile, DDP)."""
    for prefix in ("_orig_mod.", "module."):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return name


def push_full_weights(llm: Any, model: Any, packed_modules_mapping: dict[str, list[str]] | None = None) -> int:
    """Load the trainer's changed weights into the running vLLM model in place; returns how many tensors."""
    names = weights_to_push(model, packed_modules_mapping)
    if not names:
        return 0
    weights = iter_named_weights(model, names)
    try:
        llm.collective_rpc("reload_weights", kwargs={"weights_iterator": weights, "is_checkpoint_format": True})
    except AttributeError as exc:
        if "reload_weights" not in str(exc):
            raise
        raise VLLMUnavailableError(
            "model.finetune = 'full' with rollout = 'vllm' needs a vLLM whose workers reload weights in place "
            "(reload_weights with a weights iterator; vLLM 0.25 and later have it): upgrade vLLM"
        ) from exc
    llm.apply_model(refresh_tied_head)
    return len(names)


def refresh_tied_head(vllm_model: Any) -> bool:
    """Redo the output head's post-load processing when it shares the embedding's weight (runs inside vLLM).

    A reload updates the shared weight through the embedding, but the head's own processed copy (vLLM's CPU
    build pre-packs it for its GEMM) is not rebuilt, so its logits would stay stale.
    """
    head = getattr(vllm_model, "lm_head", None)
    embed = getattr(getattr(vllm_model, "model", None), "embed_tokens", None)
    weight = getattr(head, "weight", None)
    if weight is None or weight is not getattr(embed, "weight", None):
        return False
    method = getattr(head, "quant_method", None)
    if method is not None and hasattr(method, "process_weights_after_loading"):
        method.process_weights_after_loading(head)
    return True
