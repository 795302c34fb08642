"""The demo task: adding two numbers below 100, written as plain text ("37+45=" -> "82")."""

from __future__ import annotations

import json
import random
from pathlib import Path

DEMO_PROMPT_TEMPLATE = "{prompt}"
"""The dataset's prompts are complete model inputs already; the template passes them through unchanged."""

DEMO_REWARD_SPEC = "exact_match"
"""The reward for the demo: the completion's number equals the gold sum (aha's built-in exact match)."""

DEMO_MAX_NEW_TOKENS = 8
"""Completions need at most 4 tokens (3 digits and EOS); 8 leaves room to see run-on answers as truncated."""

DEMO_TEMPERATURE = 1.0
"""Sampling temperature for rollouts: the model's own distribution, which holds the right answer often enough."""

DEMO_DESCRIPTION = (
    "Addition of two whole numbers from 0 to 99, prompt '37+45=' and answer '82'. The bundled model was "
    "pre-trained on labels from a sloppy teacher who forgets every carry 70 % of the time (37+45=72), so it "
    "gets sums without a carry right and prefers the carry-less answer otherwise. GRPO with an exact-match "
    "reward teaches it to carry."
)

OPERAND_MAX = 99
"""Operands run from 0 to OPERAND_MAX inclusive: 10,000 ordered pairs."""


def format_prompt(a: int, b: int) -> str:
    """The prompt text for a + b."""
    return f"{a}+{b}="


def parse_prompt(prompt: str) -> tuple[int, int]:
    """The two operands of a demo prompt; ValueError when the text is not of the form 'A+B='."""
    body = prompt.removesuffix("=")
    left, plus, right = body.partition("+")
    if not (prompt.endswith("=") and plus and left.isdigit() and right.isdigit()):
        raise ValueError(f"not a demo prompt of the form 'A+B=': {prompt!r}")
    return int(left), int(right)


def has_carry(a: int, b: int) -> bool:
    """Whether written addition of a and b carries in any column."""
    while a or b:
        if a % 10 + b % 10 >= 10:
            return True
        a, b = a // 10, b // 10
    return False


def carry_free_sum(a: int, b: int) -> int:
    """The sum written column by column with every carry forgotten (37+45 -> 72, 57+68 -> 15)."""
    total, place = 0, 1
    while a or b:
        total += (a % 10 + b % 10) % 10 * place
        a, b, place = a // 10, b // 10, place * 10
    return total


def sloppy_answer(a: int, b: int, rng: random.Random, forget_rate: float) -> str:
    """The sloppy teacher's label: the carry-free sum with probability forget_rate when a carry is due."""
    if has_carry(a, b) and rng.random() < forget_rate:
        return str(carry_free_sum(a, b))
    return str(a + b)


def make_splits(seed: int = 0, eval_size: int = 500) -> tuple[list[dict], list[dict]]:
    """Every pair (a, b) as a row {'prompt', 'answer'}, shuffled and split into disjoint train and eval lists."""
    pairs = [(a, b) for a in range(OPERAND_MAX + 1) for b in range(OPERAND_MAX + 1)]
    random.Random(seed).shuffle(pairs)
    rows = [{"prompt": format_prompt(a, b), "answer": str(a + b)} for a, b in pairs]
    return rows[eval_size:], rows[:eval_size]


def write_splits(folder: Path, seed: int = 0, eval_size: int = 500) -> dict[str, Path]:
    """Write train.jsonl and eval.jsonl into folder (byte-identical for the same seed); return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for split, rows in zip(("train", "eval"), make_splits(seed, eval_size)):
        paths[split] = folder / f"{split}.jsonl"
        with paths[split].open("w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(json.dumps({"prompt": r["prompt"], "answer": r["answer"]}) + "\n" for r in rows)
    return paths
