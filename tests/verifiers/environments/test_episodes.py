"""Episodes: turns until the model stops calling tools, turn limits, failures ending with a status, the reward."""

from __future__ import annotations

import threading

import pytest

from verifiers import Sample, Status
from verifiers.environments import (
    COMPLETED,
    ENVIRONMENT_ERROR,
    MAX_TURNS,
    MODEL_ERROR,
    PARSE_ERROR,
    TIMEOUT,
    TOOL_ERROR,
    Environment,
    Step,
    ToolEnvironment,
    format_tool_call,
    run_episode,
)


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def boom(x: int) -> int:
    """Always fails."""
    raise RuntimeError(f"cannot handle {x}")


SAMPLE = Sample("", prompt="What is 37+45?", answer="82")


def scripted(*turns):
    """A policy that plays the given turns in order (a callable turn is called with the transcript)."""
    replies = list(turns)
    seen: list[list[dict]] = []

    def policy(messages, tools):
        seen.append(messages)
        reply = replies.pop(0)
        return reply(messages) if callable(reply) else reply

    policy.seen = seen
    return policy


def test_a_tool_call_then_an_answer_completes_and_is_rewarded():
    env = ToolEnvironment([add], reward="exact_match", system="Be brief.")
    policy = scripted(format_tool_call("add", {"a": 37, "b": 45}), lambda m: m[-1]["content"])
    ep = run_episode(env, SAMPLE, policy)
    assert ep.status == COMPLETED and ep.turns == 2
    assert [m["role"] for m in ep.messages] == ["system", "user", "assistant", "tool", "assistant"]
    assert ep.messages[3]["content"] == "82" and ep.messages[3]["name"] == "add" and "status" not in ep.messages[3]
    assert ep.result.status == Status.PASSED and ep.reward == 1.0
    assert ep.result.details["episode_status"] == COMPLETED
    # the policy saw the tool result before its second turn
    assert policy.seen[1][-1]["role"] == "tool"


def test_the_reward_reads_only_the_last_assistant_turn():
    env = ToolEnvironment([add], reward="exact_match")
    ep = run_episode(env, SAMPLE, scripted(format_tool_call("add", {"a": 80, "b": 2}), "I think 81"))
    assert ep.status == COMPLETED and ep.result.status == Status.FAILED
    assert "81" in ep.result.reason


def test_structured_tool_calls_are_run_too():
    call = {"id": "c9", "type": "function", "function": {"name": "add", "arguments": '{"a": 1, "b": 1}'}}
    env = ToolEnvironment([add], reward="exact_match")
    ep = run_episode(env, Sample("", "1+1?", "2"), scripted({"content": "", "tool_calls": [call]}, "2"))
    assert ep.messages[-2] == {"role": "tool", "tool_call_id": "c9", "name": "add", "content": "2"}
    assert ep.reward == 1.0


def test_the_turn_limit_ends_an_episode_that_keeps_calling_tools():
    env = ToolEnvironment([add], reward="exact_match", max_turns=3)
    ep = run_episode(env, SAMPLE, lambda messages, tools: format_tool_call("add", {"a": 1, "b": 1}))
    assert ep.status == MAX_TURNS and ep.turns == 3
    assert sum(m["role"] == "assistant" for m in ep.messages) == 3
    assert ep.result.status == Status.FAILED and ep.result.details["episode_status"] == MAX_TURNS


def test_a_tool_that_raises_ends_the_episode_with_tool_error_in_the_transcript():
    env = ToolEnvironment([add, boom], reward="exact_match")
    ep = run_episode(env, SAMPLE, scripted(format_tool_call("boom", {"x": 3}), "82"))
    assert ep.status == TOOL_ERROR and ep.turns == 1
    last = ep.messages[-1]
    assert last["role"] == "tool" and last["status"] == TOOL_ERROR
    assert last["content"] == "error: boom raised RuntimeError: cannot handle 3"
    assert ep.result.reason.startswith("episode ended with tool_error;")
    assert ep.to_row(SAMPLE)["episode_status"] == TOOL_ERROR and ep.to_row(SAMPLE)["answer"] == "82"


