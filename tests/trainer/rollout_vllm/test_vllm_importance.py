"""Truncated importance weights for the sampler/trainer mismatch, against hand-computed values."""

from __future__ import annotations

import math

import pytest
import torch

from trainer.importance_sampling import importance_weights
from trainer.losses import LossSettings, grpo_loss

pytestmark = pytest.mark.vllm

# two sequences, three token slots; the second has one padding slot
TRAINER = torch.tensor([[-1.0, -2.0, -0.5], [-1.0, -1.0, -9.0]])
SAMPLER = torch.tensor([[-1.5, -1.0, -0.5], [-1.2, -0.2, 0.0]])
MASK = torch.tensor([[1.0, 1.0, 1.0], [1.0, 1.0, 0.0]])


def test_token_level_truncation_by_hand():
    w, m = importance_weights(TRAINER, SAMPLER, MASK, level="token", cap=1.5)
    # log ratios: [0.5, -1, 0], [0.2, -0.8, (pad)] -> exp, capped at 1.5
    expected = torch.tensor([[1.5, math.exp(-1.0), 1.0], [math.exp(0.2), math.exp(-0.8), 0.0]])
    assert torch.allclose(w, expected, atol=1e-6)
    assert m["is/capped_frac"] == pytest.approx(1 / 5)
    assert m["is/logprob_diff_mean"] == pytest.approx((0.5 + 1.0 + 0.0 + 0.2 + 0.8) / 5)
    assert m["is/logprob_diff_max"] == pytest.approx(1.0)
    k3 = [math.exp(x) - 1 - x for x in (0.5, -1.0, 0.0, 0.2, -0.8)]
    assert m["is/kl_sampler_trainer"] == pytest.approx(sum(k3) / 5, rel=1e-5)


def test_sequence_level_uses_product_of_ratios():
    w, m = importance_weights(TRAINER, SAMPLER, MASK, level="sequence", cap=2.0)
    # sequence log ratios: 0.5 - 1 + 0 = -0.5; 0.2 - 0.8 = -0.6
    expected = torch.tensor([[math.exp(-0.5)] * 3, [math.exp(-0.6), math.exp(-0.6), 0.0]])
    assert torch.allclose(w, expected, atol=1e-6)
    assert m["is/capped_frac"] == 0.0
    assert m["is/raw_weight_mean"] == pytest.approx((math.exp(-0.5) + math.exp(-0.6)) / 2)
    w_capped, m_capped = importance_weights(TRAINER, SAMPLER, MASK, level="sequence", cap=0.58)
    assert torch.allclose(w_capped[0], torch.full((3,), 0.58))  # exp(-0.5) = 0.607 > 0.58
    assert w_capped[1, 0] == pytest.approx(math.exp(-0.6))  # 0.549 stays
    assert m_capped["is/capped_frac"] == pytest.approx(0.5)


def test_mask_mode_drops_tokens_above_the_cap():
    w, _ = importance_weights(TRAINER, SAMPLER, MASK, level="token", cap=1.5, mode="mask")
    assert w[0, 0] == 0.0  # exp(0.5) = 1.65 > 1.5: left out instead of capped
    assert w[0, 1] == pytest.approx(math.exp(-1.0))


def test_equal_logprobs_give_unit_weights_and_zero_mismatch():
    w, m = importance_weights(TRAINER, TRAINER.clone(), MASK)
    assert torch.equal(w, MASK)
    assert m["is/logprob_diff_mean"] == 0.0 and m["is/kl_sampler_trainer"] == 0.0


def test_weights_scale_the_loss_gradient():
    logps = TRAINER.clone().requires_grad_(True)
    adv = torch.tensor([1.0, -1.0])
    settings = LossSettings(loss_type="bnpo")
    w, _ = importance_weights(TRAINER, SAMPLER, MASK, level="token", cap=1.5)
    loss_w, _ = grpo_loss(logps, None, adv, MASK, settings, is_weights=w)
    (g_w,) = torch.autograd.grad(loss_w, logps)
    loss_1, _ = grpo_loss(logps, None, adv, MASK, settings)
    (g_1,) = torch.autograd.grad(loss_1, logps)
    assert torch.allclose(g_w, g_1 * w)
    assert w.requires_grad is False


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": "batch"}, "level must be one of token, sequence"),
        ({"mode": "clip"}, "mode must be"),
        ({"cap": 0}, "cap must be > 0"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        importance_weights(TRAINER, SAMPLER, MASK, **kwargs)
    with pytest.raises(ValueError, match="shapes differ"):
        importance_weights(TRAINER, SAMPLER[:, :2], MASK)
