"""Reward scoring in the trainer: samples carry the row's columns and token counts; every status is counted."""

from __future__ import annotations

import math

import pytest

from trainer.config import ConfigError
from trainer.data import PromptExample
from trainer.rewards import RewardScorer, build_reward, make_samples
from trainer.rollout.base import Completion
from verifiers import Composite, Term, Verifier


class Flaky(Verifier):
    """Passes on 'ok', raises on 'boom', returns NaN on 'nan', fails otherwise."""

    name = "flaky"

    def check(self, sample):
        if sample.text == "boom":
            raise RuntimeError("exploded")
        if sample.text == "nan":
            return self.passed("nan", score=math.nan)
        if sample.text == "ok":
            return self.passed("fine", tokens=sample.metadata["completion_tokens"], level=sample.metadata["level"])
        return self.failed("wrong")


def example():
    return PromptExample("1+1=", "1+1=", [1, 2], "2", {"level": "easy", "source": "unit"}, "t:1")


def completions(texts):
    return [Completion(0, list(range(i + 1)), t, "stop" if i % 2 else "length") for i, t in enumerate(texts)]


def test_samples_carry_row_columns_and_completion_facts():
    (s,) = make_samples([example()], completions(["ok"]))
    assert s.prompt == "1+1=" and s.answer == "2"
    assert s.metadata == {
        "level": "easy",
        "source": "unit",
        "completion_tokens": 1,
        "finish_reason": "length",
        "truncated": True,
    }


@pytest.mark.parametrize("workers", [1, 2])
def test_every_status_is_counted(workers):
    reward = Composite([Term(Flaky(), 1.0, "main"), Term(Flaky(), 0.0, "metric")])
    scorer = RewardScorer(reward, workers=workers)
    try:
        batch = scorer.score([example()], completions(["ok", "boom", "nan", "bad"]))
    finally:
        scorer.close()
    assert batch.rewards == [1.0, 0.0, 0.0, 0.0]
    assert [r.status.value for r in batch.results] == ["passed", "error", "error", "failed"]
    assert "exploded" in batch.results[1].reason
    assert batch.results[0].terms["main"].details == {"tokens": 1, "level": "easy"}
    st = batch.stats
    assert (
        st["status/passed"] == 1 and st["status/error"] == 2 and st["status/failed"] == 1 and st["status/timeout"] == 0
    )
    assert st["reward/mean"] == pytest.approx(0.25) and st["reward/pass_rate"] == pytest.approx(0.25)
    assert st["reward/main/errors"] == 2 and st["reward/metric/errors"] == 2  # a NaN score is an error in any term
    assert "reward/metric/mean" in st


def test_a_lone_verifier_returning_nan_is_an_error_not_a_silent_zero():
    scorer = RewardScorer(Flaky())
    batch = scorer.score([example()], completions(["nan"]))
    assert batch.rewards == [0.0] and batch.results[0].status.value == "error"
    assert "non-finite" in batch.results[0].reason


def test_bad_reward_spec_names_the_option():
    with pytest.raises(ConfigError, match="reward:"):
        build_reward("no_such_verifier")
    with pytest.raises(ConfigError, match="reward:"):
        build_reward({"terms": [{"verifier": "exact_match", "weight": "heavy"}]})
