"""The Triton chunked log-probs against the plain PyTorch reference, forward and backward (float32)."""

import pytest
import torch

from trainer.kernels import token_logprobs
from trainer.logprobs import token_logprobs as torch_chunked
from trainer.logprobs import token_logprobs_reference

# (tokens, hidden, vocab, chunk, temperature): odd sizes, large vocabularies with few tokens, many tokens
# with small vocabularies (the interpreter runs one Python loop per row, so big products are for the GPU)
SHAPES = [
    (7, 33, 32001, 3, 1.0),
    (5, 24, 151936, 2, 0.7),
    (3, 16, 152064, None, 1.3),
    (64, 40, 50257, 16, 1.0),
    (1, 8, 4099, 1, 1.0),
    pytest.param(3000, 12, 97, 1024, 0.9, marks=pytest.mark.slow),  # many tokens: slow under Triton's interpreter
    (1000, 20, 513, 333, 1.0),
]


def _inputs(n, h, v, device, seed):
    g = torch.Generator().manual_seed(seed)
    hidden = torch.randn(n, h, generator=g).to(device).requires_grad_()
    weight = (torch.randn(v, h, generator=g) / h**0.5 * 3).to(device).requires_grad_()
    ids = torch.randint(0, v, (n,), generator=g).to(device)
    return hidden, weight, ids


@pytest.mark.parametrize("n,h,v,chunk,temp", SHAPES)
def test_matches_reference_forward_backward(n, h, v, chunk, temp, device, close_scaled):
    hidden, weight, ids = _inputs(n, h, v, device, seed=n * 7 + v)
    out = token_logprobs(hidden, weight, ids, chunk_size=chunk, temperature=temp)
    ref = token_logprobs_reference(hidden, weight, ids, temperature=temp)
    assert out.dtype == torch.float32 and out.shape == ids.shape
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=2e-5)
    grad_out = torch.randn(n, device=device)
    gh, gw = torch.autograd.grad((out * grad_out).sum(), (hidden, weight))
    rh, rw = torch.autograd.grad((ref * grad_out).sum(), (hidden, weight))
    close_scaled(gh, rh)
    close_scaled(gw, rw)


def test_same_as_torch_chunked_path_on_batched_input(device):
    g = torch.Generator().manual_seed(3)
    hidden = torch.randn(3, 11, 20, generator=g).to(device).requires_grad_()
    weight = torch.randn(1000, 20, generator=g).to(device)
    ids = torch.randint(0, 1000, (3, 11), generator=g).to(device)
    out = token_logprobs(hidden, weight, ids, chunk_size=4)
    ref = torch_chunked(hidden, weight, ids, chunk_size=4)
    assert out.shape == (3, 11)
    torch.testing.assert_close(out, ref, rtol=1e-5, atol=2e-5)
    (gh,) = torch.autograd.grad(out.sum(), hidden)
    (rh,) = torch.autograd.grad(ref.sum(), hidden)
    torch.testing.assert_close(gh, rh, rtol=1e-4, atol=1e-5)


def test_weight_without_grad_gets_none_and_hidden_still_flows(device):
    hidden, weight, ids = _inputs(9, 16, 3001, device, seed=1)
    weight = weight.detach()
    out = token_logprobs(hidden, weight, ids, chunk_size=4)
    out.sum().backward()
    assert weight.grad is None and hidden.grad is not None and hidden.grad.abs().sum() > 0


@pytest.mark.parametrize("temp", [1.0, 0.6])
def test_entropy_matches_softmax_entropy(temp, device):
    hidden, weight, ids = _inputs(13, 24, 40961, device, seed=5)
    logp, entropy = token_logprobs(hidden, weight, ids, chunk_size=5, temperature=temp, return_entropy=True)
    logits = (hidden @ weight.t()).float() / temp
    expected = -(logits.softmax(-1) * logits.log_softmax(-1)).sum(-1)
    torch.testing.assert_close(entropy, expected, rtol=1e-4, atol=1e-4)
    assert not entropy.requires_grad and logp.requires_grad
    torch.testing.assert_close(logp, token_logprobs_reference(hidden, weight, ids, temperature=temp))


def test_float16_matches_reference(device):
    hidden, weight, ids = _inputs(6, 32, 5003, device, seed=9)
    hidden16 = hidden.detach().half().requires_grad_()
    weight16 = weight.detach().half()
    out = token_logprobs(hidden16, weight16, ids, chunk_size=4)
    ref = token_logprobs_reference(hidden16, weight16, ids)
    torch.testing.assert_close(out, ref, rtol=1e-3, atol=2e-3)
    (gh,) = torch.autograd.grad(out.sum(), hidden16)
    (rh,) = torch.autograd.grad(ref.sum(), hidden16)
    assert gh.dtype == torch.float16
    torch.testing.assert_close(gh.float(), rh.float(), rtol=2e-2, atol=2e-3)


@pytest.mark.parametrize(
    "change,message",
    [
        ("ids_high", "ids must lie in"),
        ("ids_negative", "ids must lie in"),
        ("ids_shape", "does not match hidden's leading shape"),
        ("hidden_size", "does not match weight's"),
        ("temperature", "temperature must be > 0"),
        ("dtype", "must have the same dtype"),
        ("chunk", "chunk_size must be positive"),
    ],
)
def test_bad_input_is_a_clear_error(change, message, device):
    hidden, weight, ids = _inputs(4, 8, 100, device, seed=2)
    kwargs = {}
    if change == "ids_high":
        ids = ids.clone()
        ids[1] = 100
    elif change == "ids_negative":
        ids = ids.clone()
        ids[0] = -1
    elif change == "ids_shape":
        ids = ids[:3]
    elif change == "hidden_size":
        weight = weight[:, :7]
    elif change == "temperature":
        kwargs["temperature"] = 0.0
    elif change == "dtype":
        weight = weight.double()
    elif change == "chunk":
        kwargs["chunk_size"] = -2
    with pytest.raises(ValueError, match=message):
        token_logprobs(hidden, weight, ids, **kwargs)


def test_empty_input(device):
    hidden, weight, ids = _inputs(0, 8, 100, device, seed=2)
    out = token_logprobs(hidden, weight, ids)
    assert out.shape == (0,)
