"""Loading the policy: transformers + peft, LoRA or full fine-tuning, bitsandbytes quantisation on CUDA."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import DEMO, ConfigError, TrainConfig


@dataclass
class LoadedModel:
    """The policy being trained, its tokenizer, and a frozen reference where one is needed."""

    model: Any
    tokenizer: Any
    reference: Any | None
    device: Any
    dtype: Any
    is_peft: bool

    def trainable_parameters(self) -> list[Any]:
        """Parameters the optimiser updates, in a fixed order."""
        return [p for p in self.model.parameters() if p.requires_grad]


def resolve_model_path(path: str) -> Path:
    """A local model folder ('demo' maps to the bundled model); never a hub download."""
    if path == DEMO:
        from .demo import demo_model_path

        try:
            return Path(demo_model_path())
        except FileNotFoundError as exc:
            raise ConfigError(f"model.path = 'demo': {exc}") from None
    p = Path(path).expanduser()
    if not p.is_dir():
        raise ConfigError(
            f"model.path: no model folder at {p} (aha loads local folders only and never downloads; "
            "give a folder with config.json and weights, or 'demo')"
        )
    if not (p / "config.json").is_file():
        raise ConfigError(f"model.path: {p} has no config.json (is it a transformers model folder?)")
    return p


def resolve_device(name: str) -> Any:
    """The torch device for a config's `device` option."""
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"device: {name!r} was asked for but CUDA is not available (use 'cpu' or 'auto')")
    return torch.device(name)


def resolve_dtype(name: str, device: Any) -> Any:
    """The torch dtype for a config's `model.dtype` option on this device."""
    import torch

    if name == "auto":
        if device.type == "cuda" and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return torch.float32
    return {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[name]


def check_quantization(quantization: str, device: Any) -> None:
    """Raise ConfigError when bitsandbytes quantisation cannot run here."""
    if quantization == "none":
        return
    if importlib.util.find_spec("bitsandbytes") is None:
        raise ConfigError(
            f"model.quantization = {quantization!r} needs bitsandbytes, which is not installed "
            "(pip install 'aha[quant]'), or set model.quantization = 'none'"
        )
    if device.type != "cuda":
        raise ConfigError(
            f"model.quantization = {quantization!r} needs a CUDA GPU (bitsandbytes quantised training does "
            f"not run on {device.type}); set model.quantization = 'none'"
        )


def load_tokenizer(path: str | Path) -> Any:
    """The tokenizer from a local folder, with a pad token (EOS when it has none)."""
    from transformers import AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    except Exception as exc:  # noqa: BLE001 - report any loader failure with the folder
        raise ConfigError(f"model.tokenizer: cannot load a tokenizer from {path}: {exc}") from None
    if tok.pad_token_id is None:
        if tok.eos_token_id is None:
            raise ConfigError(f"model.tokenizer: the tokenizer at {path} has neither a pad nor an EOS token")
        tok.pad_token = tok.eos_token
    return tok


def quantization_config(quantization: str, dtype: Any) -> Any:
    """The transformers BitsAndBytesConfig for 'nf4' or 'int8'."""
    from transformers import BitsAndBytesConfig

    if quantization == "nf4":
        return BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_compute_dtype=dtype,
            bnb_4bit_use_double_quant=True,
        )
    return BitsAndBytesConfig(load_in_8bit=True)


def load_base_model(cfg: TrainConfig, path: str | Path, device: Any, dtype: Any) -> Any:
    """The transformers causal LM from a local folder, on `device`, quantised when asked."""
    from transformers import AutoModelForCausalLM

    kwargs: dict[str, Any] = {
        "dtype": dtype,
        "local_files_only": True,
        "trust_remote_code": cfg.model.trust_remote_code,
    }
    if cfg.model.attn_implementation:
        kwargs["attn_implementation"] = cfg.model.attn_implementation
    if cfg.model.quantization != "none":
        kwargs["quantization_config"] = quantization_config(cfg.model.quantization, dtype)
    if cfg.model.quantization != "none" or device.type == "cuda":
        kwargs["device_map"] = {"": device}  # load straight onto the GPU
    try:
        model = AutoModelForCausalLM.from_pretrained(str(path), **kwargs)
    except Exception as exc:  # noqa: BLE001
        raise ConfigError(f"model.path: cannot load a causal LM from {path}: {type(exc).__name__}: {exc}") from None
    if "device_map" not in kwargs:
        model.to(device)
    model.config.use_cache = False
    return model


def lora_config(cfg: TrainConfig) -> Any:
    """The peft LoraConfig for the config's [lora] section."""
    from peft import LoraConfig

    target = cfg.lora.target_modules
    return LoraConfig(
        r=cfg.lora.r,
        lora_alpha=cfg.lora.alpha,
        lora_dropout=cfg.lora.dropout,
        target_modules=target if target == "all-linear" else ([target] if isinstance(target, str) else list(target)),
        use_rslora=cfg.lora.use_rslora,
        bias="none",
        task_type="CAUSAL_LM",
    )


def load_policy(cfg: TrainConfig, device: Any, checkpoint_dir: str | Path | None = None) -> LoadedModel:
    """The model to train (fresh, or with the weights of a checkpoint), its tokenizer and reference.

    LoRA: the reference is the same model with the adapter disabled, so none is kept. Full fine-tuning:
    a frozen copy is kept only when grpo.beta > 0.
    """
    import copy

    check_quantization(cfg.model.quantization, device)
    path = resolve_model_path(cfg.model.path)
    dtype = resolve_dtype(cfg.model.dtype, device)
    tokenizer = load_tokenizer(cfg.model.tokenizer or path)
    full = cfg.model.finetune == "full"
    reference = None
    if full and checkpoint_dir is not None:
        model = load_base_model(cfg, checkpoint_dir, device, dtype)
        if cfg.grpo.beta > 0:
            reference = load_base_model(cfg, path, device, dtype)
    else:
        model = load_base_model(cfg, path, device, dtype)
        if full and cfg.grpo.beta > 0:
            reference = copy.deepcopy(model)
    if reference is not None:
        reference.eval().requires_grad_(False)
    if cfg.model.gradient_checkpointing:
        kwargs = {"use_reentrant": False}
        if hasattr(model, "activation_checkpointing_enable"):  # the name since transformers 5.20
            model.activation_checkpointing_enable(activation_checkpointing_kwargs=kwargs)
        else:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=kwargs)
    if full:
        model.requires_grad_(True)
        return LoadedModel(model, tokenizer, reference, device, dtype, is_peft=False)
    from peft import PeftModel, get_peft_model

    model.requires_grad_(False)
    if checkpoint_dir is not None:
        model = PeftModel.from_pretrained(model, str(checkpoint_dir), is_trainable=True)
    else:
        try:
            model = get_peft_model(model, lora_config(cfg))
        except ValueError as exc:
            raise ConfigError(f"lora.target_modules: {exc}") from None
    _check_head_not_adapted(model)
    return LoadedModel(model, tokenizer, None, device, dtype, is_peft=True)


def _check_head_not_adapted(model: Any) -> None:
    head = model.get_base_model().get_output_embeddings()
    if head is not None and hasattr(head, "lora_A"):
        raise ConfigError(
            "lora.target_modules: the output head must not get an adapter (log-probs are computed from its "
            "plain weight); leave it out of the list"
        )


def save_trainable(loaded: LoadedModel, directory: str | Path) -> None:
    """Write the trained weights: the adapter in peft's format, or the full model; plus the tokenizer."""
    directory = Path(directory)
    loaded.model.save_pretrained(str(directory), safe_serialization=True)
    loaded.tokenizer.save_pretrained(str(directory))
