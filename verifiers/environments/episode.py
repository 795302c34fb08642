"""Run one episode: a policy (the model) and an environment take turns until it ends, then the reward."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..result import Result
from ..sample import Messages, Sample
from .environment import COMPLETED, ENVIRONMENT_ERROR, MAX_TURNS, MODEL_ERROR, Environment

# The model: the transcript so far and the tool schemas in, its next turn out (text or an assistant message).
Policy = Callable[[Messages, list[dict[str, Any]]], "str | dict[str, Any]"]


@dataclass
class Episode:
    """A finished episode: the transcript, how it ended, the model turns taken and the rewards."""

    messages: Messages
    status: str
    turns: int
    result: Result
    turn_rewards: list[float | None] = field(default_factory=list)
    error: str = ""

    @property
    def reward(self) -> float:
        """The final reward's score."""
        return self.result.score

    def to_row(self, sample: Sample | None = None) -> dict[str, Any]:
        """A transcript row that `aha score` and `aha eval` read back (`messages`, `answer`, episode fields)."""
        row: dict[str, Any] = {"messages": self.messages}
        if sample is not None and sample.answer is not None:
            row["answer"] = sample.answer
        row.update({"episode_status": self.status, "turns": self.turns})
        if self.error:
            row["episode_error"] = self.error
        return row


def assistant_message(reply: str | dict[str, Any]) -> dict[str, Any]:
    """A policy's reply as an assistant message; raises TypeError for anything else."""
    if isinstance(reply, str):
        return {"role": "assistant", "content": reply}
    if isinstance(reply, dict):
        return {"role": "assistant", **{k: v for k, v in reply.items() if k != "role"}}
    raise TypeError(f"the policy returned {type(reply).__name__}, not a string or an assistant message")


def run_episode(env: Environment, sample: Sample | dict[str, Any] | str, policy: Policy) -> Episode:
    """Play one episode of `env` on `sample` with `policy`, at most `env.max_turns` model turns.

    A policy that raises ends the episode with status `model_error`, a `step` that raises with
    `environment_error`; a tool that raises or hangs ends it with the status its step gives.
    """
    sample = Sample.coerce(sample) if not isinstance(sample, str) else Sample("", prompt=sample)
    messages = list(env.reset(sample))
    schemas = env.tool_schemas()
    turn_rewards: list[float | None] = []
    status, error, turns = MAX_TURNS, "", 0
    while turns < env.max_turns:
        try:
            reply = assistant_message(policy(list(messages), schemas))
        except Exception as exc:  # noqa: BLE001 - the episode ends with the reason, the caller's run goes on
            status, error = MODEL_ERROR, f"{type(exc).__name__}: {exc}"
            break
        turns += 1
        messages.append(reply)
        try:
            step = env.step(messages)
        except Exception as exc:  # noqa: BLE001 - a broken environment ends this episode, not the run
            status, error = ENVIRONMENT_ERROR, f"{type(exc).__name__}: {exc}"
            break
        messages.extend(step.messages)
        turn_rewards.append(step.reward)
        if step.done:
            status = step.status if step.status else COMPLETED
            break
    result = env.score(messages, sample, status)
    return Episode(messages, status, turns, result, turn_rewards, error)
