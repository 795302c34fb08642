"""The folded grouped-query decode attention gives transformers' sdpa results without copying the cache."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from trainer.rollout.transformers.decode_attention import folded_gqa_attention, folded_gqa_sdpa  # noqa: E402


class _Attn(torch.nn.Module):
    def __init__(self, groups: int):
        super().__init__()
        self.num_key_value_groups = groups
        self.is_causal = True


def _sdpa():
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    return sdpa_attention_forward


def _inputs(b=3, kv=2, groups=3, q_len=1, length=11, d=8, seed=0, mask="shared"):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(b, kv * groups, q_len, d, generator=g)
    k = torch.randn(b, kv, length, d, generator=g)
    v = torch.randn(b, kv, length, d, generator=g)
    m = None
    if mask != "none":
        heads = 1 if mask == "shared" else kv * groups
        allowed = torch.rand(b, heads, q_len, length, generator=g) > 0.3
        allowed[..., 0] = True
        m = torch.zeros(allowed.shape).masked_fill(~allowed, torch.finfo(torch.float32).min)
    return q, k, v, m


@pytest.mark.parametrize("mask", ["shared", "per_head", "none"])
@pytest.mark.parametrize("groups", [2, 6])
def test_one_token_step_equals_transformers_sdpa(mask, groups):
    q, k, v, m = _inputs(groups=groups, mask=mask, seed=groups)
    module = _Attn(groups)
    want, _ = _sdpa()(module, q, k, v, m, dropout=0.0, scaling=0.3)
    got, _ = folded_gqa_sdpa(_sdpa(), module, q, k, v, m, dropout=0.0, scaling=0.3)
    assert got.shape == want.shape == (3, 1, 2 * groups, 8)
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)


def test_prefill_and_plain_attention_go_to_the_original():
    calls = []

    def original(*a, **k):
        calls.append(a[1].shape)
        return "original", None

    q, k, v, m = _inputs(q_len=4)
    assert folded_gqa_sdpa(original, _Attn(3), q, k, v, m, dropout=0.0)[0] == "original"  # prefill: 4 queries
    q, k, v, m = _inputs(groups=1)
    assert folded_gqa_sdpa(original, _Attn(1), q, k, v, m, dropout=0.0)[0] == "original"  # no grouping
    q, k, v, m = _inputs()
    assert folded_gqa_sdpa(original, _Attn(3), q, k, v, m, dropout=0.1)[0] == "original"  # training dropout
    assert len(calls) == 3


def test_installed_only_inside_the_block_and_only_for_sdpa_models():
    from transformers import Qwen2Config, Qwen2ForCausalLM
    from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS

    cfg = dict(vocab_size=32, hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=4,
               num_key_value_heads=2)  # fmt: skip
    before = ALL_ATTENTION_FUNCTIONS["sdpa"]
    model = Qwen2ForCausalLM(Qwen2Config(**cfg, attn_implementation="sdpa"))
    with folded_gqa_attention(model) as on:
        assert on and ALL_ATTENTION_FUNCTIONS["sdpa"] is not before
    assert ALL_ATTENTION_FUNCTIONS["sdpa"] is before
    eager = Qwen2ForCausalLM(Qwen2Config(**cfg, attn_implementation="eager"))
    with folded_gqa_attention(eager) as on:
        assert not on and ALL_ATTENTION_FUNCTIONS["sdpa"] is before
