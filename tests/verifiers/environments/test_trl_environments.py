"""Environments across aha and TRL: an aha environment driven the way TRL's GRPOTrainer drives one, and back."""

from __future__ import annotations

import inspect
import threading

import pytest
from transformers.utils import get_json_schema

from verifiers import Sample, Status
from verifiers.environments import (
    COMPLETED,
    TOOL_ERROR,
    ToolEnvironment,
    TRLEnvironment,
    format_tool_call,
    run_episode,
    to_trl,
)


def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: The first number.
        b: The second number.
    """
    return a + b


def fail(x: int) -> int:
    """Always fails.

    Args:
        x: Anything.
    """
    raise ValueError("no")


class Arithmetic(ToolEnvironment):
    """Sums with an add tool."""

    name = "arithmetic"
    default_tools = (add, fail)
    reward_spec = "exact_match"
    system_prompt = "Use the tools."


def fake_trl_rollouts(environment_factory, reward_func, rows, model_turns):
    """Drive environments the way TRL 1.16's GRPOTrainer does (probe, reset(**row), tools, reward functions)."""
    probe = environment_factory()
    members = dict(inspect.getmembers(type(probe), predicate=inspect.isfunction))
    assert "reset" in members
    schemas = [
        get_json_schema(getattr(probe, n))
        for n in members
        if n not in ("reset", "get_reward") and not n.startswith("_")
    ]
    envs = [probe] + [environment_factory() for _ in rows[1:]]
    prompts, completions = [], []
    for env, row, turns in zip(envs, rows, model_turns, strict=True):
        prompt = [dict(m) for m in row["prompt"]]
        observation = env.reset(**row)
        if observation is not None:
            prompt[-1] = {**prompt[-1], "content": prompt[-1]["content"] + observation}
        tools = {n: getattr(env, n) for n in members if n not in ("reset", "get_reward") and not n.startswith("_")}
        completion = []
        for turn in turns:
            completion.append(turn)
            for call in turn.get("tool_calls") or []:
                fn = call["function"]
                try:
                    result = tools[fn["name"]](**fn["arguments"])
                except Exception as exc:  # TRL answers a raising tool with an error object
                    result = {"error": str(exc)}
                completion.append({"role": "tool", "name": fn["name"], "content": str(result)})
        prompts.append(prompt)
        completions.append(completion)
    columns = {k: [r[k] for r in rows] for k in rows[0] if k != "prompt"}
    rewards = reward_func(prompts=prompts, completions=completions, environments=envs, **columns)
    return schemas, prompts, completions, rewards


def call(name, **arguments):
    return {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"type": "function", "function": {"name": name, "arguments": arguments}}],
    }


def answer(text):
    return {"role": "assistant", "content": text}


def test_an_aha_environment_runs_under_a_trl_style_driver():
    binding = to_trl(Arithmetic)
    rows = [
        {"prompt": [{"role": "user", "content": "2+3?"}], "answer": "5"},
        {"prompt": [{"role": "user", "content": "4+4?"}], "answer": "8"},
        {"prompt": [{"role": "user", "content": "1+1?"}], "answer": "2"},
    ]
    turns = [
        [call("add", a=2, b=3), answer("5")],
        [call("add", a=4, b=3), answer("7")],
        [call("fail", x=1), answer("2")],
    ]
    schemas, _, completions, rewards = fake_trl_rollouts(binding.environment_factory, binding.reward_func, rows, turns)
    # transformers reads the same schema from the adapter's methods as aha reads from the tool
    ours = {s["function"]["name"]: s["function"] for s in Arithmetic().tool_schemas()}
    for schema in schemas:
        theirs = schema["function"]
        assert theirs["description"] == ours[theirs["name"]]["description"]
        assert theirs["parameters"]["required"] == ours[theirs["name"]]["parameters"]["required"]
        for arg, prop in theirs["parameters"]["properties"].items():
            assert prop["type"] == ours[theirs["name"]]["parameters"]["properties"][arg]["type"]
            assert prop["description"] == ours[theirs["name"]]["parameters"]["properties"][arg]["description"]
    assert completions[0][1] == {"role": "tool", "name": "add", "content": "5"}
    assert completions[2][1]["content"] == str({"error": "error: fail raised ValueError: no"})
    assert rewards == [1.0, 0.0, 1.0]
    results = binding.reward_func.last_results
    assert results[0].details["episode_status"] == COMPLETED
    # TRL goes on after a raising tool; the rollout still carries the status
    assert results[2].details["episode_status"] == TOOL_ERROR and results[2].reason.startswith("episode ended with")


def test_reset_gives_the_first_user_text_when_the_row_has_no_prompt():
    binding = to_trl(lambda: ToolEnvironment([add], reward="exact_match", system="sys"))
    env = binding.environment_factory()
    assert env.reset(prompt="ignored here", answer="1") is None
    assert env.reset(question="q") is None  # no prompt and the environment's first messages have no user text


def test_other_environments_rollouts_get_none():
    binding = to_trl(Arithmetic)
    rewards = binding.reward_func(prompts=["p"], completions=["c"], environments=[object()])
    assert rewards == [None]


def test_a_registered_environment_by_name_and_unknown_names(aha_registry):
    class Plugin:
        from verifiers import hookimpl

        @hookimpl
        def aha_register_environments(self, register):
            register(Arithmetic)

    assert aha_registry.add_plugin(Plugin(), "arith")
    binding = to_trl("arithmetic", max_turns=2)
    assert binding.reward_func.__name__ == "aha_arithmetic"
    assert binding.environment_factory()._env.max_turns == 2
    with pytest.raises(Exception, match="no environment named 'nope'.*known: arithmetic"):
        to_trl("nope")


