"""Offloaded gradient checkpointing on the CPU: the same gradients as plain checkpointing and as no checkpointing."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from trainer.offload import ActivationOffloader, enable_offloaded_checkpointing  # noqa: E402


def _grads(mode: str, ids):
    from peft import LoraConfig, get_peft_model
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    cfg = Qwen2Config(
        vocab_size=50, hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=4,
        num_key_value_heads=2, initializer_range=0.2,
    )  # fmt: skip
    model = get_peft_model(Qwen2ForCausalLM(cfg), LoraConfig(r=4, target_modules="all-linear", init_lora_weights=False))
    if mode == "checkpoint":
        model.get_base_model().gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    elif mode == "offload":
        assert enable_offloaded_checkpointing(model) >= 3
    model.train()
    loss = model(input_ids=ids).logits.float().logsumexp(-1).mean()
    loss.backward()
    return [(n, p.grad.clone()) for n, p in model.named_parameters() if p.requires_grad]


def test_gradients_identical_with_and_without_offload():
    torch.set_num_threads(1)
    ids = torch.randint(0, 50, (2, 9), generator=torch.Generator().manual_seed(1))
    plain, ckpt, off = _grads("plain", ids), _grads("checkpoint", ids), _grads("offload", ids)
    assert len(off) == len(ckpt) == len(plain) == 42
    for (name, a), (_, b), (_, c) in zip(ckpt, off, plain):
        assert torch.equal(a, b), name  # same recomputation, bit for bit
        assert torch.allclose(c, b, atol=1e-6), name
    layer0 = [g for n, g in off if "layers.0." in n and "lora_A" in n]
    assert layer0 and all(g.abs().sum() > 0 for g in layer0)  # the first layer's adapters get gradients


def test_offloader_round_trip_on_cpu():
    off = ActivationOffloader()
    x = torch.randn(3, 4)
    key = off.push(x)
    assert torch.equal(off.fetch(key), x)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_offloader_round_trip_on_cuda():
    off = ActivationOffloader()
    xs = [torch.randn(64, 128, device="cuda") for _ in range(3)]
    keys = [off.push(x) for x in xs]
    off.prefetch(keys[1])
    for key, x in reversed(list(zip(keys, xs))):
        assert torch.equal(off.fetch(key), x)
    assert off.bytes_offloaded == 3 * 64 * 128 * 4


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_offloader_reuses_host_buffers_when_lengths_change():
    off = ActivationOffloader()
    for length in (100, 90, 120, 600, 64, 121, 100):  # completion lengths change every step
        xs = [torch.randn(length, 4096, device="cuda") for _ in range(4)]
        keys = [off.push(x) for x in xs]
        for key, x in reversed(list(zip(keys, xs))):
            assert torch.equal(off.fetch(key), x)
    # 4 in flight at once: 4 buffers of 2 MiB (up to 121 rows), replaced once by 4 of 10 MiB for 600 rows
    assert off.host_buffers == 8
    assert len(off._free) == 4


def test_host_buffer_failure_keeps_the_input_on_its_device(monkeypatch):
    off = ActivationOffloader()

    def refuse(nbytes):
        raise RuntimeError("CUDA error: out of memory (pinned)")

    monkeypatch.setattr(off, "_pin", refuse)
    with pytest.warns(RuntimeWarning, match="pinned host memory unavailable"):
        assert off._host_buffer(1000) is None
    assert off._host_buffer(1000) is None  # warned once, counted each time
    assert off.kept_on_device == 2 and off.host_buffers == 0


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_offloader_without_pinned_memory_round_trips_on_the_gpu(monkeypatch):
    off = ActivationOffloader()
    monkeypatch.setattr(off, "_pin", lambda n: (_ for _ in ()).throw(RuntimeError("no pinned memory")))
    x = torch.randn(64, 128, device="cuda")
    with pytest.warns(RuntimeWarning):
        key = off.push(x)
    off.prefetch(key)
    assert off.fetch(key) is x
