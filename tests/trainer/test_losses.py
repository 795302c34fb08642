"""GRPO loss variants against hand-computed values, and the gradient against a plain autograd reference."""

from __future__ import annotations

import math

import pytest
import torch

from trainer.logprobs import token_logprobs
from trainer.losses import LossSettings, aggregate, grpo_loss, per_token_loss


def test_clipped_surrogate_by_hand():
    logps = torch.tensor([[-1.0, -2.0]])
    old = torch.tensor([[-1.2, -1.5]])
    s = LossSettings(loss_type="grpo", epsilon_low=0.2, epsilon_high=0.28)
    r1, r2 = math.exp(0.2), math.exp(-0.5)
    loss, clipped, kl = per_token_loss(logps, old, torch.tensor([1.0]), s)
    assert loss.tolist()[0] == pytest.approx([-r1, -r2], abs=1e-6)  # neither ratio is clipped for A > 0
    assert clipped.tolist() == [[False, False]] and kl is None
    loss, clipped, _ = per_token_loss(logps, old, torch.tensor([-1.0]), s)
    assert loss.tolist()[0] == pytest.approx([r1, 0.8], abs=1e-6)  # r2 = 0.61 < 0.8 is clipped for A < 0
    assert clipped.tolist() == [[False, True]]
    up = per_token_loss(torch.tensor([[0.0]]), torch.tensor([[-0.5]]), torch.tensor([2.0]), s)
    assert up[0].item() == pytest.approx(-1.28 * 2.0) and up[1].item()  # clip-higher bound 1 + 0.28


def test_k3_kl_by_hand():
    logps = torch.tensor([[-1.0, -2.0]])
    ref = torch.tensor([[-1.5, -2.0]])
    s = LossSettings(loss_type="grpo", beta=0.1)
    loss, _, kl = per_token_loss(logps, None, torch.tensor([0.0]), s, ref_logps=ref)
    k3 = math.exp(-0.5) + 0.5 - 1.0
    assert kl.tolist()[0] == pytest.approx([k3, 0.0], abs=1e-6)
    assert loss.tolist()[0] == pytest.approx([0.1 * k3, 0.0], abs=1e-6)
    with pytest.raises(ValueError, match="reference"):
        per_token_loss(logps, None, torch.tensor([0.0]), s)


def test_importance_weights_scale_the_loss():
    s = LossSettings(loss_type="bnpo")
    w = torch.tensor([[0.5, 2.0]])
    loss, _, _ = per_token_loss(torch.tensor([[-1.0, -1.0]]), None, torch.tensor([1.0]), s, is_weights=w)
    assert loss.tolist()[0] == pytest.approx([-0.5, -2.0])


@pytest.mark.parametrize(
    "loss_type, kwargs, expected",
    [
        ("grpo", {}, (1.5 + 4.0) / 2),
        ("bnpo", {}, 7 / 3),
        ("dr_grpo", {}, 7 / (2 * 4)),
        ("dapo", {}, 7 / 3),
        ("dapo", {"num_items_in_batch": 10.0}, 0.7),
    ],
)
def test_aggregation_by_hand(loss_type, kwargs, expected):
    per_token = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    mask = torch.tensor([[1, 1, 0], [1, 0, 0]])
    s = LossSettings(loss_type=loss_type, max_completion_length=4)
    assert aggregate(per_token, mask, s, **kwargs).item() == pytest.approx(expected)


def plain_reference_loss(hidden, weight, ids, old, ref, adv, mask, s: LossSettings, temperature):
    """The GRPO loss written out directly on the full logits (no chunking, no shared code)."""
    logits = hidden @ weight.t() / temperature
    logp = torch.log_softmax(logits.float(), -1).gather(-1, ids[..., None])[..., 0]
    ratio = torch.exp(logp - old)
    a = adv[:, None]
    obj = torch.min(ratio * a, torch.clamp(ratio, 1 - s.epsilon_low, 1 + s.epsilon_high) * a)
    per_tok = -obj + s.beta * (torch.exp(ref - logp) - (ref - logp) - 1)
    m = mask.float()
    if s.loss_type == "grpo":
        return ((per_tok * m).sum(1) / m.sum(1)).mean()
    if s.loss_type == "bnpo":
        return (per_tok * m).sum() / m.sum()
    if s.loss_type == "dr_grpo":
        return (per_tok * m).sum() / (per_tok.shape[0] * s.max_completion_length)
    return (per_tok * m).sum() / m.sum()


@pytest.mark.parametrize("loss_type", ["grpo", "dr_grpo", "dapo", "bnpo"])
def test_gradient_matches_plain_autograd(loss_type):
    g = torch.Generator().manual_seed(0)
    b, t, h, v = 3, 5, 16, 37
    hidden = torch.randn(b, t, h, generator=g, dtype=torch.float64)
    weight = torch.randn(v, h, generator=g, dtype=torch.float64) * 0.3
    ids = torch.randint(0, v, (b, t), generator=g)
    mask = torch.ones(b, t)
    mask[0, 3:] = 0
    mask[2, 1:] = 0
    adv = torch.tensor([1.0, -0.5, 0.7], dtype=torch.float64)
    with torch.no_grad():
        base = torch.log_softmax(hidden @ weight.t() / 0.7, -1).gather(-1, ids[..., None])[..., 0]
    old = (base + 0.3 * torch.randn(b, t, generator=g, dtype=torch.float64)).float()
    ref = (base + 0.2 * torch.randn(b, t, generator=g, dtype=torch.float64)).float()
    s = LossSettings(loss_type=loss_type, beta=0.05, max_completion_length=t)

    h1, w1 = hidden.clone().requires_grad_(), weight.clone().requires_grad_()
    logps = token_logprobs(h1, w1, ids, chunk_size=4, temperature=0.7)
    loss, stats = grpo_loss(logps, old, adv.float(), mask, s, ref_logps=ref)
    loss.backward()

    h2, w2 = hidden.clone().requires_grad_(), weight.clone().requires_grad_()
    expected = plain_reference_loss(h2, w2, ids, old.double(), ref.double(), adv, mask, s, 0.7)
    expected.backward()

    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
    assert torch.allclose(h1.grad, h2.grad, atol=1e-6, rtol=1e-5)
    assert torch.allclose(w1.grad, w2.grad, atol=1e-6, rtol=1e-5)
    assert 0 <= stats["clip_fraction"] <= 1 and stats["kl"] > 0
