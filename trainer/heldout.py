"""Held-out evaluation: generate one completion per prompt, score it with the reward, report accuracy."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import TrainConfig
from .data import PromptDataset
from .rewards import STATUSES, RewardScorer, make_samples
from .rollout.base import RolloutEngine, SamplingSettings


@dataclass
class EvalResult:
    """Accuracy (fraction of completions whose reward passed) and mean reward on a dataset."""

    accuracy: float
    reward_mean: float
    n: int
    statuses: dict[str, int]
    truncated_fraction: float
    elapsed: float
    examples: list[dict[str, Any]] = field(default_factory=list)

    def to_record(self, step: int) -> dict[str, Any]:
        """The eval.jsonl record."""
        return {
            "step": step,
            "accuracy": self.accuracy,
            "reward_mean": self.reward_mean,
            "n": self.n,
            "truncated_fraction": self.truncated_fraction,
            **{f"status/{k}": v for k, v in self.statuses.items()},
            "elapsed_s": self.elapsed,
        }


def evaluate(
    engine: RolloutEngine,
    dataset: PromptDataset,
    scorer: RewardScorer,
    max_new_tokens: int,
    temperature: float = 0.0,
    batch_size: int = 64,
    seed: int = 0,
    stop_token_ids: tuple[int, ...] = (),
    keep_examples: int = 0,
) -> EvalResult:
    """Accuracy of the engine's current model on `dataset` (greedy at temperature 0)."""
    start = time.perf_counter()
    examples = dataset.examples
    results, rewards, truncated = [], [], 0
    kept: list[dict[str, Any]] = []
    for s in range(0, len(examples), batch_size):
        chunk = examples[s : s + batch_size]
        settings = SamplingSettings(
            n=1,
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            seed=seed + s,
            stop_token_ids=tuple(stop_token_ids),
        )
        completions = engine.generate([e.prompt_ids for e in chunk], settings)
        scored = scorer.score(chunk, completions)
        results.extend(scored.results)
        rewards.extend(scored.rewards)
        truncated += sum(c.truncated for c in completions)
        if len(kept) < keep_examples:
            samples = make_samples(chunk, completions)
            for smp, r in zip(samples, scored.results):
                if len(kept) >= keep_examples:
                    break
                kept.append(
                    {
                        "prompt": smp.prompt,
                        "completion": smp.completion,
                        "answer": smp.answer,
                        "score": r.score,
                        "status": r.status.value,
                        "reason": r.reason,
                    }
                )
    n = len(results)
    counts = Counter(r.status.value for r in results)
    return EvalResult(
        accuracy=sum(r.passed for r in results) / n if n else 0.0,
        reward_mean=sum(rewards) / n if n else 0.0,
        n=n,
        statuses={s: counts.get(s, 0) for s in STATUSES},
        truncated_fraction=truncated / n if n else 0.0,
        elapsed=time.perf_counter() - start,
        examples=kept,
    )


def resolve_trained_weights(path: str | Path) -> tuple[Path, str]:
    """(folder, 'lora' | 'full') of trained weights given an adapter folder, a checkpoint or a run folder."""
    from .checkpoint import latest_checkpoint

    p = Path(path)
    if not p.is_dir():
        raise FileNotFoundError(f"--adapter: no folder at {p}")
    if (p / "adapter_config.json").is_file():
        return p, "lora"
    if (p / "config.json").is_file():
        return p, "full"
    if (p / "final").is_dir():
        return resolve_trained_weights(p / "final")
    found = latest_checkpoint(p)
    if found is not None:
        return resolve_trained_weights(found[1])
    raise FileNotFoundError(f"--adapter: {p} holds no adapter (adapter_config.json), model, or run checkpoints")


def evaluate_model(
    cfg: TrainConfig,
    adapter: str | Path | None = None,
    data: str | None = None,
    split: str | None = None,
    limit: int | None = None,
    show: int = 0,
) -> EvalResult:
    """Accuracy of cfg.model (plus an optional trained adapter or full model) on a dataset with cfg.reward."""
    from .data import build_prompt_dataset, check_rows, load_rows, resolve_data_path
    from .model_loading import load_base_model, load_tokenizer, resolve_device, resolve_dtype, resolve_model_path
    from .rewards import build_reward
    from .rollout.factory import make_engine
    from .runtime import quiet_transformers, setup_torch

    # the checks that need no torch come first, so a wrong path or a bad row is reported at once
    base_path = resolve_model_path(cfg.model.path)
    weights, kind = resolve_trained_weights(adapter) if adapter else (None, "")
    data_split = split or (cfg.data.eval_split if (data or cfg.data.eval) else cfg.data.train_split)
    source = resolve_data_path(data or cfg.data.eval or cfg.data.train, data_split)
    rows = load_rows(source, data_split, limit)
    check_rows(rows, cfg.data)
    reward = build_reward(cfg.reward)

    device = resolve_device(cfg.device)
    restore_torch = setup_torch(cfg.threads, cfg.deterministic, cfg.seed, device)
    quiet_transformers()
    scorer = engine = None
    try:
        dtype = resolve_dtype(cfg.model.dtype, device)
        tokenizer = load_tokenizer(cfg.model.tokenizer or (weights if kind == "full" else base_path))
        scorer = RewardScorer(cfg.reward, cfg.reward_workers, reward=reward)
        dataset = build_prompt_dataset(rows, cfg.data, tokenizer, cfg.generation.max_prompt_length, source)
        if kind == "full":
            model = load_base_model(cfg, weights, device, dtype)
        else:
            model = load_base_model(cfg, base_path, device, dtype)
            if kind == "lora":
                from peft import PeftModel

                model = PeftModel.from_pretrained(model, str(weights))
        model.eval()
        engine = make_engine(cfg, model, tokenizer)
        return evaluate(
            engine,
            dataset,
            scorer,
            cfg.generation.max_completion_length,
            temperature=cfg.eval.temperature,
            batch_size=cfg.eval.batch_size,
            seed=cfg.seed,
            stop_token_ids=tuple(cfg.generation.stop_token_ids),
            keep_examples=show,
        )
    finally:
        if scorer is not None:
            scorer.close()
        if engine is not None:
            engine.close()
        restore_torch()


def merge_eval_results(parts: Sequence[Any], tensor_parallel: int = 1) -> Any:
    """One EvalResult from the ranks' results on their shards (weighted by the number of prompts).

    With tensor_parallel > 1 only the first rank of each group counts (its group shares the shard).
    """
    parts = [p for i, p in enumerate(parts) if i % tensor_parallel == 0 and p is not None and p.n]
    n = sum(p.n for p in parts)
    if not n:
        return EvalResult(0.0, 0.0, 0, {}, 0.0, 0.0)
    statuses: dict[str, int] = {}
    for p in parts:
        for k, v in p.statuses.items():
            statuses[k] = statuses.get(k, 0) + v
    return EvalResult(
        sum(p.accuracy * p.n for p in parts) / n,
        sum(p.reward_mean * p.n for p in parts) / n,
        n,
        statuses,
        sum(p.truncated_fraction * p.n for p in parts) / n,
        max(p.elapsed for p in parts),
        [e for p in parts for e in p.examples],
    )
