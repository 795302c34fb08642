"""The rollout interface: given prompts and sampling settings, return completions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class SamplingSettings:
    """How completions are sampled (mapped one to one onto each backend)."""

    n: int = 8
    max_new_tokens: int = 256
    temperature: float = 1.0
    top_p: float = 1.0
    top_k: int = 0
    seed: int | None = None
    stop_token_ids: tuple[int, ...] = ()
    # One seed per prompt (e.g. from the prompt's global position in the step): each prompt's completions
    # then do not depend on which other prompts share the call, the batch or the rank. None: `seed` alone.
    prompt_seeds: tuple[int, ...] | None = None


@dataclass
class Completion:
    """One sampled completion of one prompt."""

    prompt_index: int
    token_ids: list[int]
    text: str
    finish_reason: str  # "stop" (EOS or stop token) or "length" (hit max_new_tokens)
    logprobs: list[float] | None = None  # the sampler's log-prob of each token, when the backend gives them
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def truncated(self) -> bool:
        """True when the completion ran to max_new_tokens without stopping."""
        return self.finish_reason == "length"


@runtime_checkable
class RolloutEngine(Protocol):
    """A backend that samples completions: `rollout.transformers` (the trainer's own model) or `rollout.vllm`."""

    def generate(self, prompt_token_ids: Sequence[Sequence[int]], settings: SamplingSettings) -> list[Completion]:
        """`settings.n` completions for every prompt, grouped by prompt in input order."""
        ...

    def sync_weights(self, model: Any) -> None:
        """Make the engine sample from the trainer's current weights."""
        ...

    def sleep(self) -> None:
        """Release memory not needed while the trainer updates (no-op where unsupported)."""
        ...

    def wake(self) -> None:
        """Re-acquire what `sleep` released."""
        ...

    def close(self) -> None:
        """Free the engine."""
        ...
