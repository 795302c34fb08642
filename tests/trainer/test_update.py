"""The policy update: micro-batching and accumulation give the full-batch gradient; old/reference log-probs."""

from __future__ import annotations

import copy

import pytest
import torch

from trainer.config import from_dict
from trainer.logprobs import collate, completion_logprobs, token_logprobs
from trainer.losses import LossSettings
from trainer.model_loading import load_policy
from trainer.update import UpdateSettings, fill_old_and_reference_logprobs, make_micro_batches, policy_update

CPU = torch.device("cpu")


def rollouts(n=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    prompts = [
        torch.randint(3, 16, (int(torch.randint(1, 5, (1,), generator=g)),), generator=g).tolist() for _ in range(n)
    ]
    comps = [
        torch.randint(3, 16, (int(torch.randint(1, 6, (1,), generator=g)),), generator=g).tolist() for _ in range(n)
    ]
    adv = torch.randn(n, generator=g)
    return prompts, comps, adv


def settings(loss_type, mb, accum=0, iters=1, beta=0.0):
    return UpdateSettings(
        loss=LossSettings(loss_type=loss_type, beta=beta, max_completion_length=5),
        micro_batch_size=mb,
        gradient_accumulation_steps=accum,
        num_iterations=iters,
        max_grad_norm=0.0,
        chunk_size=4,
        temperature=1.0,
    )


def run_update(model, s, keep=None):
    prompts, comps, adv = rollouts()
    keep = keep or [True] * len(comps)
    mbs = make_micro_batches(prompts, comps, adv, keep, s.micro_batch_size, 0, CPU)
    fill_old_and_reference_logprobs(model, mbs, s, token_logprobs, None, False)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=1.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)
    before = [p.detach().clone() for p in params]
    stats = policy_update(model, opt, sched, params, mbs, s, token_logprobs)
    return [p.detach() - b for p, b in zip(params, before)], stats


@pytest.fixture(scope="module")
def full_model(tiny_model):
    cfg = from_dict({"model": {"path": str(tiny_model), "dtype": "float32", "finetune": "full"}}).validate()
    return load_policy(cfg, CPU).model


@pytest.mark.parametrize("loss_type", ["dapo", "grpo", "dr_grpo"])
def test_micro_batches_accumulate_to_the_full_batch_gradient(full_model, loss_type):
    one, s1 = run_update(copy.deepcopy(full_model), settings(loss_type, mb=8))
    many, s2 = run_update(copy.deepcopy(full_model), settings(loss_type, mb=3))
    assert s1["optimizer_steps"] == s2["optimizer_steps"] == 1
    assert s1["loss"] == pytest.approx(s2["loss"], rel=1e-5)
    for a, b in zip(one, many):
        assert torch.allclose(a, b, atol=1e-6)
    assert any(d.abs().sum() > 0 for d in one)


def test_masked_rows_give_no_gradient(full_model):
    deltas, stats = run_update(copy.deepcopy(full_model), settings("dapo", mb=4), keep=[False] * 8)
    assert all(d.abs().sum() == 0 for d in deltas) and stats["loss"] == 0.0


def test_several_iterations_keep_old_logprobs_and_clip(full_model):
    model = copy.deepcopy(full_model)
    prompts, comps, adv = rollouts()
    s = settings("dapo", mb=4, iters=3)
    mbs = make_micro_batches(prompts, comps, adv * 50, [True] * 8, 4, 0, CPU)
    fill_old_and_reference_logprobs(model, mbs, s, token_logprobs, None, False)
    assert all(mb.old_logps is not None for mb in mbs)
    old = [mb.old_logps.clone() for mb in mbs]
    params = list(model.parameters())
    opt = torch.optim.SGD(params, lr=0.5)
    stats = policy_update(
        model, opt, torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0), params, mbs, s, token_logprobs
    )
    assert stats["optimizer_steps"] == 3
    assert stats["clip_fraction"] > 0  # later iterations moved the ratio out of the trust region
    assert all(torch.equal(o, mb.old_logps) for o, mb in zip(old, mbs))
    # accumulation over fewer micro-batches than the step has also goes off-policy
    mbs = make_micro_batches(prompts, comps, adv, [True] * 8, 2, 0, CPU)
    fill_old_and_reference_logprobs(model, mbs, settings("dapo", mb=2, accum=2), token_logprobs, None, False)
    assert all(mb.old_logps is not None for mb in mbs)
    fill_old_and_reference_logprobs(model, mbs, settings("dapo", mb=2), token_logprobs, None, False)
    assert all(mb.old_logps is None for mb in mbs)


