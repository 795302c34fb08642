"""Transcript rows (`messages` with tool calls and tool turns) in `aha score` and `aha eval`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from verifiers import Sample, hookimpl, verifier
from verifiers.cli import build_cli
from verifiers.evaluation import EvalConfig, run_eval
from verifiers.reading import ReadError
from verifiers.rows import Fields, parse_line, row_sample
from verifiers.rules.turns import context_text

CALL = {"id": "c1", "type": "function", "function": {"name": "add", "arguments": '{"a": 37, "b": 45}'}}


def transcript(final: str) -> list[dict]:
    return [
        {"role": "system", "content": "Use the tools."},
        {"role": "user", "content": "What is 37+45?"},
        {"role": "assistant", "content": "I will add 45.", "tool_calls": [CALL]},
        {"role": "tool", "tool_call_id": "c1", "name": "add", "content": "82"},
        {"role": "assistant", "content": final},
    ]


ROWS = [
    {"id": 0, "messages": transcript("The sum is 82."), "answer": "82"},
    {"id": 1, "messages": transcript("The sum is 81."), "answer": "82"},
    {"id": 2, "messages": transcript("82")[:4], "answer": "82"},  # ended on the tool turn
]


def test_a_transcript_row_scores_its_last_assistant_turn_with_the_rest_as_context():
    sample = row_sample(ROWS[0], Fields())
    assert sample.text == "The sum is 82."
    assert [m["role"] for m in sample.prompt] == ["system", "user", "assistant", "tool"]
    assert sample.messages == ROWS[0]["messages"] and sample.answer == "82"
    assert sample.metadata == {"id": 0}
    # an earlier assistant turn ("I will add 45") is context, not part of the answer
    assert "45" not in sample.text and "I will add 45." in context_text(sample)
    assert context_text(sample, roles=["tool"]) == "82"


def test_a_transcript_ending_on_a_tool_turn_scores_the_tool_calling_turn():
    sample = row_sample(ROWS[2], Fields())
    assert sample.text == "I will add 45." and sample.completion[0]["tool_calls"] == [CALL]


def test_from_row_and_from_transcript_agree():
    a = Sample.from_row(ROWS[1])
    b = Sample.from_transcript(ROWS[1]["messages"], answer="82", metadata={"id": 1})
    assert (a.completion, a.prompt, a.answer, a.metadata, a.messages) == (
        b.completion,
        b.prompt,
        b.answer,
        b.metadata,
        b.messages,
    )


def test_a_given_prompt_column_is_kept():
    row = {"messages": transcript("82"), "prompt": "p"}
    assert row_sample(row, Fields()).prompt == "p"


@pytest.mark.parametrize(
    "line, problem",
    [
        (
            {"messages": [{"role": "user", "content": "hi"}, {"role": "tool", "content": "x"}]},
            "field 'messages': the transcript has no assistant turn to score (roles: tool, user)",
        ),
        (
            {"messages": [{"role": "assistant", "content": "x"}, "junk"]},
            "a transcript must be a list of message objects",
        ),
    ],
)
def test_unscorable_transcripts_name_the_line_and_field(line, problem):
    with pytest.raises(ReadError) as info:
        parse_line(7, json.dumps(line), Fields())
    assert info.value.line == 7 and info.value.field == "messages"
    assert problem in str(info.value)


def test_a_csv_cell_with_a_json_transcript_is_read_as_one():
    cell = json.dumps(transcript("82"))
    sample = row_sample({"messages": cell, "answer": "82"}, Fields())
    assert sample.text == "82" and len(sample.messages) == 5
    plain = row_sample({"messages": "[not json", "answer": "x"}, Fields())
    assert plain.text == "[not json" and plain.messages is None


def write_rows(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_aha_score_scores_transcripts(tmp_path):
    inp = write_rows(tmp_path / "t.jsonl", ROWS)
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(build_cli(), ["score", "-r", "exact_match", "-i", str(inp), "-o", str(out)])
    assert res.exit_code == 0, res.output
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in got] == [0, 1, 2]
    assert [r["status"] for r in got] == ["passed", "failed", "failed"]
    assert [r["reward"] for r in got] == [1.0, 0.0, 0.0]


@verifier(name="used_a_tool")
def used_a_tool(sample):
    """Passes when the transcript has a tool turn whose result the answer repeats."""
    results = [m["content"] for m in sample.messages or [] if m.get("role") == "tool"]
    return any(r in sample.text for r in results)


class ToolUsePlugin:
    @hookimpl
    def aha_register_verifiers(self, register):
        register(lambda: used_a_tool, name="used_a_tool", doc="Passes when the answer repeats a tool result.")


def test_aha_eval_gives_verifiers_the_whole_transcript(tmp_path, aha_registry):
    assert aha_registry.add_plugin(ToolUsePlugin(), "tool-use")
    inp = write_rows(tmp_path / "t.jsonl", ROWS)
    out = run_eval(EvalConfig(input=inp, output=tmp_path / "e", reward="used_a_tool", workers=1))
    scores = [json.loads(line) for line in out.paths["scores"].read_text().splitlines()[1:]]
    assert [s["status"] for s in scores] == ["passed", "failed", "failed"]
    assert out.metrics["rows"] == 3
    # the report's examples show the turn that was scored, with the earlier turns as its prompt
    worst = {e["index"]: e for e in out.metrics["examples"]["worst"]}
    assert worst[1]["completion"] == "The sum is 81." and worst[2]["completion"] == "I will add 45."
    assert "What is 37+45?" in worst[1]["prompt"] and "I will add 45." in worst[1]["prompt"]
