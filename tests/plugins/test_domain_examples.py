"""The domain examples: reward specs score the sample answers as intended, also through `aha score`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from verifiers import Sample, Scorer, Status, load_reward

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = ["legal", "medical"]


def rows(domain: str) -> list[dict]:
    lines = (ROOT / "examples" / domain / "answers.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture
def domain_registry(aha_registry):
    for name in DOMAINS:
        assert aha_registry.add_plugin(f"plugins.{name}", name)
    return aha_registry


@pytest.mark.parametrize("domain", DOMAINS)
def test_good_answers_pass_and_outscore_bad_ones(domain_registry, domain):
    data = rows(domain)
    reward = load_reward(ROOT / "examples" / domain / "reward.toml")
    with Scorer(reward, workers=2, chunk_size=2) as scorer:
        results = scorer.score([Sample.from_row(r) for r in data])
    good = [res for row, res in zip(data, results) if row["expected"] == "good"]
    bad = [(row, res) for row, res in zip(data, results) if row["expected"] == "bad"]
    assert good and bad
    assert all(res.status is Status.PASSED for res in good), [res.reason for res in good]
    best_bad = max(res.score for _, res in bad)
    assert min(res.score for res in good) > best_bad
    for row, res in bad:
        assert res.status is Status.FAILED, row["id"]


def test_each_bad_answer_fails_for_its_stated_reason(domain_registry):
    expected_failure = {
        "legal-invented-case": "grounding",
        "legal-malformed-citations": "citations",
        "legal-no-irac-guarantee": "legal_rules",
        "legal-sloppy-spelling": "spelling",
        "legal-miranda-out-of-order": "irac",
        "legal-no-format": "format",
        "med-overdose-regimen": "doses",
        "med-levothyroxine-mg": "doses",
        "med-warfarin-ibuprofen": "interactions",
        "med-methotrexate-daily": "medical_rules",
        "med-chest-pain": "medical_rules",
        "med-sloppy": "spelling",
    }
    for domain in DOMAINS:
        reward = load_reward(ROOT / "examples" / domain / "reward.toml")
        for row in rows(domain):
            if row["id"] in expected_failure:
                res = reward(Sample.from_row(row))
                assert res.terms[expected_failure[row["id"]]].status is Status.FAILED, row["id"]


@pytest.mark.parametrize("domain", DOMAINS)
def test_prompt_files_carry_what_the_reward_needs(domain):
    lines = (ROOT / "examples" / domain / "prompts.jsonl").read_text(encoding="utf-8").splitlines()
    prompts = [json.loads(line) for line in lines]
    assert prompts and all(isinstance(p["prompt"], str) and p["prompt"] for p in prompts)
    if domain == "legal":
        assert all(p["sources"] for p in prompts)


@pytest.mark.parametrize("domain", DOMAINS)
def test_training_configs_load(domain):
    from trainer.config import load_config

    cfg = load_config(ROOT / "examples" / domain / "train.toml")
    assert cfg.reward == f"examples/{domain}/reward.toml"
    assert cfg.data.train == f"examples/{domain}/prompts.jsonl"


@pytest.mark.parametrize("domain", DOMAINS)
def test_aha_score_summary_counts_fired_rules(tmp_path, domain):
    out, summary = tmp_path / "out.jsonl", tmp_path / "summary.json"
    cmd = [
        sys.executable,
        "-m",
        "verifiers.cli",
        "score",
        "--reward",
        f"examples/{domain}/reward.toml",
        "--input",
        f"examples/{domain}/answers.jsonl",
        "--output",
        str(out),
        "--workers",
        "1",
        "--summary-json",
        str(summary),
        "--quiet",
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    scored = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(scored) == len(rows(domain))
    fired = json.loads(summary.read_text(encoding="utf-8"))["fired"]
    prefix = "legal." if domain == "legal" else "med."
    assert fired and all(k.startswith(prefix) for k in fired)
    assert max(fired.values()) >= 1
