"""fused_grpo_loss against grpo_loss(token_logprobs_reference(...)) for every loss type, forward and backward."""

import itertools

import pytest
import torch

from trainer.kernels import fused_grpo_loss
from trainer.logprobs import token_logprobs_reference
from trainer.losses import LOSS_TYPES, LossSettings, grpo_loss


def _batch(b, t, h, v, device, seed, *, with_old=True, with_ref=True, with_isw=False, token_adv=False):
    g = torch.Generator().manual_seed(seed)
    hidden = torch.randn(b, t, h, generator=g).to(device).requires_grad_()
    weight = (torch.randn(v, h, generator=g) / h**0.5 * 2).to(device).requires_grad_()
    ids = torch.randint(0, v, (b, t), generator=g).to(device)
    adv = torch.randn(b, t, generator=g) if token_adv else torch.randn(b, generator=g)
    mask = (torch.rand(b, t, generator=g) > 0.25).float()
    mask[0, -max(1, t // 3) :] = 0.0  # one shorter completion
    base = token_logprobs_reference(hidden, weight, ids).detach().cpu()
    # old log-probs around the current ones, so that some ratios leave [1 - eps_low, 1 + eps_high]
    old = base + 0.3 * torch.randn(b, t, generator=g) if with_old else None
    ref = base + 0.2 * torch.randn(b, t, generator=g) if with_ref else None
    isw = torch.rand(b, t, generator=g) + 0.5 if with_isw else None
    to = lambda x: None if x is None else x.to(device)  # noqa: E731
    return hidden, weight, ids, to(adv), to(mask), to(old), to(ref), to(isw)


def _check(settings, batch, chunk, close_scaled, num_items=None, temp=1.0):
    hidden, weight, ids, adv, mask, old, ref, isw = batch
    loss, logps, stats = fused_grpo_loss(
        hidden, weight, ids, adv, mask, settings, old_logps=old, ref_logps=ref, is_weights=isw,
        num_items_in_batch=num_items, chunk_size=chunk, temperature=temp,
    )  # fmt: skip
    ref_logps = token_logprobs_reference(hidden, weight, ids, temperature=temp)
    expected, expected_stats = grpo_loss(
        ref_logps, old, adv, mask, settings, ref_logps=ref, is_weights=isw, num_items_in_batch=num_items
    )
    torch.testing.assert_close(loss, expected, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(logps, ref_logps.detach(), rtol=1e-5, atol=2e-5)
    assert not logps.requires_grad
    assert stats.keys() == expected_stats.keys()
    for k in stats:
        assert stats[k] == pytest.approx(expected_stats[k], rel=1e-5, abs=1e-6)
    gh, gw = torch.autograd.grad(loss * 3.0, (hidden, weight))
    rh, rw = torch.autograd.grad(expected * 3.0, (hidden, weight))
    close_scaled(gh, rh)
    close_scaled(gw, rw)
    return stats


@pytest.mark.parametrize(
    "loss_type,with_old,beta,with_isw",
    [
        (lt, wo, beta, isw)
        for lt, (wo, beta, isw) in itertools.product(LOSS_TYPES, [(True, 0.04, False), (False, 0.0, True)])
    ],
)
def test_every_loss_type_matches_reference(loss_type, with_old, beta, with_isw, device, close_scaled):
    settings = LossSettings(loss_type=loss_type, beta=beta, max_completion_length=11)
    batch = _batch(
        3, 11, 24, 32003, device, seed=len(loss_type), with_old=with_old, with_ref=beta > 0, with_isw=with_isw
    )
    stats = _check(settings, batch, chunk=7, close_scaled=close_scaled)
    if with_old:
        assert 0 < stats["clip_fraction"] < 1  # both branches of the clipped objective are exercised


def test_dapo_with_num_items_and_token_advantages_and_temperature(device, close_scaled):
    settings = LossSettings(loss_type="dapo", epsilon_low=0.1, epsilon_high=0.15, beta=0.1)
    batch = _batch(2, 9, 16, 5001, device, seed=4, with_isw=True, token_adv=True)
    _check(settings, batch, chunk=5, close_scaled=close_scaled, num_items=40.0, temp=0.8)


def test_large_vocab_few_tokens(device, close_scaled):
    settings = LossSettings(loss_type="grpo", beta=0.02)
    _check(settings, _batch(2, 3, 32, 151936, device, seed=8), chunk=None, close_scaled=close_scaled)


@pytest.mark.slow
def test_many_tokens_small_vocab(device, close_scaled):
    settings = LossSettings(loss_type="dr_grpo", max_completion_length=2048)
    _check(settings, _batch(2, 2048, 8, 67, device, seed=9, with_ref=False), chunk=1500, close_scaled=close_scaled)


def test_frozen_head_and_no_grad(device):
    hidden, weight, ids, adv, mask, old, _, _ = _batch(2, 5, 8, 301, device, seed=2, with_ref=False)
    weight = weight.detach()
    loss, _, _ = fused_grpo_loss(hidden, weight, ids, adv, mask, LossSettings(), old_logps=old)
    loss.backward()
    assert hidden.grad is not None and weight.grad is None
    with torch.no_grad():
        loss2, logps, _ = fused_grpo_loss(hidden, weight, ids, adv, mask, LossSettings(), old_logps=old)
    assert not loss2.requires_grad
    torch.testing.assert_close(loss2, loss.detach())


def test_all_masked_row_and_empty_mask(device, close_scaled):
    hidden, weight, ids, adv, mask, old, ref, _ = _batch(3, 6, 8, 211, device, seed=6)
    mask[1] = 0.0
    _check(LossSettings(loss_type="grpo", beta=0.1), (hidden, weight, ids, adv, mask, old, ref, None), 4, close_scaled)
    zero = torch.zeros_like(mask)
    loss, _, stats = fused_grpo_loss(hidden, weight, ids, adv, zero, LossSettings(), old_logps=old)
    assert loss.item() == 0.0 and stats["clip_fraction"] == 0.0


@pytest.mark.parametrize(
    "change,message",
    [
        ("mask", "mask must have shape"),
        ("adv", "advantages must have shape"),
        ("ref", "beta > 0 needs reference log-probs"),
        ("hidden2d", "hidden must be"),
    ],
)
def test_bad_input_is_a_clear_error(change, message, device):
    hidden, weight, ids, adv, mask, old, ref, _ = _batch(2, 4, 8, 50, device, seed=1)
    settings = LossSettings(beta=0.1)
    if change == "mask":
        mask = mask[:, :3]
    elif change == "adv":
        adv = adv[:1]
    elif change == "ref":
        ref = None
    elif change == "hidden2d":
        hidden, ids, mask, old, ref = hidden[0], ids[0], mask[0], old[0], ref[0]
    with pytest.raises(ValueError, match=message):
        fused_grpo_loss(hidden, weight, ids, adv, mask, settings, old_logps=old, ref_logps=ref)
