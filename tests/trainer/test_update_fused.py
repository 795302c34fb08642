"""The policy update with the fused Triton GRPO loss (Triton's interpreter on the CPU) equals the PyTorch path."""

from __future__ import annotations

import copy
import importlib.util

import pytest
from triton_interpreter import import_interpreted

torch = pytest.importorskip("torch")
if importlib.util.find_spec("triton") is None:
    pytest.skip("the fused-loss update test needs Triton (pip install 'aha[triton]')", allow_module_level=True)

INTERPRET = not torch.cuda.is_available()
if INTERPRET:
    # triton itself too: transformers imports it (the fixture below sets the variable again, for available())
    import_interpreted("triton.language", "trainer.kernels.logprobs", "trainer.kernels.grpo_loss")
    import triton.language as tl  # noqa: E402

    if "Interpreted" not in type(tl.zeros).__name__:
        pytest.skip(
            "Triton was imported before this file could turn on its interpreter: run with TRITON_INTERPRET=1",
            allow_module_level=True,
        )

from trainer.config import from_dict  # noqa: E402
from trainer.kernels.choice import choose_kernels  # noqa: E402
from trainer.losses import LossSettings  # noqa: E402
from trainer.model_loading import load_policy  # noqa: E402
from trainer.update import UpdateSettings, fill_old_and_reference_logprobs, make_micro_batches, policy_update  # noqa: E402

# the compiled kernels on a GPU (float32, like the interpreter on the CPU)
DEV = torch.device("cuda" if torch.cuda.is_available() else "cpu")


@pytest.fixture(autouse=True)
def _triton_interpreter(monkeypatch):
    """available() (so choose_kernels('triton')) accepts the CPU only with TRITON_INTERPRET=1."""
    if INTERPRET:
        monkeypatch.setenv("TRITON_INTERPRET", "1")


def _rollouts(n=6, seed=0):
    g = torch.Generator().manual_seed(seed)

    def ids(lo, hi):
        return torch.randint(3, 16, (int(torch.randint(lo, hi, (1,), generator=g)),), generator=g).tolist()

    prompts = [ids(1, 5) for _ in range(n)]
    comps = [ids(1, 6) for _ in range(n)]
    sampler = [[-1.5 + 0.1 * k for k in range(len(c))] for c in comps]
    return prompts, comps, torch.randn(n, generator=g) * 3, sampler


def _update(loaded, kernels, s: UpdateSettings, sync=None):
    model = loaded.model
    prompts, comps, adv, sampler = _rollouts()
    keep = [True, True, False, True, True, True]  # one masked row
    mbs = make_micro_batches(prompts, comps, adv, keep, s.micro_batch_size, 0, DEV, sampler_logps=sampler)
    pre = fill_old_and_reference_logprobs(
        model, mbs, s, kernels.token_logprobs, loaded.reference, loaded.is_peft, sync=sync
    )
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=0.05)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)
    before = [p.detach().clone() for p in params]
    stats = policy_update(
        model, opt, sched, params, mbs, s, kernels.token_logprobs, sync=sync, fused_loss=kernels.fused_grpo_loss
    )
    return [p.detach() - b for p, b in zip(params, before)], {**pre, **stats}


def _settings(loss_type, beta, **kw):
    base = dict(
        micro_batch_size=2,
        gradient_accumulation_steps=2,
        num_iterations=2,
        max_grad_norm=0.0,
        chunk_size=5,
        temperature=0.9,
        importance_sampling="token",
    )
    return UpdateSettings(loss=LossSettings(loss_type=loss_type, beta=beta, max_completion_length=5), **{**base, **kw})


