"""Environments across aha and TRL: an aha Environment as TRL's `environment_factory`, and the reverse.

TRL's GRPOTrainer (`environment_factory=`) calls the factory with no arguments, then on each rollout
`reset(**row)` (a returned string is appended to the last user message), and offers every public
method of the instance's class as a tool, its schema read from the method's signature and
Google-style docstring; a tool that raises is answered with `{"error": ...}`. An optional
`get_reward()` (no arguments) scores the rollout from the environment's state.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..result import Result, Status
from ..sample import Messages, Sample, message_text
from .environment import COMPLETED, RewardSpec, ToolEnvironment
from .tools import OK, TIMEOUT, TOOL_ERROR, Tool

# Names TRL treats specially on an environment instance: not tools.
TRL_RESERVED = ("reset", "get_reward")


# -- aha -> TRL ------------------------------------------------------------------------------
class TRLEnvironmentAdapter:
    """Base of the classes `to_trl` builds: an aha ToolEnvironment behind TRL's environment contract."""

    def __init__(self, env: ToolEnvironment):
        self._env = env
        self._sample: Sample | None = None
        self._status = COMPLETED
        self._first: Messages = []

    def reset(self, **row: Any) -> str | None:
        """Start a rollout on a dataset row; returns the environment's first user text when the row has no prompt."""
        used = ("prompt", "answer")
        self._sample = Sample("", row.get("prompt"), row.get("answer"), {k: v for k, v in row.items() if k not in used})
        self._status = COMPLETED
        self._first = list(self._env.reset(self._sample))
        if row.get("prompt") is not None:
            return None
        text = "\n\n".join(message_text(m.get("content")) for m in self._first if m.get("role") == "user")
        return text or None

    def _call_tool(self, name: str, arguments: dict[str, Any]) -> str:
        """Run one of the environment's tools; a failure raises (TRL answers it with an error) and is remembered."""
        t = self._env.tools[name]
        outcome = t.run(arguments, timeout=t.timeout if t.timeout is not None else self._env.tool_timeout)
        if outcome.status != OK:
            if outcome.status in (TOOL_ERROR, TIMEOUT) and self._status == COMPLETED:
                self._status = outcome.status
            raise RuntimeError(outcome.content)
        return outcome.content

    def _score(self, transcript: Messages) -> Result:
        return self._env.score(transcript, self._sample, self._status)


def _tool_method(t: Tool) -> Callable[..., str]:
    """A method named and typed like the tool, so TRL's schema reader sees the tool's own signature."""

    def method(self: TRLEnvironmentAdapter, **kwargs: Any) -> str:
        return self._call_tool(t.name, kwargs)

    sig = inspect.signature(t.func)
    params = [p for p in sig.parameters.values() if p.name != "self"]
    self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    method.__signature__ = sig.replace(parameters=[self_param, *params], return_annotation=str)  # type: ignore[attr-defined]
    hints = {k: v for k, v in typing.get_type_hints(t.func).items() if k != "return"}
    method.__annotations__ = {**hints, "return": str}
    method.__name__ = method.__qualname__ = t.name
    method.__doc__ = _google_docstring(t)
    return method


def _google_docstring(t: Tool) -> str:
    """A Google-style docstring from the tool's schema: transformers needs one with every argument described."""
    lines = [t.description or f"The {t.name} tool."]
    props = t.parameters["properties"]
    if props:
        lines += ["", "Args:"]
        lines += [f"    {name}: {prop.get('description') or f'The {name} argument.'}" for name, prop in props.items()]
    return "\n".join(lines)


@dataclass
class TRLBinding:
    """What to hand TRL's GRPOTrainer: `environment_factory=` and a reward function for `reward_funcs=`."""

    environment_factory: Callable[[], TRLEnvironmentAdapter]
    reward_func: Callable[..., list[float | None]]


