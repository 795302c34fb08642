"""The larger sweep on a CUDA GPU in bfloat16 (skipped elsewhere): kernels against float32 truth and torch bf16.

Tolerances: the Triton path's error against float32 math on the same bf16 inputs must stay within twice
the plain PyTorch bf16 path's error (plus a small floor), i.e. no worse than bf16 itself allows.
"""

import pytest
import torch

from trainer.kernels import fused_grpo_loss, patch_lora, token_logprobs, unpatch_lora
from trainer.kernels.lora_linear import LoraProjections, Projection
from trainer.kernels.lora_mlp import LoraSwiGLUMLP
from trainer.logprobs import token_logprobs as torch_chunked
from trainer.logprobs import token_logprobs_reference
from trainer.losses import LOSS_TYPES, LossSettings, grpo_loss

pytestmark = pytest.mark.gpu
BF16 = torch.bfloat16


def _rel(a, b):
    return ((a.double() - b.double()).norm() / b.double().norm().clamp(min=1e-30)).item()


def _within_bf16(ours, torch_bf16, truth, floor):
    e_ours, e_torch = _rel(ours, truth), _rel(torch_bf16, truth)
    assert e_ours <= 2 * e_torch + floor, f"triton error {e_ours:.3g} vs torch bf16 {e_torch:.3g}"


@pytest.mark.parametrize(
    "n,h,v,temp",
    [(8192, 1536, 151936, 1.0), (4096, 2048, 32000, 0.7), (1000, 896, 151936, 1.0), (777, 1536, 128257, 1.2),
     (8192, 512, 50257, 1.0), (3, 1536, 152064, 1.0)],
)  # fmt: skip
def test_token_logprobs_bf16_sweep(n, h, v, temp, gpu):
    torch.manual_seed(n + v)
    hidden = torch.randn(n, h, device=gpu, dtype=BF16).requires_grad_()
    weight = (torch.randn(v, h, device=gpu) / h**0.5 * 2).to(BF16).requires_grad_()
    ids = torch.randint(0, v, (n,), device=gpu)
    grad_out = torch.randn(n, device=gpu)
    ours = token_logprobs(hidden, weight, ids, temperature=temp)
    g_ours = torch.autograd.grad((ours * grad_out).sum(), (hidden, weight))
    ref = torch_chunked(hidden, weight, ids, temperature=temp)
    g_ref = torch.autograd.grad((ref * grad_out).sum(), (hidden, weight))
    h32, w32 = hidden.detach().float().requires_grad_(), weight.detach().float().requires_grad_()
    truth = token_logprobs_reference(h32, w32, ids, temperature=temp)
    g_truth = torch.autograd.grad((truth * grad_out).sum(), (h32, w32))
    _within_bf16(ours, ref, truth, 1e-3)
    for a, b, t in zip(g_ours, g_ref, g_truth):
        _within_bf16(a, b, t, 1e-2)


@pytest.mark.parametrize("loss_type", LOSS_TYPES)
@pytest.mark.parametrize("b,t,h,v", [(8, 1024, 1536, 151936), (4, 2048, 896, 32000), (16, 255, 1024, 50257)])
def test_fused_grpo_loss_bf16_sweep(loss_type, b, t, h, v, gpu):
    torch.manual_seed(b * t + v)
    hidden = torch.randn(b, t, h, device=gpu, dtype=BF16).requires_grad_()
    weight = (torch.randn(v, h, device=gpu) / h**0.5 * 2).to(BF16)
    ids = torch.randint(0, v, (b, t), device=gpu)
    adv = torch.randn(b, device=gpu)
    mask = (torch.rand(b, t, device=gpu) > 0.1).float()
    with torch.no_grad():
        base = token_logprobs_reference(hidden.float(), weight.float(), ids)
    old = base + 0.2 * torch.randn_like(base)
    ref_lp = base + 0.1 * torch.randn_like(base)
    settings = LossSettings(loss_type=loss_type, beta=0.04, max_completion_length=t)
    loss, logps, stats = fused_grpo_loss(hidden, weight, ids, adv, mask, settings, old_logps=old, ref_logps=ref_lp)
    (g_ours,) = torch.autograd.grad(loss, hidden)
    lp_ref = torch_chunked(hidden, weight, ids)
    loss_ref, stats_ref = grpo_loss(lp_ref, old, adv, mask, settings, ref_logps=ref_lp)
    (g_ref,) = torch.autograd.grad(loss_ref, hidden)
    h32 = hidden.detach().float().requires_grad_()
    lp_truth = token_logprobs_reference(h32, weight.float(), ids)
    loss_truth, stats_truth = grpo_loss(lp_truth, old, adv, mask, settings, ref_logps=ref_lp)
    (g_truth,) = torch.autograd.grad(loss_truth, h32)
    _within_bf16(loss.detach()[None], loss_ref.detach()[None], loss_truth.detach()[None], 1e-3)
    _within_bf16(logps, lp_ref.detach(), lp_truth.detach(), 1e-3)
    _within_bf16(g_ours, g_ref, g_truth, 1e-2)
    assert abs(stats["clip_fraction"] - stats_truth["clip_fraction"]) < 0.02


def _bf16_projection(n_in, n_out, rank, gpu, bias):
    base = torch.nn.Linear(n_in, n_out, bias=bias, device=gpu, dtype=BF16).requires_grad_(False)
    a = (torch.randn(rank, n_in, device=gpu) / n_in**0.5).requires_grad_()
    b = (torch.randn(n_out, rank, device=gpu) * 0.05).requires_grad_()
    return Projection(base=base, lora_a=a, lora_b=b, scale=2.0)


def _peft_like(p, x, to32=False):
    """peft's own arithmetic (bf16 base, float32 LoRA path); to32: everything in float32 (the truth)."""
    w = p.base.weight.float() if to32 else p.base.weight
    bias = None if p.base.bias is None else (p.base.bias.float() if to32 else p.base.bias)
    base = torch.nn.functional.linear(x, w, bias)
    lora = (x.float() @ p.lora_a.t()) @ p.lora_b.t() * p.scale
    return base + lora if to32 else (base + lora).to(x.dtype)


def _grad_set(outs, inputs, seed):
    gen = torch.Generator(device=outs[0].device).manual_seed(seed)
    loss = sum((o.float() * torch.randn(o.shape, device=o.device, generator=gen)).sum() for o in outs)
    return torch.autograd.grad(loss, inputs)


@pytest.mark.parametrize("rank", [8, 16, 64, 128])
@pytest.mark.parametrize("rows", [8192, 1001])
def test_lora_qkv_and_mlp_bf16_sweep(rank, rows, gpu):
    torch.manual_seed(rank + rows)
    qkv = [_bf16_projection(1536, o, rank, gpu, bias=True) for o in (1536, 256, 256)]
    mlp = [_bf16_projection(1536, 8960, rank, gpu, False) for _ in range(2)] + [
        _bf16_projection(8960, 1536, rank, gpu, False)
    ]
    x = torch.randn(rows, 1536, device=gpu, dtype=BF16).requires_grad_()
    x32 = x.detach().float().requires_grad_()
    for projs, kind in ((qkv, "qkv"), (mlp, "mlp")):
        params = [t for p in projs for t in (p.lora_a, p.lora_b)]
        if kind == "qkv":
            ours = LoraProjections.apply(x, projs, *params)
            ref = tuple(_peft_like(p, x) for p in projs)
            truth = tuple(_peft_like(p, x32, to32=True) for p in projs)
        else:
            g, u, d = projs
            ours = (LoraSwiGLUMLP.apply(x, projs, 1024, *params),)
            ref = (_peft_like(d, torch.nn.functional.silu(_peft_like(g, x)) * _peft_like(u, x)),)
            truth = (
                _peft_like(d, torch.nn.functional.silu(_peft_like(g, x32, True)) * _peft_like(u, x32, True), True),
            )
        for o, r, t in zip(ours, ref, truth):
            _within_bf16(o, r, t, 1e-3)
        go = _grad_set(ours, [x, *params], 1)
        gr = _grad_set(ref, [x, *params], 1)
        gt = _grad_set(truth, [x32, *params], 1)
        for a, b, t in zip(go, gr, gt):
            _within_bf16(a, b, t, 1e-2)


def _qwen_like(gpu, quantize: bool, tmp_path):
    transformers = pytest.importorskip("transformers")
    peft = pytest.importorskip("peft")
    torch.manual_seed(0)
    cfg = transformers.Qwen2Config(
        vocab_size=4096, hidden_size=512, intermediate_size=1408, num_hidden_layers=3, num_attention_heads=8,
        num_key_value_heads=2, tie_word_embeddings=True, max_position_embeddings=1024,
    )  # fmt: skip
    model = transformers.Qwen2ForCausalLM(cfg).to(BF16)
    if not quantize:
        model = model.to(gpu)
    else:  # a 4-bit model is placed by from_pretrained (bitsandbytes models refuse .to)
        model.save_pretrained(tmp_path)
        q = transformers.BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=BF16)
        model = transformers.Qwen2ForCausalLM.from_pretrained(tmp_path, quantization_config=q, device_map={"": 0})
    targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    model = peft.get_peft_model(model, peft.LoraConfig(r=16, lora_alpha=32, target_modules=targets))
    for name, p in model.named_parameters():
        if "lora_B" in name:
            torch.nn.init.normal_(p, std=0.02)
    return model


def _loss_grads(model, ids):
    model.zero_grad(set_to_none=True)
    out = model(input_ids=ids, labels=ids)
    out.loss.backward()
    return out.loss.detach().float(), {n: p.grad.float() for n, p in model.named_parameters() if p.requires_grad}


@pytest.mark.parametrize("quantize", [False, True], ids=["bf16", "nf4"])
def test_patch_lora_qwen_like_bf16_and_nf4(quantize, gpu, tmp_path):
    if quantize:
        pytest.importorskip("bitsandbytes", reason="the NF4 path needs bitsandbytes")
    model = _qwen_like(gpu, quantize, tmp_path)
    inner = model.base_model.model
    inner.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.train()
    ids = torch.randint(0, 4096, (4, 700), device=gpu)
    loss0, g0 = _loss_grads(model, ids)
    assert patch_lora(model) == 21
    loss1, g1 = _loss_grads(model, ids)
    unpatch_lora(model)
    assert abs(loss1 - loss0).item() < 2e-2 * abs(loss0).item()
    rel = [_rel(g1[k], g0[k]) for k in g0]
    assert max(rel) < 5e-2, max(rel)
    assert sum(rel) / len(rel) < 2e-2
