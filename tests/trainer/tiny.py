"""Tiny random models, tokenizers and datasets for the trainer's tests (built in a temporary folder)."""

from __future__ import annotations

import json
import random
from pathlib import Path

CHARS = "0123456789+= "
SPECIALS = ["<pad>", "<eos>", "<unk>"]


def make_tokenizer(path: Path, chat_template: str | None = None):
    """A character-level fast tokenizer (pad 0, eos 1, unk 2), with an optional chat template, saved to `path`."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {t: i for i, t in enumerate(SPECIALS + list(CHARS))}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    tok.decoder = decoders.Fuse()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>", unk_token="<unk>")
    if chat_template is not None:
        fast.chat_template = chat_template
    fast.save_pretrained(str(path))
    return fast


def make_model(
    path: Path,
    seed: int = 0,
    arch: str = "llama",
    tie: bool = False,
    max_positions: int = 64,
    chat_template: str | None = None,
) -> Path:
    """A 2-layer random causal LM (Llama or Qwen2 shaped) with the character tokenizer, saved to `path`."""
    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

    path.mkdir(parents=True, exist_ok=True)
    make_tokenizer(path, chat_template)
    common = dict(
        vocab_size=len(SPECIALS) + len(CHARS),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=max_positions,
        tie_word_embeddings=tie,
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=None,
    )
    torch.manual_seed(seed)
    if arch == "qwen2":
        model = Qwen2ForCausalLM(Qwen2Config(**common))
    else:
        model = LlamaForCausalLM(LlamaConfig(**common))
    model.generation_config = GenerationConfig(eos_token_id=1, pad_token_id=0, bos_token_id=None)
    model.save_pretrained(str(path))
    return path


def make_addition_data(path: Path, n: int, seed: int = 0) -> Path:
    """A JSONL file of 'a+b=' prompts with their sums as answers."""
    rng = random.Random(seed)
    with path.open("w") as fh:
        for _ in range(n):
            a, b = rng.randrange(10), rng.randrange(10)
            fh.write(json.dumps({"prompt": f"{a}+{b}=", "answer": str(a + b), "level": "easy"}) + "\n")
    return path


# A reward with signal on a random model: exact match (rarely right) plus "starts with a digit" (often).
TEST_REWARD = {
    "combine": "sum",
    "terms": [
        {"verifier": "exact_match"},
        {"verifier": "regex_match", "name": "digit_first", "weight": 0.5, "params": {"pattern": "^[0-9]"}},
    ],
}


def tiny_config(model_dir: Path, data: Path, out: Path, **overrides):
    """A TrainConfig for a few fast steps on the tiny model."""
    from trainer.config import from_dict

    base = {
        "model": {"path": str(model_dir), "dtype": "float32"},
        "lora": {"r": 4, "alpha": 8.0},
        "data": {"train": str(data), "eval": str(data), "max_eval_samples": 8},
        "reward": TEST_REWARD,
        "generation": {
            "num_generations": 4,
            "prompts_per_step": 2,
            "max_completion_length": 5,
            "max_prompt_length": 16,
        },
        "optim": {"learning_rate": 5e-2, "micro_batch_size": 4},
        "log": {"progress": False, "samples_every": 1, "plot_every": 2},
        "checkpoint": {"every": 2, "keep_last": 0},
        "eval": {"batch_size": 8},
        "max_steps": 3,
        "threads": 1,
        "output_dir": str(out),
        "kernels": "torch",
    }
    for key, value in overrides.items():
        section, _, name = key.rpartition("__")
        if section:
            base.setdefault(section, {})[name] = value
        else:
            base[name] = value
    return from_dict(base).validate()