def test_a_tool_that_hangs_ends_the_episode_with_timeout():
    release = threading.Event()

    def slow(x: int) -> int:
        """Hangs."""
        release.wait(30)
        return x

    env = ToolEnvironment([slow], reward="exact_match", tool_timeout=0.2)
    try:
        ep = run_episode(env, SAMPLE, scripted(format_tool_call("slow", {"x": 1}), "82"))
    finally:
        release.set()
    assert ep.status == TIMEOUT and ep.messages[-1]["status"] == TIMEOUT
    assert ep.messages[-1]["content"] == "error: slow did not return within 0.2 s"


def test_feedback_mode_hands_a_tool_error_back_to_the_model():
    env = ToolEnvironment([boom], reward="exact_match", on_tool_error="feedback")
    ep = run_episode(env, SAMPLE, scripted(format_tool_call("boom", {"x": 1}), "82"))
    assert ep.status == COMPLETED and ep.reward == 1.0
    assert ep.messages[-2]["status"] == TOOL_ERROR


def test_model_mistakes_are_answered_and_the_episode_goes_on():
    env = ToolEnvironment([add], reward="exact_match")
    policy = scripted(
        "<tool_call>{broken</tool_call>",
        format_tool_call("mul", {"a": 1}),
        format_tool_call("add", {"a": "37", "b": 45}),
        "82",
    )
    ep = run_episode(env, SAMPLE, policy)
    assert ep.status == COMPLETED and ep.turns == 4 and ep.reward == 1.0
    tool_turns = [m for m in ep.messages if m["role"] == "tool"]
    assert [m["status"] for m in tool_turns] == [PARSE_ERROR, "unknown_tool", "invalid_arguments"]
    assert tool_turns[1]["content"] == "error: no tool named 'mul' (tools: add)"
    assert tool_turns[2]["content"] == 'error: a: expected integer, got "37" (str)'


def test_a_policy_that_raises_ends_with_model_error():
    def policy(messages, tools):
        raise ConnectionError("server gone")

    ep = run_episode(ToolEnvironment([add], reward="exact_match"), SAMPLE, policy)
    assert ep.status == MODEL_ERROR and ep.turns == 0 and ep.error == "ConnectionError: server gone"
    assert ep.result.status == Status.ERROR and "no assistant turn" in ep.result.reason


def test_a_policy_reply_of_the_wrong_type_is_a_model_error():
    ep = run_episode(ToolEnvironment([add], reward="exact_match"), SAMPLE, lambda m, t: 42)
    assert ep.status == MODEL_ERROR and "not a string or an assistant message" in ep.error


class Countdown(Environment):
    """Counts the model's turns down; a per-turn reward of 0.1 for each one that says 'go'."""

    name = "countdown"
    reward_spec = "exact_match"

    def reset(self, sample):
        self.left = 2
        return [{"role": "user", "content": "Say go."}]

    def step(self, messages):
        self.left -= 1
        if messages[-1]["content"] == "crash":
            raise KeyError("state lost")
        reward = 0.1 if "go" in messages[-1]["content"] else 0.0
        if self.left == 0:
            return Step([], True, COMPLETED, reward)
        return Step([{"role": "user", "content": f"{self.left} left"}], False, reward=reward)


def test_a_custom_environment_with_per_turn_rewards():
    ep = run_episode(Countdown(), Sample("", answer="go"), scripted("go", "stop"))
    assert ep.status == COMPLETED and ep.turn_rewards == [0.1, 0.0]
    assert [m["content"] for m in ep.messages] == ["Say go.", "go", "1 left", "stop"]
    assert ep.result.status == Status.FAILED  # the last assistant turn is "stop"


def test_a_step_that_raises_ends_with_environment_error():
    ep = run_episode(Countdown(), Sample("", answer="go"), scripted("crash"))
    assert ep.status == ENVIRONMENT_ERROR and ep.error == "KeyError: 'state lost'"


