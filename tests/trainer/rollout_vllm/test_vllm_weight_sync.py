"""Preparing weights for vLLM: adapter versions in RAM under fresh ids, and which full weights to push."""

from __future__ import annotations

import json

import pytest
import torch

from trainer.rollout.vllm.weight_sync import (
    AdapterPublisher,
    check_adapter_servable,
    vllm_max_lora_rank,
    weights_to_push,
)

pytestmark = pytest.mark.vllm

QWEN2_PACKED = {"qkv_proj": ["q_proj", "k_proj", "v_proj"], "gate_up_proj": ["gate_proj", "up_proj"]}


@pytest.fixture()
def hf_model(qwen2_dir):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(str(qwen2_dir), dtype=torch.float32)


def _peft(model, **kwargs):
    from peft import LoraConfig, get_peft_model

    cfg = {"r": 4, "lora_alpha": 8, "target_modules": ["q_proj", "v_proj", "down_proj"], **kwargs}
    return get_peft_model(model, LoraConfig(**cfg))


def test_publisher_writes_new_versions_in_ram_and_drops_old(hf_model, tmp_path):
    from safetensors.torch import load_file

    model = _peft(hf_model)
    pub = AdapterPublisher()
    try:
        assert pub.in_ram and str(pub.root).startswith("/dev/shm/")
        first = pub.publish(model)
        edited = next(n for n, _ in model.named_parameters() if "q_proj.lora_B" in n)
        with torch.no_grad():
            model.get_parameter(edited).add_(1.0)
        second = pub.publish(model)
        assert (first.lora_id, second.lora_id) == (1, 2)
        assert first.name != second.name
        assert not first.path.exists(), "the superseded version must be deleted"
        tensors = load_file(str(second.path / "adapter_model.safetensors"))
        key = edited.replace(".default", "")
        assert key in tensors
        assert torch.equal(tensors[key], torch.ones_like(tensors[key]))  # the edit made after version 1 is in version 2
        cfg = json.loads((second.path / "adapter_config.json").read_text())
        assert cfg["r"] == 4 and sorted(cfg["target_modules"]) == ["down_proj", "q_proj", "v_proj"]
        assert second.nbytes == sum(t.numel() * t.element_size() for t in tensors.values())
    finally:
        pub.close()
    assert not pub.root.exists()


def test_publisher_folder_is_deleted_even_without_close(hf_model):
    import gc

    pub = AdapterPublisher()
    root = pub.root
    pub.publish(_peft(hf_model))
    assert root.is_dir()
    del pub
    gc.collect()
    assert not root.exists(), "an unclosed engine must not leave adapters in RAM"


def test_publisher_honours_sync_dir(hf_model, tmp_path):
    pub = AdapterPublisher(str(tmp_path / "adapters"))
    try:
        assert pub.root.parent == tmp_path / "adapters"
        assert pub.in_ram is False  # a folder on the test's disk is reported as such
        assert pub.publish(_peft(hf_model)).path.is_dir()
    finally:
        pub.close()


def test_unservable_adapters_are_refused(hf_model):
    with pytest.raises(ValueError, match="use_dora=True"):
        check_adapter_servable(_peft(hf_model, use_dora=True))


def test_modules_to_save_are_refused(qwen2_dir):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(qwen2_dir))
    with pytest.raises(ValueError, match="modules_to_save"):
        check_adapter_servable(_peft(model, modules_to_save=["lm_head"]))


def test_lora_rank_rounds_up_to_what_vllm_accepts():
    assert [vllm_max_lora_rank(r) for r in (1, 4, 8, 9, 16, 100, 512)] == [1, 8, 8, 16, 16, 128, 512]
    with pytest.raises(ValueError, match="up to 512"):
        vllm_max_lora_rank(1024)


def test_full_weights_to_push_include_fused_siblings(hf_model):
    assert weights_to_push(hf_model, QWEN2_PACKED) == [n for n, _ in hf_model.named_parameters()]
    hf_model.requires_grad_(False)
    hf_model.model.layers[1].self_attn.k_proj.weight.requires_grad_(True)
    hf_model.model.layers[0].mlp.up_proj.weight.requires_grad_(True)
    hf_model.model.norm.weight.requires_grad_(True)
    pushed = weights_to_push(hf_model, QWEN2_PACKED)
    attn = "model.layers.1.self_attn"
    assert set(pushed) == {
        *(f"{attn}.{m}.{leaf}" for m in ("q_proj", "k_proj", "v_proj") for leaf in ("weight", "bias")),
        "model.layers.0.mlp.up_proj.weight",
        "model.layers.0.mlp.gate_proj.weight",
        "model.norm.weight",
    }
    hf_model.requires_grad_(False)
    assert weights_to_push(hf_model, QWEN2_PACKED) == []
