"""The input of a verifier: a completion with its prompt, gold answer and metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Messages = list[dict[str, Any]]


def message_text(content: Any) -> str:
    """The text of a chat message's content (a string or a list of typed parts)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and part.get("type", "text") == "text":
                parts.append(str(part.get("text", "")))
        return "".join(parts)
    return str(content)


def completion_text(completion: str | Messages | None) -> str:
    """The text to verify: a plain string, or the assistant turns of a message list."""
    if completion is None:
        return ""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return message_text(completion.get("content"))
    if isinstance(completion, list):
        turns = [m for m in completion if isinstance(m, dict) and m.get("role", "assistant") == "assistant"]
        if not turns:
            turns = [m for m in completion if isinstance(m, dict)]
        return "\n".join(message_text(m.get("content")) for m in turns)
    raise TypeError(f"completion must be a string or a list of messages, not {type(completion).__name__}")


def split_transcript(messages: Messages) -> tuple[Messages, Messages]:
    """A transcript split into its context (every turn before the last assistant turn) and that last turn.

    The last turn comes back as a one-message list; a transcript with no assistant turn raises ValueError.
    """
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise ValueError("a transcript must be a list of message objects")
    last = max((i for i, m in enumerate(messages) if m.get("role") == "assistant"), default=-1)
    if last < 0:
        roles = ", ".join(sorted({str(m.get("role")) for m in messages})) or "none"
        raise ValueError(f"the transcript has no assistant turn to score (roles: {roles})")
    return messages[:last], [messages[last]]


@dataclass(slots=True)
class Sample:
    """One completion to verify, with the prompt, the gold answer and any metadata."""

    completion: str | Messages
    prompt: str | Messages | None = None
    answer: Any = None
    metadata: dict[str, Any] = field(default_factory=dict)
    # The whole transcript (tool calls and tool turns included) when the sample was read from one.
    messages: Messages | None = None
    _text: str | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        """The completion as plain text (assistant turns joined for message lists)."""
        if self._text is None:
            self._text = completion_text(self.completion)
        return self._text

    @property
    def prompt_text(self) -> str:
        """The prompt as plain text."""
        if self.prompt is None:
            return ""
        if isinstance(self.prompt, str):
            return self.prompt
        return "\n".join(message_text(m.get("content")) for m in self.prompt if isinstance(m, dict))

    @classmethod
    def coerce(cls, value: Sample | str | dict[str, Any]) -> Sample:
        """A Sample from a Sample, a completion string, or a row dict."""
        if isinstance(value, Sample):
            return value
        if isinstance(value, str):
            return cls(completion=value)
        if isinstance(value, dict):
            return cls.from_row(value)
        raise TypeError(f"cannot make a Sample from {type(value).__name__}")

    @classmethod
    def from_transcript(
        cls,
        messages: Messages,
        prompt: str | Messages | None = None,
        answer: Any = None,
        metadata: dict[str, Any] | None = None,
    ) -> Sample:
        """A Sample scored over a transcript: the last assistant turn is the completion, the rest the context.

        `prompt` defaults to the turns before the last assistant turn; `messages` keeps the whole transcript.
        Raises ValueError when the transcript has no assistant turn.
        """
        context, last = split_transcript(messages)
        return cls(
            completion=last,
            prompt=prompt if prompt is not None else context,
            answer=answer,
            metadata=dict(metadata or {}),
            messages=messages,
        )

    @classmethod
    def from_row(
        cls,
        row: dict[str, Any],
        completion_field: str = "completion",
        answer_field: str = "answer",
        prompt_field: str = "prompt",
        messages_field: str = "messages",
    ) -> Sample:
        """A Sample from a data row; other columns become metadata.

        A row with a list of messages and no completion is a transcript (see `from_transcript`).
        Raises KeyError naming the missing field when the row has no completion.
        """
        used = {completion_field, messages_field, answer_field, prompt_field}
        if completion_field in row:
            completion = row[completion_field]
        elif messages_field in row:
            completion = row[messages_field]
            if isinstance(completion, list):
                metadata = {k: v for k, v in row.items() if k not in used}
                return cls.from_transcript(completion, row.get(prompt_field), row.get(answer_field), metadata)
        else:
            raise KeyError(f"row has no '{completion_field}' or '{messages_field}' field")
        if completion is not None and not isinstance(completion, (str, list, dict)):
            raise TypeError(
                f"field '{completion_field}' must be a string or a list of messages, not {type(completion).__name__}"
            )
        metadata = {k: v for k, v in row.items() if k not in used}
        return cls(
            completion=completion if completion is not None else "",
            prompt=row.get(prompt_field),
            answer=row.get(answer_field),
            metadata=metadata,
        )
