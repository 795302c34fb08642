"""Advantage estimators against hand-computed values."""

from __future__ import annotations

import math

import pytest
import torch

from trainer.advantages import compute_advantages, zero_spread_fraction

REWARDS = torch.tensor([1.0, 0.0, 0.0, 1.0, 2.0, 2.0, 2.0, 2.0])


def test_group_std():
    adv = compute_advantages(REWARDS, 4, "group_std")
    std = math.sqrt(1 / 3)  # Bessel-corrected std of [1, 0, 0, 1]
    expected = [0.5 / (std + 1e-4), -0.5 / (std + 1e-4), -0.5 / (std + 1e-4), 0.5 / (std + 1e-4), 0, 0, 0, 0]
    assert adv.tolist() == pytest.approx(expected, abs=1e-6)


def test_group_mean():
    adv = compute_advantages(REWARDS, 4, "group_mean")
    assert adv.tolist() == pytest.approx([0.5, -0.5, -0.5, 0.5, 0, 0, 0, 0])


def test_rloo_is_reward_minus_mean_of_the_others():
    adv = compute_advantages(REWARDS, 4, "rloo")
    assert adv.tolist() == pytest.approx([2 / 3, -2 / 3, -2 / 3, 2 / 3, 0, 0, 0, 0], abs=1e-6)
    r = torch.tensor([3.0, 1.0, 2.0])
    by_hand = [3 - 1.5, 1 - 2.5, 2 - 2.0]
    assert compute_advantages(r, 3, "rloo").tolist() == pytest.approx(by_hand)


def test_batch_std():
    adv = compute_advantages(REWARDS, 4, "batch_std")
    std = math.sqrt(5.5 / 7)  # std of all eight rewards
    assert adv[:4].tolist() == pytest.approx(
        [0.5 / (std + 1e-4), -0.5 / (std + 1e-4), -0.5 / (std + 1e-4), 0.5 / (std + 1e-4)], abs=1e-6
    )
    assert adv[4:].abs().sum() == 0


def test_zero_spread_fraction_and_errors():
    assert zero_spread_fraction(REWARDS, 4) == 0.5
    assert zero_spread_fraction(torch.tensor([1.0, 1.0, 0.0, 1.0]), 2) == 0.5
    with pytest.raises(ValueError, match="groups of 3"):
        compute_advantages(REWARDS, 3)
    with pytest.raises(ValueError, match="estimator"):
        compute_advantages(REWARDS, 4, "median")