@pytest.fixture(scope="module")
def models(tiny_model):
    def load(lora: bool):
        d = {
            "model": {"path": str(tiny_model), "dtype": "float32", "finetune": "lora" if lora else "full"},
            "grpo": {"beta": 0.1},  # a full fine-tune then loads a frozen reference model
        }
        if lora:
            d["lora"] = {"r": 4}
        torch.manual_seed(0)
        loaded = load_policy(from_dict(d).validate(), DEV)
        with torch.no_grad():
            for n, p in loaded.model.named_parameters():
                if "lora_B" in n:
                    p.copy_(0.3 * torch.randn(p.shape, generator=torch.Generator().manual_seed(1)))
        return loaded

    return {"full": load(False), "lora": load(True)}


@pytest.mark.parametrize(
    "kind,loss_type,beta,kw",
    [
        ("full", "dapo", 0.0, {}),  # trains the head: gradients to the hidden states and to the head weight
        ("lora", "grpo", 0.1, {}),  # reference = the base model with the adapter off
        ("full", "bnpo", 0.05, {"num_iterations": 1, "gradient_accumulation_steps": 0, "importance_sampling": "none"}),
    ],
)
def test_fused_loss_update_equals_the_torch_update(models, monkeypatch, kind, loss_type, beta, kw):
    triton_kernels = choose_kernels("triton", DEV)
    assert triton_kernels.name == "triton" and triton_kernels.fused_grpo_loss is not None
    torch_kernels = choose_kernels("torch", DEV)
    assert torch_kernels.fused_grpo_loss is None
    calls = []
    fused = triton_kernels.fused_grpo_loss
    monkeypatch.setattr(triton_kernels, "fused_grpo_loss", lambda *a, **k: calls.append(1) or fused(*a, **k))

    s = _settings(loss_type, beta, **kw)
    want_d, want = _update(copy.deepcopy(models[kind]), torch_kernels, s)
    got_d, got = _update(copy.deepcopy(models[kind]), triton_kernels, s)

    n_micro = 3
    assert len(calls) == n_micro * s.num_iterations  # the fused loss ran for every micro-batch
    assert got.keys() == want.keys()
    assert ("kl" in got) == (beta > 0)
    assert ("is/raw_weight_mean" in got) == (s.importance_sampling != "none")  # importance weights were applied
    for key in want:
        assert got[key] == pytest.approx(want[key], rel=1e-5, abs=1e-6), (key, got, want)
    if s.num_iterations > 1:
        assert want["clip_fraction"] > 0  # the second pass is off-policy and clips
    assert any(d.abs().sum() > 0 for d in want_d)
    for a, b in zip(got_d, want_d):
        assert torch.allclose(a, b, rtol=1e-4, atol=1e-5), (a - b).abs().max()


class _OneRankSync:
    """GradSync's interface for one process, recording the path the update took."""

    world_size = 1

    def __init__(self, model):
        self.model, self.calls = model, []

    def fused(self, seq, loss_fn):
        from trainer.logprobs import completion_hidden

        self.calls.append("fused")
        return loss_fn(*completion_hidden(self.model, seq))

    def logprobs(self, seq):  # the unfused path: must not be taken when there is a fused loss
        raise AssertionError("logprobs() called although the fused loss was given")

    def no_sync(self):
        import contextlib

        return contextlib.nullcontext()

    def sum(self, values):
        return list(values)


def test_under_gradient_sync_the_fused_loss_runs_inside_the_wrapper(models):
    kernels = choose_kernels("triton", DEV)
    s = _settings("grpo", 0.1)  # reference log-probs, importance weights, 2 iterations, accumulation
    want_d, want = _update(copy.deepcopy(models["lora"]), kernels, s)
    loaded = copy.deepcopy(models["lora"])
    sync = _OneRankSync(loaded.model)
    got_d, got = _update(loaded, kernels, s, sync=sync)
    assert sync.calls == ["fused"] * 3 * s.num_iterations  # every micro-batch of every pass
    for key in want:
        assert got[key] == pytest.approx(want[key], rel=1e-5, abs=1e-6), key
    for a, b in zip(got_d, want_d):
        assert torch.allclose(a, b, rtol=1e-5, atol=1e-7)
