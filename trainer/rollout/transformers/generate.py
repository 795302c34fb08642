"""The transformers rollout engine: batched, left-padded `generate` on the trainer's own model."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from ..base import Completion, SamplingSettings


class TransformersEngine:
    """Samples completions with `model.generate`; shares the trainer's weights, so syncing is free."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        batch_size: int = 0,
        eos_token_ids: Sequence[int] | None = None,
    ):
        self.model = model
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.eos_token_ids, self.pad_token_id = stop_tokens(model, tokenizer, eos_token_ids)

    def generate(self, prompt_token_ids: Sequence[Sequence[int]], settings: SamplingSettings) -> list[Completion]:
        """`settings.n` completions per prompt, grouped by prompt in input order."""
        import torch

        stop = list(dict.fromkeys([*self.eos_token_ids, *settings.stop_token_ids]))
        if settings.prompt_seeds is not None and len(settings.prompt_seeds) != len(prompt_token_ids):
            raise ValueError(f"{len(settings.prompt_seeds)} prompt seeds for {len(prompt_token_ids)} prompts")
        expanded = [(i, list(p)) for i, p in enumerate(prompt_token_ids) for _ in range(settings.n)]
        row_seeds = None
        if settings.prompt_seeds is not None and settings.temperature > 0:
            row_seeds = [_row_seed(settings.prompt_seeds[i], k % settings.n) for k, (i, _) in enumerate(expanded)]
        size = self.batch_size or len(expanded)
        out: list[Completion] = []
        was_training = self.model.training
        self.model.eval()
        try:
            with _seeded(settings.seed, self._device()), torch.no_grad():
                for start in range(0, len(expanded), size):
                    seeds = row_seeds[start : start + size] if row_seeds is not None else None
                    out.extend(self._generate_batch(expanded[start : start + size], settings, stop, seeds))
        finally:
            self.model.train(was_training)
        return out

    def _device(self) -> Any:
        return next(self.model.parameters()).device

    def _generate_batch(
        self,
        items: list[tuple[int, list[int]]],
        settings: SamplingSettings,
        stop: list[int],
        row_seeds: list[int] | None = None,
    ) -> list[Completion]:
        import torch
        from transformers import GenerationConfig

        device = self._device()
        width = max(len(p) for _, p in items)
        ids = torch.full((len(items), width), self.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(items), width), dtype=torch.long)
        for row, (_, p) in enumerate(items):
            ids[row, width - len(p) :] = torch.tensor(p, dtype=torch.long)
            mask[row, width - len(p) :] = 1
        greedy = settings.temperature <= 0
        processors = None
        if row_seeds is not None and not greedy:
            # sampling with a generator per row (Gumbel-max over the warped logits, then argmax): a row's
            # tokens depend only on its prompt's seed, not on the batch, so data-parallel ranks reproduce a
            # single process's rollouts
            processors = [_row_seeded_sampler(row_seeds, settings, device)]
            greedy = True
        gen_cfg = GenerationConfig(
            max_new_tokens=settings.max_new_tokens,
            do_sample=not greedy,
            temperature=None if greedy else settings.temperature,
            top_p=None if greedy or settings.top_p >= 1.0 else settings.top_p,
            top_k=None if greedy or not settings.top_k else settings.top_k,
            eos_token_id=stop,
            pad_token_id=self.pad_token_id,
            use_cache=True,
            num_beams=1,
            repetition_penalty=1.0,
        )
        seqs = self.model.generate(
            input_ids=ids.to(device),
            attention_mask=mask.to(device),
            generation_config=gen_cfg,
            logits_processor=processors,
        )
        new_tokens = seqs[:, width:].tolist()
        stop_set = set(stop)
        out = []
        for (prompt_index, _), tokens in zip(items, new_tokens):
            finish = "length"
            for j, tok in enumerate(tokens):
                if tok in stop_set:
                    tokens = tokens[: j + 1]
                    finish = "stop"
                    break
            text = self.tokenizer.decode(tokens, skip_special_tokens=True)
            out.append(Completion(prompt_index, tokens, text, finish))
        return out

    def sync_weights(self, model: Any) -> None:
        """Nothing to do: generation runs on the trainer's model."""
        self.model = model

    def sleep(self) -> None:
        """Nothing to release."""

    def wake(self) -> None:
        """Nothing to re-acquire."""

    def close(self) -> None:
        """Drop the reference to the model."""
        self.model = None


def stop_tokens(model: Any, tokenizer: Any, eos_token_ids: Sequence[int] | None = None) -> tuple[list[int], int]:
    """The EOS ids completions stop at (given, or the tokenizer's and generation config's) and the pad id."""
    eos = list(eos_token_ids) if eos_token_ids is not None else _eos_ids(model, tokenizer)
    if not eos:
        raise ValueError("the tokenizer and model define no EOS token; completions could never stop")
    return eos, tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos[0]


def _eos_ids(model: Any, tokenizer: Any) -> list[int]:
    ids: list[int] = []
    gen_eos = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    for value in (tokenizer.eos_token_id, gen_eos):
        if value is None:
            continue
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if v not in ids:
                ids.append(int(v))
    return ids


def _row_seed(prompt_seed: int, copy: int) -> int:
    import hashlib

    digest = hashlib.sha256(f"{prompt_seed}:{copy}".encode()).digest()
    return int.from_bytes(digest[:8], "little") & ((1 << 63) - 1)


def _row_seeded_sampler(seeds: list[int], settings: SamplingSettings, device: Any) -> Any:
    """A logits processor that turns greedy decoding into sampling with one torch.Generator per row."""
    import torch
    from transformers import LogitsProcessor, TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    warpers: list[Any] = [TemperatureLogitsWarper(settings.temperature)]
    if settings.top_k:
        warpers.append(TopKLogitsWarper(settings.top_k))
    if settings.top_p < 1.0:
        warpers.append(TopPLogitsWarper(settings.top_p))
    generators = []
    for seed in seeds:
        g = torch.Generator(device=device)
        g.manual_seed(seed)
        generators.append(g)

    class RowSeededSampler(LogitsProcessor):
        def __call__(self, input_ids: Any, scores: Any) -> Any:
            for w in warpers:
                scores = w(input_ids, scores)
            logp = torch.log_softmax(scores.float(), dim=-1)
            u = torch.stack([torch.rand(scores.shape[-1], generator=g, device=scores.device) for g in generators])
            gumbel = -torch.log(-torch.log(u.clamp_(min=1e-20, max=1.0 - 1e-7)))
            return logp + gumbel

    return RowSeededSampler()


@contextlib.contextmanager
def _seeded(seed: int | None, device: Any):
    """Run with the global RNGs seeded to `seed`, restoring them afterwards (None: leave them alone)."""
    import torch

    if seed is None:
        yield
        return
    devices = [device] if getattr(device, "type", "cpu") == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield
