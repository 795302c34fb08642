"""Fused LoRA Functions and patch_lora against peft's unpatched layers, forward and backward (float32)."""

import pytest
import torch

from trainer.kernels import patch_lora, unpatch_lora
from trainer.kernels.lora_linear import LoraProjections, Projection
from trainer.kernels.lora_mlp import LoraSwiGLUMLP

peft = pytest.importorskip("peft", reason="the LoRA kernel tests need peft (pip install 'aha[train]')")
transformers = pytest.importorskip("transformers", reason="the LoRA kernel tests need transformers")


def _projection(n_in, n_out, rank, device, g, bias=False):
    base = torch.nn.Linear(n_in, n_out, bias=bias).to(device).requires_grad_(False)
    with torch.no_grad():
        base.weight.copy_(torch.randn(n_out, n_in, generator=g) / n_in**0.5)
        if bias:
            base.bias.copy_(torch.randn(n_out, generator=g))
    a = (torch.randn(rank, n_in, generator=g) / n_in**0.5).to(device).requires_grad_()
    b = (torch.randn(n_out, rank, generator=g) * 0.5).to(device).requires_grad_()
    return Projection(base=base, lora_a=a, lora_b=b, scale=2.0 / rank**0.5)


def _plain(p, x):
    return p.base(x) + (x @ p.lora_a.t()) @ p.lora_b.t() * p.scale


def _grads(out, inputs, seed):
    g = torch.Generator().manual_seed(seed)
    outs = out if isinstance(out, tuple) else (out,)
    loss = sum((o * torch.randn(o.shape, generator=g).to(o.device)).sum() for o in outs)
    return torch.autograd.grad(loss, inputs)


# (rows, in, outs, rank): ranks 8 to 128, odd sizes, one to three projections
PROJ_SHAPES = [
    (37, 48, (48, 16, 16), 8),
    (5, 33, (71,), 13),
    (129, 64, (96, 32, 32), 128),
    (64, 40, (24,), 64),
]


@pytest.mark.parametrize("rows,n_in,outs,rank", PROJ_SHAPES)
def test_projections_match_plain_autograd(rows, n_in, outs, rank, device, close_scaled):
    g = torch.Generator().manual_seed(rows + rank)
    projs = [_projection(n_in, o, rank, device, g, bias=i > 0) for i, o in enumerate(outs)]
    x = torch.randn(rows, n_in, generator=g).to(device).requires_grad_()
    params = [t for p in projs for t in (p.lora_a, p.lora_b)]
    fused = LoraProjections.apply(x, projs, *params)
    plain = tuple(_plain(p, x) for p in projs)
    for f, r in zip(fused, plain):
        torch.testing.assert_close(f, r, rtol=1e-5, atol=1e-5)
    for f, r in zip(_grads(fused, [x, *params], 1), _grads(plain, [x, *params], 1)):
        close_scaled(f, r, rel=1e-5)


@pytest.mark.parametrize(
    "rows,hidden,inter,rank,chunk", [(23, 32, 88, 8, 7), (70, 48, 130, 32, 64), (9, 24, 40, 128, 4)]
)
def test_swiglu_mlp_matches_plain_autograd(rows, hidden, inter, rank, chunk, device, close_scaled):
    g = torch.Generator().manual_seed(rows)
    gate, up = (_projection(hidden, inter, rank, device, g) for _ in range(2))
    down = _projection(inter, hidden, rank, device, g)
    x = torch.randn(rows, hidden, generator=g).to(device).requires_grad_()
    params = [t for p in (gate, up, down) for t in (p.lora_a, p.lora_b)]
    fused = LoraSwiGLUMLP.apply(x, [gate, up, down], chunk, *params)
    plain = _plain(down, torch.nn.functional.silu(_plain(gate, x)) * _plain(up, x))
    torch.testing.assert_close(fused, plain, rtol=1e-5, atol=1e-5)
    for f, r in zip(_grads(fused, [x, *params], 2), _grads(plain, [x, *params], 2)):
        close_scaled(f, r, rel=1e-5)


def _tiny_peft_model(device, rank=8, dropout=0.0, seed=0):
    torch.manual_seed(seed)
    cfg = transformers.LlamaConfig(
        vocab_size=211, hidden_size=48, intermediate_size=88, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, attention_bias=True, max_position_embeddings=64,
    )  # fmt: skip
    model = transformers.LlamaForCausalLM(cfg).to(device)
    targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    lora = peft.LoraConfig(r=rank, lora_alpha=2 * rank, target_modules=targets, lora_dropout=dropout)
    model = peft.get_peft_model(model, lora)
    for name, p in model.named_parameters():
        if "lora_B" in name:  # peft starts B at zero; random B makes the LoRA path count in the check
            torch.nn.init.normal_(p, std=0.2)
    return model


def _loss_and_grads(model, ids):
    model.zero_grad(set_to_none=True)
    out = model(input_ids=ids, labels=ids)
    out.loss.backward()
    return out.loss.detach(), {n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad}


def _producer(t):
    """Name of the autograd node that made t, looking through reshapes."""
    fn = t.grad_fn
    while fn is not None and type(fn).__name__.startswith(("View", "Reshape", "Unsafe")):
        fn = fn.next_functions[0][0]
    return type(fn).__name__


def _fused_grad_fns(model, ids):
    """Names of the autograd nodes behind each q_proj / o_proj / mlp output: shows the fused path really ran."""
    seen = []
    hooks = [
        m.register_forward_hook(lambda mod, inp, out: seen.append(_producer(out)))
        for n, m in model.named_modules()
        if n.endswith("self_attn.q_proj") or n.endswith("self_attn.o_proj") or n.endswith(".mlp")
    ]
    model(input_ids=ids)
    for h in hooks:
        h.remove()
    return seen


@pytest.mark.parametrize("rank", [8, 64])
def test_patch_lora_tiny_llama_same_loss_and_lora_grads(rank, device, close_scaled):
    model = _tiny_peft_model(device, rank=rank)
    ids = torch.randint(0, 211, (3, 17)).to(device)
    loss0, grads0 = _loss_and_grads(model, ids)
    assert patch_lora(model, chunk_rows=20) == 14  # 7 projections x 2 layers
    assert set(_fused_grad_fns(model, ids)) == {"LoraProjectionsBackward", "LoraSwiGLUMLPBackward"}
    loss1, grads1 = _loss_and_grads(model, ids)
    torch.testing.assert_close(loss1, loss0, rtol=1e-5, atol=1e-6)
    assert grads1.keys() == grads0.keys() and len(grads0) == 28
    for k in grads0:
        close_scaled(grads1[k], grads0[k], rel=1e-4)
    assert unpatch_lora(model) == 14
    assert not any("Lora" in n for n in _fused_grad_fns(model, ids))
    loss2, _ = _loss_and_grads(model, ids)
    torch.testing.assert_close(loss2, loss0)


@pytest.mark.slow
def test_patch_lora_with_gradient_checkpointing(device, close_scaled):
    model = _tiny_peft_model(device, seed=3)
    model.base_model.model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.train()
    ids = torch.randint(0, 211, (2, 12)).to(device)
    loss0, grads0 = _loss_and_grads(model, ids)
    patch_lora(model, chunk_rows=7)
    loss1, grads1 = _loss_and_grads(model, ids)
    torch.testing.assert_close(loss1, loss0, rtol=1e-5, atol=1e-6)
    for k in grads0:
        close_scaled(grads1[k], grads0[k], rel=1e-4)


def test_fallbacks_keep_peft_semantics(device):
    model = _tiny_peft_model(device, dropout=0.1, seed=5)
    ids = torch.randint(0, 211, (2, 10)).to(device)
    patch_lora(model, fuse_blocks=False)
    model.train()  # dropout active: the fused path would differ, so peft's own forward runs
    assert not any("Lora" in n for n in _fused_grad_fns(model, ids))
    model.eval()  # dropout off: fused
    assert "LoraProjectionsBackward" in _fused_grad_fns(model, ids)
    with model.disable_adapter():
        base_out = model(input_ids=ids).logits
    unpatch_lora(model)
    with model.disable_adapter():
        torch.testing.assert_close(model(input_ids=ids).logits, base_out)


def test_qkv_block_not_reused_for_another_input(device):
    model = _tiny_peft_model(device, seed=7)
    patch_lora(model)
    attn = model.base_model.model.model.layers[0].self_attn
    x1, x2 = torch.randn(2, 3, 48, device=device), torch.randn(2, 3, 48, device=device)
    attn.q_proj(x1)
    k2 = attn.k_proj(x2)  # not the input q saw: must be computed for x2
    unpatch_lora(model)
    torch.testing.assert_close(k2, attn.k_proj(x2))


def test_patch_is_idempotent_and_skips_unsupported(device):
    model = _tiny_peft_model(device)
    assert patch_lora(model) == 14
    assert patch_lora(model) == 0  # already patched
    assert unpatch_lora(model) == 14
    assert unpatch_lora(model) == 0
    plain = torch.nn.Sequential(torch.nn.Linear(4, 4))
    assert patch_lora(plain) == 0
    with pytest.raises(ValueError, match="chunk_rows must be positive"):
        patch_lora(model, chunk_rows=0)


@pytest.mark.parametrize(
    "n,chunk,expected", [(4224, 2048, 1408), (100, 2048, 100), (4096, 2048, 2048), (7, 2, 2), (0, 4, 1)]
)
def test_balanced_chunks(n, chunk, expected):
    from trainer.kernels.lora_linear import balanced_chunk

    assert balanced_chunk(n, chunk) == expected


@pytest.mark.parametrize("backend", ["triton", "torch"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_lora_add_backends_agree(backend, dtype, device, monkeypatch):
    from trainer.kernels.lora_linear import lora_add_

    if dtype == torch.float16 and device == "cpu" and backend == "triton":
        pytest.skip("Triton's interpreter computes 16-bit tl.dot wrongly; this case runs on the GPU")
    monkeypatch.setenv("AHA_LORA_ADD", backend)
    g = torch.Generator().manual_seed(11)
    y = torch.randn(70, 130, generator=g).to(device)
    big = torch.randn(70, 40, generator=g).to(device)
    a = big[:, 8:21]  # a strided column slice, as the stacked q/k/v low-rank inputs are
    b = torch.randn(130, 13, generator=g).to(device).t()
    expected = y.double() + 0.7 * (a.double() @ b.double())
    out = lora_add_(y.to(dtype), a.to(dtype), b.to(dtype), 0.7)
    tol = 1e-5 if dtype == torch.float32 else 1e-2
    torch.testing.assert_close(out.double(), expected, rtol=tol, atol=tol)
