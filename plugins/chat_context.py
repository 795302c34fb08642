"""What came before the answer: the prompt and the earlier turns of a chat, for the domain plugins."""

from __future__ import annotations

from verifiers import Sample
from verifiers.sample import message_text


def context_text(sample: Sample) -> str:
    """The prompt and any earlier turns, oldest first (the last assistant turn is the answer itself)."""
    parts = [sample.prompt_text]
    completion = sample.completion
    if isinstance(completion, list):
        turns = [m for m in completion if isinstance(m, dict)]
        # a chat given as the completion: everything before the last assistant turn is context
        last = max((i for i, m in enumerate(turns) if m.get("role", "assistant") == "assistant"), default=-1)
        parts += [message_text(m.get("content")) for m in turns[:last]]
    return "\n".join(p for p in parts if p)
