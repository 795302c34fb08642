"""Run one episode: a policy (the model) and an environment take turns until it ends, then the reward."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..result import Result
from ..sample import Messages, Sample
from .environment import COMPLETED, ENVIRONMENT_ERROR, MAX_TURNS, MODEL_ERROR, RUNNING, Environment

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


class Rollout:
    """One episode played a turn at a time, for drivers that generate many episodes' turns in a batch.

    `messages` is the transcript so far (what to generate from), `add_turn(reply)` hands the
    model's turn to the environment, `done` says when to stop, and `finish()` scores it. The
    turn limit and the statuses are the same as `run_episode`'s.
    """

    def __init__(self, env: Environment, sample: Sample | dict[str, Any] | str):
        self.env = env
        self.sample = Sample.coerce(sample) if not isinstance(sample, str) else Sample("", prompt=sample)
        self.messages: Messages = list(env.reset(self.sample))
        self.tool_schemas = env.tool_schemas()
        self.turn_rewards: list[float | None] = []
        self.turns = 0
        self.status = RUNNING
        self.error = ""

    @property
    def done(self) -> bool:
        """Whether the episode is over (no more model turns are wanted)."""
        return self.status != RUNNING

    def add_turn(self, reply: str | dict[str, Any]) -> Messages:
        """Add the model's turn and return the environment's answer (the new messages)."""
        if self.done:
            raise RuntimeError(f"the episode is over ({self.status}); no more turns")
        try:
            message = assistant_message(reply)
        except TypeError as exc:
            self.fail(MODEL_ERROR, str(exc))
            return []
        self.turns += 1
        self.messages.append(message)
        try:
            step = self.env.step(self.messages)
        except Exception as exc:  # noqa: BLE001 - a broken environment ends this episode, not the run
            self.fail(ENVIRONMENT_ERROR, f"{type(exc).__name__}: {exc}")
            return []
        self.messages.extend(step.messages)
        self.turn_rewards.append(step.reward)
        if step.done:
            self.status = step.status if step.status not in ("", RUNNING) else COMPLETED
        elif self.turns >= self.env.max_turns:
            self.status = MAX_TURNS
        return list(step.messages)

    def fail(self, status: str, error: str) -> None:
        """End the episode because of something outside the environment (the model's server went away)."""
        self.status, self.error = status, error

    def finish(self) -> Episode:
        """The finished episode with its final reward (a running one counts as `max_turns`)."""
        if not self.done:
            self.status = MAX_TURNS
        result = self.env.score(self.messages, self.sample, self.status)
        return Episode(self.messages, self.status, self.turns, result, self.turn_rewards, self.error)


def run_episode(env: Environment, sample: Sample | dict[str, Any] | str, policy: Policy) -> Episode:
    """Play one episode of `env` on `sample` with `policy`, at most `env.max_turns` model turns.

    A policy that raises ends the episode with status `model_error`, a `step` that raises with
    `environment_error`; a tool that raises or hangs ends it with the status its step gives.
    """
    rollout = Rollout(env, sample)
    while not rollout.done:
        try:
            reply = policy(list(rollout.messages), rollout.tool_schemas)
        except Exception as exc:  # noqa: BLE001 - the episode ends with the reason, the caller's run goes on
            rollout.fail(MODEL_ERROR, f"{type(exc).__name__}: {exc}")
            break
        rollout.add_turn(reply)
    return rollout.finish()
