"""The Environment API: `reset(sample)` gives the first messages, `step(messages)` answers the model's turn."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..base import Verifier
from ..result import Result, Status
from ..sample import Messages, Sample
from .tool_calls import CLOSE_TAG, OPEN_TAG, parse_tool_calls
from .tools import OK, TIMEOUT, TOOL_ERROR, UNKNOWN_TOOL, Tool, as_tools

# How an episode ended (`running` while it goes on).
RUNNING = "running"
COMPLETED = "completed"
MAX_TURNS = "max_turns"
MODEL_ERROR = "model_error"
ENVIRONMENT_ERROR = "environment_error"
PARSE_ERROR = "parse_error"
# Statuses that end an episode early because something other than the model's answer went wrong.
FAILED_STATUSES = frozenset({TOOL_ERROR, TIMEOUT, MODEL_ERROR, ENVIRONMENT_ERROR})

RewardSpec = Verifier | str | Path | dict[str, Any]


@dataclass
class Step:
    """What the environment says after a model turn: new messages, whether the episode is over, and why.

    Unpacks as `(messages, done)`; `reward` is an optional per-turn reward.
    """

    messages: Messages
    done: bool
    status: str = RUNNING
    reward: float | None = None

    def __iter__(self) -> Iterator[Any]:
        return iter((self.messages, self.done))


class Environment:
    """Base class of a multi-turn environment.

    Subclasses set `name` and a one-line docstring, and implement `reset` and `step`; the final
    reward comes from an aha reward spec (`reward=` or the class's `reward_spec`) over the
    whole transcript: its last assistant turn is the completion, the turns before it the context.
    """

    name: ClassVar[str] = "environment"
    reward_spec: ClassVar[RewardSpec | None] = None
    default_max_turns: ClassVar[int] = 8

    def __init__(self, reward: RewardSpec | None = None, max_turns: int | None = None):
        if max_turns is not None and max_turns < 1:
            raise ValueError(f"max_turns must be at least 1, not {max_turns}")
        self.max_turns = max_turns or self.default_max_turns
        self._reward_spec = reward if reward is not None else self.reward_spec
        self._reward: Verifier | None = None

    # -- the episode -------------------------------------------------------------------
    def reset(self, sample: Sample) -> Messages:
        """The first messages of an episode for this sample; subclasses implement this."""
        raise NotImplementedError(f"{type(self).__name__} must implement reset()")

    def step(self, messages: Messages) -> Step:
        """Answer the transcript's last (assistant) turn; subclasses implement this."""
        raise NotImplementedError(f"{type(self).__name__} must implement step()")

    def tool_schemas(self) -> list[dict[str, Any]]:
        """The OpenAI schemas of the tools the model may call (none by default)."""
        return []

    # -- the reward --------------------------------------------------------------------
    @property
    def reward(self) -> Verifier | None:
        """The verifier of the final reward (built from the spec on first use), or None."""
        if self._reward is None and self._reward_spec is not None:
            from ..spec import load_reward

            self._reward = load_reward(self._reward_spec)
        return self._reward

    def score(self, messages: Messages, sample: Sample | None = None, status: str = COMPLETED) -> Result:
        """The final reward of a transcript, with the episode's status in the result's details."""
        reward = self.reward
        if reward is None:
            return Result(0.0, Status.UNVERIFIABLE, f"environment '{self.name}' has no reward spec", verifier=self.name)
        try:
            scored = Sample.from_transcript(
                messages,
                answer=sample.answer if sample is not None else None,
                metadata=sample.metadata if sample is not None else None,
            )
        except ValueError as exc:
            return Result(0.0, Status.ERROR, f"episode ended with {status}: {exc}", {"episode_status": status})
        result = reward(scored)
        result.details = {**result.details, "episode_status": status}
        if status in FAILED_STATUSES:
            result.reason = f"episode ended with {status}; {result.reason}"
        return result


def prompt_messages(sample: Sample, system: str | None = None) -> Messages:
    """A sample's prompt as chat messages (a string becomes one user turn), after an optional system message."""
    out: Messages = [{"role": "system", "content": system}] if system else []
    prompt = sample.prompt
    if isinstance(prompt, list):
        out += [dict(m) for m in prompt]
    elif prompt is not None:
        out.append({"role": "user", "content": str(prompt)})
    return out


def tools_prompt(schemas: list[dict[str, Any]]) -> str:
    """A system-prompt text that lists the tools and the `<tool_call>` format (for models without a tool template)."""
    lines = [
        "You may call these tools. To call one, write",
        f'{OPEN_TAG}{{"name": <tool name>, "arguments": <arguments object>}}{CLOSE_TAG}',
        "and wait for its result. Answer without a tool call when you are done. Tools:",
    ]
    lines += [json.dumps(s["function"], ensure_ascii=False) for s in schemas]
    return "\n".join(lines)


class ToolEnvironment(Environment):
    """An environment whose steps run the tools the model calls; the episode ends when it calls none.

    A tool call that cannot be read, names an unknown tool or has bad arguments is answered with an
    error message the model can act on. A tool that raises or overruns `tool_timeout` seconds ends
    the episode (status `tool_error` or `timeout`, also written in the tool message), unless
    `on_tool_error="feedback"`, which hands the error back to the model instead.
    """

    name: ClassVar[str] = "tools"
    default_tools: ClassVar[tuple[Callable[..., Any] | Tool, ...]] = ()
    system_prompt: ClassVar[str | None] = None

    def __init__(
        self,
        tools: list[Callable[..., Any] | Tool] | None = None,
        reward: RewardSpec | None = None,
        max_turns: int | None = None,
        tool_timeout: float | None = 10.0,
        on_tool_error: str = "end",
        tools_in_prompt: bool = False,
        system: str | None = None,
    ):
        super().__init__(reward=reward, max_turns=max_turns)
        if on_tool_error not in ("end", "feedback"):
            raise ValueError(f"on_tool_error must be 'end' or 'feedback', not {on_tool_error!r}")
        if tool_timeout is not None and tool_timeout <= 0:
            raise ValueError(f"tool_timeout must be positive, not {tool_timeout}")
        self.tools = as_tools(tools if tools is not None else self.default_tools)
        self.tool_timeout = tool_timeout
        self.on_tool_error = on_tool_error
        self.tools_in_prompt = tools_in_prompt
        self.system = system if system is not None else self.system_prompt

    def tool_schemas(self) -> list[dict[str, Any]]:
        """The OpenAI schemas of this environment's tools."""
        return [t.schema for t in self.tools.values()]

    def reset(self, sample: Sample) -> Messages:
        """The sample's prompt, after the system prompt (and the tool list when `tools_in_prompt`)."""
        parts = [p for p in (self.system, tools_prompt(self.tool_schemas()) if self.tools_in_prompt else None) if p]
        return prompt_messages(sample, "\n\n".join(parts) or None)

    def step(self, messages: Messages) -> Step:
        """Run the calls of the last assistant turn; no call ends the episode (`completed`)."""
        if not messages or messages[-1].get("role") != "assistant":
            raise ValueError("step() needs a transcript that ends with an assistant turn")
        parsed = parse_tool_calls(messages[-1], id_prefix=f"call_{len(messages)}")
        if not parsed.calls and not parsed.errors:
            return Step([], True, COMPLETED)
        out: Messages = [
            {"role": "tool", "name": "", "content": f"error: cannot read tool call: {e}", "status": PARSE_ERROR}
            for e in parsed.errors
        ]
        for call in parsed.calls:
            t = self.tools.get(call.name)
            if t is None:
                known = ", ".join(self.tools) or "none"
                content = f"error: no tool named '{call.name}' (tools: {known})"
                out.append(_tool_message(call.id, call.name, content, UNKNOWN_TOOL))
                continue
            outcome = t.run(call.arguments, timeout=t.timeout if t.timeout is not None else self.tool_timeout)
            out.append(_tool_message(call.id, call.name, outcome.content, outcome.status))
            if outcome.status in (TOOL_ERROR, TIMEOUT) and self.on_tool_error == "end":
                return Step(out, True, outcome.status)
        return Step(out, False, RUNNING)


def _tool_message(call_id: str, name: str, content: str, status: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "tool", "tool_call_id": call_id, "name": name, "content": content}
    if status != OK:
        message["status"] = status
    return message
