"""A missing model folder, a bad dataset row or a bad reward is reported before torch or transformers load."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "transformers", "peft")

# Runs `aha COMMAND ARGS` in a fresh interpreter and reports the exit code, the output and the heavy modules loaded.
PROBE = """
import json, sys
from click.testing import CliRunner
from trainer import commands
res = CliRunner().invoke(getattr(commands, sys.argv[1]), sys.argv[2:])
print(json.dumps({"code": res.exit_code, "output": res.output, "loaded": [m for m in HEAVY if m in sys.modules]}))
"""


def probe(command: str, *args: str) -> dict:
    code = f"HEAVY = {HEAVY!r}\n{PROBE}"
    cmd = [sys.executable, "-c", code, command, *args]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def train_probe(*args: str) -> dict:
    return probe("train_command", *args)


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture
def good_data(tmp_path) -> Path:
    return write_jsonl(tmp_path / "good.jsonl", [{"prompt": "1+1=", "answer": "2"}, {"prompt": "2+2=", "answer": "4"}])


def test_missing_model_folder(tmp_path, good_data):
    missing = tmp_path / "no-such-model"
    res = train_probe("--model.path", str(missing), "--data.train", str(good_data), "--output_dir", str(tmp_path / "r"))
    assert res["code"] == 1
    assert f"model.path: no model folder at {missing}" in res["output"]
    assert res["loaded"] == []
    assert not (tmp_path / "r").exists()  # no run folder is left behind by a run that never started


@pytest.mark.parametrize(
    "rows, message",
    [
        ([{"prompt": "1+1=", "answer": "2"}, {"question": "2+2=", "answer": "4"}], "bad.jsonl:2: missing the prompt"),
        ([{"prompt": "1+1=", "answer": "2"}, {"prompt": "", "answer": "4"}], "bad.jsonl:2: 'prompt' must be"),
        ([{"prompt": "1+1="}], "no row has the answer column 'answer'"),
    ],
)
def test_bad_training_rows(tmp_path, rows, message):
    bad = write_jsonl(tmp_path / "bad.jsonl", rows)
    res = train_probe("--data.train", str(bad), "--output_dir", str(tmp_path / "r"))
    assert res["code"] == 1 and message in res["output"], res["output"]
    assert res["loaded"] == []


def test_bad_eval_rows_and_bad_reward(tmp_path, good_data):
    bad = write_jsonl(tmp_path / "bad_eval.jsonl", [{"prompt": "1+1=", "answer": "2"}, ["not", "an", "object"]])
    res = train_probe("--data.train", str(good_data), "--data.eval", str(bad), "--output_dir", str(tmp_path / "r"))
    assert res["code"] == 1 and "bad_eval.jsonl:2: each line must be a JSON object" in res["output"], res["output"]
    assert res["loaded"] == []
    res = train_probe(
        "--data.train", str(good_data), "--reward", "no_such_verifier", "--output_dir", str(tmp_path / "s")
    )
    assert res["code"] == 1 and "reward:" in res["output"] and "no_such_verifier" in res["output"], res["output"]
    assert res["loaded"] == []


def test_evaluate_model_checks_the_model_adapter_and_rows_first(tmp_path, good_data):
    missing = tmp_path / "no-such-model"
    res = probe("evaluate_model_command", "--model", str(missing), "--data", str(good_data))
    assert res["code"] == 1 and f"model.path: no model folder at {missing}" in res["output"], res["output"]
    assert res["loaded"] == []
    res = probe("evaluate_model_command", "--adapter", str(tmp_path / "no-run"), "--data", str(good_data))
    assert res["code"] == 1 and "--adapter: no folder at" in res["output"], res["output"]
    assert res["loaded"] == []
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"prompt": "1+1=", "answer": "2"}, {"question": "2+2="}])
    res = probe("evaluate_model_command", "--data", str(bad))
    assert res["code"] == 1 and "bad.jsonl:2: missing the prompt" in res["output"], res["output"]
    assert res["loaded"] == []
