"""What came before the answer: the prompt and the earlier turns of a chat, for the domain plugins.

The reader lives in `verifiers.rules.turns` so that rule packs can use it too; this module keeps the
plugins' import path and adds the question alone.
"""

from __future__ import annotations

from verifiers import Sample
from verifiers.rules.turns import context_text

__all__ = ["context_text", "question_text"]


def question_text(sample: Sample) -> str:
    """The latest user turn before the answer, i.e. the question being answered ("" when there is none)."""
    if isinstance(sample.prompt, str):
        return sample.prompt
    turns = [m for m in sample.prompt or [] if isinstance(m, dict)] if isinstance(sample.prompt, list) else []
    users = [m for m in turns if m.get("role", "user") == "user"]
    return context_text(Sample(completion="", prompt=users[-1:])) if users else ""