def test_lora_reference_is_the_base_model(tiny_model):
    cfg = from_dict({"model": {"path": str(tiny_model), "dtype": "float32"}, "lora": {"r": 4}, "grpo": {"beta": 0.1}})
    loaded = load_policy(cfg.validate(), CPU)
    with torch.no_grad():
        for n, p in loaded.model.named_parameters():
            if "lora_B" in n:
                p.normal_(0, 0.5)
    prompts, comps, adv = rollouts()
    mbs = make_micro_batches(prompts, comps, adv, [True] * 8, 8, 0, CPU)
    fill_old_and_reference_logprobs(loaded.model, mbs, settings("dapo", mb=8, beta=0.1), token_logprobs, None, True)
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(str(tiny_model), dtype=torch.float32)
    with torch.no_grad():
        want = completion_logprobs(base, collate(prompts, comps, 0, CPU), token_logprobs, 4, 1.0)
        adapted = completion_logprobs(loaded.model, collate(prompts, comps, 0, CPU), token_logprobs, 4, 1.0)
    m = mbs[0].seq.completion_mask.bool()
    assert torch.allclose(mbs[0].ref_logps[m], want[m], atol=1e-5)
    assert not torch.allclose(adapted[m], want[m], atol=1e-3)


def test_gradient_checkpointing_gives_the_same_update(tiny_model):
    deltas = []
    for gc in (False, True):
        cfg = from_dict(
            {"model": {"path": str(tiny_model), "dtype": "float32", "gradient_checkpointing": gc}, "lora": {"r": 4}}
        )
        torch.manual_seed(0)
        loaded = load_policy(cfg.validate(), CPU)
        with torch.no_grad():
            for n, p in loaded.model.named_parameters():
                if "lora_B" in n:
                    p.fill_(0.1)
        d, _ = run_update(loaded.model, settings("dapo", mb=4))
        deltas.append(d)
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(*deltas))
    assert any(d.abs().sum() > 0 for d in deltas[0])


@pytest.mark.parametrize("level", ["token", "sequence"])
def test_sampler_logprobs_give_truncated_importance_weights(full_model, level):
    model = copy.deepcopy(full_model)
    prompts, comps, adv = rollouts()
    # the trainer's own log-probs, to build a sampler whose log-probs are lower by a known amount
    mbs = make_micro_batches(prompts, comps, adv, [True] * 8, 4, 0, CPU)
    fill_old_and_reference_logprobs(model, mbs, settings("dapo", mb=4, iters=2), token_logprobs, None, False)
    sampler = [
        (mb.old_logps[row, : len(comps[i])] - 0.1).tolist()
        for k, mb in enumerate(mbs)
        for row, i in enumerate(range(4 * k, 4 * k + 4))
    ]
    mbs = make_micro_batches(prompts, comps, adv, [True] * 8, 4, 0, CPU, sampler_logps=sampler)
    s = settings("dapo", mb=4)
    s.importance_sampling, s.importance_sampling_cap = level, 1.05
    stats = fill_old_and_reference_logprobs(model, mbs, s, token_logprobs, None, False)
    assert any(k.startswith("is/") for k in stats)
    for mb in mbs:
        w = mb.is_weights[mb.mask.bool()]
        assert w.numel() and torch.all(w <= 1.05 + 1e-6)
        assert torch.all(w > 1.0)  # the trainer gives the sampled tokens more probability than the sampler did
        assert mb.old_logps is None  # one on-policy update: the ratio stays 1