def test_tool_names_trl_reserves_are_refused():
    def reset(a: int) -> int:
        """Clashes with TRL's reset."""
        return a

    with pytest.raises(ValueError, match="reset cannot be TRL tools"):
        to_trl(lambda: ToolEnvironment([reset]))


class Counter:
    """A TRL-style environment: reset(**row), public methods as tools, get_reward() from its state."""

    def __init__(self):
        self.total = 0
        self.target = 0

    def reset(self, **row):
        self.total = 0
        self.target = int(row["answer"])
        return f" Reach {self.target}."

    def increment(self, by: int = 1) -> str:
        """Add to the counter.

        Args:
            by: How much to add.
        """
        self.total += by
        return str(self.total)

    def explode(self) -> str:
        """Fails."""
        raise OSError("disk full")

    def get_reward(self) -> float:
        return 1.0 if self.total == self.target else 0.0

    def _private(self) -> None:
        pass


def test_a_trl_style_environment_runs_as_an_aha_environment():
    env = TRLEnvironment(Counter, tools_in_prompt=False)
    assert sorted(env.tools) == ["explode", "increment"]
    assert env.tools["increment"].parameters["properties"]["by"] == {
        "type": "integer",
        "description": "How much to add.",
        "default": 1,
    }
    sample = Sample("", prompt="Count.", answer="3")
    policy_turns = [format_tool_call("increment", {"by": 2}), format_tool_call("increment", {}), "done"]
    ep = run_episode(env, sample, lambda m, t: policy_turns.pop(0))
    assert ep.messages[0] == {"role": "user", "content": "Count. Reach 3."}
    assert ep.status == COMPLETED and ep.reward == 1.0
    assert ep.result.reason == "get_reward() returned 1" and ep.result.status == Status.PASSED


def test_a_trl_style_environment_with_an_aha_reward_spec_and_a_raising_tool():
    env = TRLEnvironment(Counter, reward="exact_match")
    turns = [format_tool_call("explode", {}), "3"]
    ep = run_episode(env, Sample("", prompt="Count.", answer="3"), lambda m, t: turns.pop(0))
    assert ep.status == TOOL_ERROR
    assert ep.messages[-1]["content"] == "error: explode raised OSError: disk full"
    env2 = TRLEnvironment(Counter, reward="exact_match")
    ep2 = run_episode(env2, Sample("", prompt="Count.", answer="3"), lambda m, t: "3")
    assert ep2.result.verifier == "exact_match" and ep2.reward == 1.0


def test_a_trl_style_environment_without_reset_or_with_a_bad_reward():
    class NoReset:
        def tool(self, a: int) -> int:
            """T."""
            return a

    with pytest.raises(TypeError, match="has no reset"):
        TRLEnvironment(NoReset)

    class BadReward(Counter):
        def get_reward(self) -> float:
            raise ZeroDivisionError("oops")

    ep = run_episode(TRLEnvironment(BadReward), Sample("", prompt="x", answer="1"), lambda m, t: "no")
    assert ep.result.status == Status.ERROR and ep.result.reason == "get_reward() raised ZeroDivisionError: oops"


def test_the_adapter_both_ways_round_trips_an_aha_environment():
    """aha -> TRL adapter -> aha again: the tools keep their schemas and the episode its reward."""
    binding = to_trl(Arithmetic)
    back = TRLEnvironment(binding.environment_factory, reward="exact_match")
    assert {t.schema["function"]["name"] for t in back.tools.values()} == {"add", "fail"}
    assert back.tools["add"].schema == Arithmetic().tools["add"].schema
    turns = [format_tool_call("add", {"a": 20, "b": 22})]

    def policy(messages, tools):
        return turns.pop(0) if turns else messages[-1]["content"]  # then answer with the tool's result

    ep = run_episode(back, Sample("", prompt="20+22?", answer="42"), policy)
    assert [m["role"] for m in ep.messages] == ["user", "assistant", "tool", "assistant"]
    assert ep.reward == 1.0


def test_a_hanging_tool_through_the_adapter_raises_for_trl():
    release = threading.Event()

    def slow(x: int) -> int:
        """Hangs."""
        release.wait(30)
        return x

    env = to_trl(lambda: ToolEnvironment([slow], reward="exact_match", tool_timeout=0.2)).environment_factory()
    env.reset(prompt=[{"role": "user", "content": "x"}], answer="1")
    try:
        with pytest.raises(RuntimeError, match="slow did not return within 0.2 s"):
            env.slow(x=1)
    finally:
        release.set()
    assert env._status == "timeout"


def test_tools_without_docstrings_or_with_overrides_still_give_trl_a_schema():
    from verifiers.environments import Tool

    def bare(x: int, label: str = "a") -> str:
        return label * x

    env_tools = [bare, Tool(add, name="plus", description="Adds.")]
    probe = to_trl(lambda: ToolEnvironment(env_tools)).environment_factory()
    bare_schema = get_json_schema(probe.bare)["function"]
    assert bare_schema["description"] == "The bare tool."
    assert bare_schema["parameters"]["properties"]["x"] == {"type": "integer", "description": "The x argument."}
    assert bare_schema["parameters"]["required"] == ["x"]
    plus = get_json_schema(probe.plus)["function"]
    assert plus["name"] == "plus" and plus["description"] == "Adds."
    assert plus["parameters"]["properties"]["a"]["description"] == "The first number."
    probe.reset(prompt=[{"role": "user", "content": "x"}])
    assert probe.bare(x=2, label="z") == "zz" and probe.plus(a=1, b=2) == "3"
