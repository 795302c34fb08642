"""The legal and medical example configs train, as shipped, for 2 steps on the CPU (a tiny model stands in for theirs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tiny
from click.testing import CliRunner

from trainer.commands import train_command

REPO = Path(__file__).resolve().parents[2]
CHAT = (
    "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant: {% endif %}"
)
TERMS = {"legal": ["format", "grounding", "citations", "irac", "legal_rules"], "medical": ["format", "doses"]}


@pytest.fixture(scope="module")
def chat_model(tmp_path_factory) -> Path:
    """The tiny random model with a chat template and room for the examples' long prompts."""
    return tiny.make_model(tmp_path_factory.mktemp("chat") / "model", max_positions=1024, chat_template=CHAT)


@pytest.mark.parametrize("domain", ["legal", "medical"])
def test_example_config_trains_two_steps_on_its_own_prompts(chat_model, tmp_path, monkeypatch, domain):
    monkeypatch.chdir(REPO)  # the example's paths are relative to the repository root, as its README says
    out = tmp_path / domain
    small = ["--max_steps", "2", "--generation.prompts_per_step", "2", "--generation.num_generations", "2"]
    small += ["--generation.max_completion_length", "8", "--lora.r", "2", "--threads", "1", "--kernels", "torch"]
    args = [f"examples/{domain}/train.toml", "--model.path", str(chat_model), *small]
    res = CliRunner().invoke(train_command, [*args, "--log.progress", "false", "--output_dir", str(out)])
    assert res.exit_code == 0, res.output
    assert "done: 2 steps" in res.output
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [1, 2]
    for term in TERMS[domain]:  # every term of the example's reward scored every completion
        assert f"reward/{term}/mean" in records[0], sorted(records[0])
    assert sum(records[0][f"status/{s}"] for s in ("passed", "failed", "unverifiable", "error", "timeout")) == 4
    assert records[0]["status/error"] == 0
    assert (out / "final" / "adapter_config.json").is_file()
