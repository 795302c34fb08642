"""What came before the answer: the prompt and the earlier turns of a chat, optionally only some roles."""

from __future__ import annotations

from collections.abc import Collection

from ..sample import Sample, message_text

ROLES = ("system", "user", "assistant", "tool", "developer")


def context_text(sample: Sample, roles: Collection[str] | None = None) -> str:
    """The prompt and any earlier turns, oldest first (the last assistant turn is the answer itself).

    `roles` keeps only messages of those roles; a prompt given as a plain string counts as a user turn.
    """
    messages: list[tuple[str, str]] = []
    prompt = sample.prompt
    if isinstance(prompt, str):
        messages.append(("user", prompt))
    elif isinstance(prompt, list):
        messages += [
            (str(m.get("role", "user")), message_text(m.get("content"))) for m in prompt if isinstance(m, dict)
        ]
    completion = sample.completion
    if isinstance(completion, list):
        turns = [m for m in completion if isinstance(m, dict)]
        # a chat given as the completion: everything before the last assistant turn is context
        last = max((i for i, m in enumerate(turns) if m.get("role", "assistant") == "assistant"), default=-1)
        messages += [(str(m.get("role", "assistant")), message_text(m.get("content"))) for m in turns[:last]]
    return "\n".join(text for role, text in messages if text and (roles is None or role in roles))