def to_trl(env: str | Callable[[], ToolEnvironment], **params: Any) -> TRLBinding:
    """An aha ToolEnvironment (a registered name or a factory) for TRL, with its reward as a TRL reward function.

    The reward function scores each rollout's transcript (prompt + completion messages) with the
    environment's reward spec; a rollout whose tool raised or hung carries that status.
    """
    make = _env_maker(env, params)
    probe = make()
    if not isinstance(probe, ToolEnvironment):
        raise TypeError(f"to_trl needs a ToolEnvironment, got {type(probe).__name__}")
    clash = [n for n in probe.tools if n in TRL_RESERVED or n.startswith("_")]
    if clash:
        raise ValueError(f"tool name(s) {', '.join(clash)} cannot be TRL tools (reserved or private)")
    methods = {t.name: _tool_method(t) for t in probe.tools.values()}
    cls = type(f"{type(probe).__name__}ForTRL", (TRLEnvironmentAdapter,), methods)
    pool = [probe]

    def environment_factory() -> TRLEnvironmentAdapter:
        return cls(pool.pop() if pool else make())

    def reward_func(prompts: list[Any], completions: list[Any], **kwargs: Any) -> list[float | None]:
        environments = kwargs.get("environments") or [None] * len(completions)
        out: list[float | None] = []
        results: list[Result | None] = []
        for prompt, completion, adapter in zip(prompts, completions, environments, strict=True):
            if not isinstance(adapter, TRLEnvironmentAdapter):
                out.append(None)  # another environment's rollout: TRL leaves this reward out
                results.append(None)
                continue
            result = adapter._score(_as_messages(prompt, "user") + _as_messages(completion, "assistant"))
            out.append(result.score)
            results.append(result)
        reward_func.last_results = results  # type: ignore[attr-defined]
        return out

    reward_func.__name__ = f"aha_{probe.name}"
    return TRLBinding(environment_factory, reward_func)


def _env_maker(env: str | Callable[[], ToolEnvironment], params: dict[str, Any]) -> Callable[[], Any]:
    if isinstance(env, str):
        from ..registry import get_registry

        registry = get_registry()
        registry.environment_info(env)  # an unknown name fails here, naming the known ones
        return lambda: registry.create_environment(env, **params)
    return lambda: env(**params)


def _as_messages(value: Any, role: str) -> Messages:
    if isinstance(value, list):
        return [dict(m) for m in value if isinstance(m, dict)]
    if isinstance(value, dict):
        return [dict(value)]
    return [{"role": role, "content": "" if value is None else str(value)}]


# -- TRL -> aha ------------------------------------------------------------------------------
class TRLEnvironment(ToolEnvironment):
    """A TRL-style environment (reset(**row), public methods as tools, optional get_reward()) as an aha Environment.

    The final reward is the aha reward spec when one is given, otherwise the instance's `get_reward()`.
    """

    name = "trl"

    def __init__(
        self,
        factory: Callable[[], Any],
        reward: RewardSpec | None = None,
        max_turns: int | None = None,
        tool_timeout: float | None = 10.0,
        on_tool_error: str = "end",
        tools_in_prompt: bool = False,
        system: str | None = None,
    ):
        self.instance = factory()
        reset = getattr(type(self.instance), "reset", None)
        if not callable(reset):
            raise TypeError(f"{type(self.instance).__name__} has no reset(); TRL environments need one")
        tools = [
            Tool(getattr(self.instance, n))
            for n, _ in inspect.getmembers(type(self.instance), predicate=inspect.isfunction)
            if n not in TRL_RESERVED and not n.startswith("_")
        ]
        super().__init__(tools, reward, max_turns, tool_timeout, on_tool_error, tools_in_prompt, system)
        self.name = type(self.instance).__name__  # type: ignore[misc]

    def reset(self, sample: Sample) -> Messages:
        """The sample's prompt with the instance's reset() observation appended to the last user turn."""
        row = {**sample.metadata, "prompt": sample.prompt, "answer": sample.answer}
        observation = self.instance.reset(**row)
        messages = super().reset(sample)
        if observation is None:
            return messages
        text = observation if isinstance(observation, str) else message_text(observation)
        users = [i for i, m in enumerate(messages) if m.get("role") == "user"]
        if not users:
            return [*messages, {"role": "user", "content": text}]
        last = messages[users[-1]]
        messages[users[-1]] = {**last, "content": message_text(last.get("content")) + text}
        return messages

    def score(self, messages: Messages, sample: Sample | None = None, status: str = COMPLETED) -> Result:
        """The aha reward spec's result, or the instance's get_reward() when no spec is given."""
        get_reward = getattr(self.instance, "get_reward", None)
        if self._reward_spec is not None or not callable(get_reward):
            return super().score(messages, sample, status)
        try:
            value = float(get_reward())
        except Exception as exc:  # noqa: BLE001 - reported as the episode's result
            return Result(0.0, Status.ERROR, f"get_reward() raised {type(exc).__name__}: {exc}", verifier=self.name)
        if value != value:
            return Result(0.0, Status.ERROR, "get_reward() returned NaN", verifier=self.name)
        state = Status.PASSED if value > 0 else Status.FAILED
        return Result(value, state, f"get_reward() returned {value:g}", {"episode_status": status}, self.name)
