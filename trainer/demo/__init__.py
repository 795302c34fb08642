"""The bundled demo: a tiny character-level Llama model and its addition task, shipped as package data."""

from __future__ import annotations

from pathlib import Path

from .task import (
    DEMO_DESCRIPTION,
    DEMO_MAX_NEW_TOKENS,
    DEMO_PROMPT_TEMPLATE,
    DEMO_REWARD_SPEC,
    DEMO_TEMPERATURE,
    carry_free_sum,
    format_prompt,
    has_carry,
    make_splits,
    parse_prompt,
    sloppy_answer,
    write_splits,
)

ASSETS_DIR = Path(__file__).resolve().parent / "assets"


def demo_model_path() -> Path:
    """Folder of the bundled model and tokenizer (loadable with transformers' from_pretrained)."""
    return _existing(ASSETS_DIR / "model")


def demo_dataset_paths() -> dict[str, Path]:
    """JSONL files of the demo task: {'train': ..., 'eval': ...}, rows with 'prompt' and 'answer'."""
    return {split: _existing(ASSETS_DIR / f"{split}.jsonl") for split in ("train", "eval")}


def _existing(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(
            f"demo asset missing: {path} (the package was installed without its data; "
            "rebuild it with `python examples/demo/make_demo_model.py`)"
        )
    return path


__all__ = [
    "ASSETS_DIR",
    "DEMO_DESCRIPTION",
    "DEMO_MAX_NEW_TOKENS",
    "DEMO_PROMPT_TEMPLATE",
    "DEMO_REWARD_SPEC",
    "DEMO_TEMPERATURE",
    "carry_free_sum",
    "demo_dataset_paths",
    "demo_model_path",
    "format_prompt",
    "has_carry",
    "make_splits",
    "parse_prompt",
    "sloppy_answer",
    "write_splits",
]