def test_step_unpacks_as_messages_and_done():
    messages, done = Step([{"role": "tool", "content": "x"}], True, COMPLETED, 0.5)
    assert messages == [{"role": "tool", "content": "x"}] and done is True


def test_no_reward_spec_is_unverifiable_not_zero():
    class NoReward(Countdown):
        reward_spec = None

    ep = run_episode(NoReward(), Sample("", answer="go"), scripted("go", "go"))
    assert ep.result.status == Status.UNVERIFIABLE and "has no reward spec" in ep.result.reason


def test_the_base_class_asks_for_reset_and_step():
    with pytest.raises(NotImplementedError, match="must implement reset"):
        Environment().reset(SAMPLE)
    with pytest.raises(NotImplementedError, match="must implement step"):
        Environment().step([])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"max_turns": 0}, "max_turns must be at least 1"),
        ({"tool_timeout": 0}, "tool_timeout must be positive"),
        ({"on_tool_error": "ignore"}, "on_tool_error must be 'end' or 'feedback'"),
    ],
)
def test_bad_options_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ToolEnvironment([add], **kwargs)


def test_step_needs_an_assistant_turn_last():
    with pytest.raises(ValueError, match="ends with an assistant turn"):
        ToolEnvironment([add]).step([{"role": "user", "content": "hi"}])


def test_tools_in_prompt_lists_the_schemas_in_the_system_message():
    env = ToolEnvironment([add], tools_in_prompt=True, system="Be brief.")
    first = env.reset(Sample("", prompt=[{"role": "user", "content": "2+2?"}]))
    assert first[0]["role"] == "system" and first[0]["content"].startswith("Be brief.\n\n")
    assert '"name": "add"' in first[0]["content"] and "<tool_call>" in first[0]["content"]
    assert first[1] == {"role": "user", "content": "2+2?"}


def test_rollouts_played_a_turn_at_a_time_in_a_batch():
    """A batched driver: every live episode gets one turn per round, as a trainer generating in batches would."""
    from verifiers.environments import Rollout

    env = ToolEnvironment([add, boom], reward="exact_match", max_turns=2)
    rollouts = [Rollout(env, Sample("", prompt=p, answer=a)) for p, a in [("1+1", "2"), ("2+2", "4"), ("3+3", "6")]]
    plans = [
        [format_tool_call("add", {"a": 1, "b": 1}), "2"],  # tool, then answer: completed, right
        [format_tool_call("boom", {"x": 2})],  # raising tool: tool_error after one turn
        [format_tool_call("add", {"a": 3, "b": 3})] * 3,  # keeps calling: max_turns after two
    ]
    rounds = 0
    while live := [i for i, r in enumerate(rollouts) if not r.done]:
        rounds += 1
        for i in live:
            new = rollouts[i].add_turn(plans[i].pop(0))
            assert all(m["role"] == "tool" for m in new)
    episodes = [r.finish() for r in rollouts]
    assert rounds == 2
    assert [e.status for e in episodes] == [COMPLETED, TOOL_ERROR, MAX_TURNS]
    assert [e.turns for e in episodes] == [2, 1, 2]
    assert [e.reward for e in episodes] == [1.0, 0.0, 0.0]
    with pytest.raises(RuntimeError, match="the episode is over \\(tool_error\\)"):
        rollouts[1].add_turn("late")


def test_a_rollout_finished_early_counts_as_max_turns_and_a_failed_one_keeps_its_reason():
    from verifiers.environments import Rollout

    env = ToolEnvironment([add], reward="exact_match")
    early = Rollout(env, Sample("", prompt="1+1", answer="2"))
    early.add_turn(format_tool_call("add", {"a": 1, "b": 1}))
    assert not early.done and early.finish().status == MAX_TURNS
    gone = Rollout(env, Sample("", prompt="1+1", answer="2"))
    gone.fail(MODEL_ERROR, "generation server unreachable")
    ep = gone.finish()
    assert ep.status == MODEL_ERROR and ep.error == "generation server unreachable"
    assert ep.to_row()["episode_error"] == "generation server unreachable"
