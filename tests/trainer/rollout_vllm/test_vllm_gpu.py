"""On a CUDA GPU only: sleep really frees vLLM's memory, and a bfloat16 LoRA sync passes the 16-bit check."""

from __future__ import annotations

import pytest
import torch
from vllm_helpers import requires_vllm

from trainer.rollout.base import SamplingSettings

pytestmark = [
    pytest.mark.vllm,
    pytest.mark.gpu,
    requires_vllm,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (vLLM's CPU build has no sleep mode)"),
]

PROMPT = [3 + i % 10 for i in range(40)]


def _engine(qwen2_dir, model, sleep):
    from trainer.rollout.vllm.engine import VLLMEngine
    from trainer.rollout.vllm.settings import VLLMSettings

    return VLLMEngine(
        qwen2_dir,
        settings=VLLMSettings(memory_share=0.1, kv_cache_gib=1.0, sleep=sleep),
        model=model,
        max_model_len=256,
    )


def _lora(qwen2_dir):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(str(qwen2_dir), dtype=torch.bfloat16).cuda()
    return get_peft_model(base, LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj", "down_proj"]))


@pytest.mark.parametrize("mode", ["kv_cache", "weights"])
def test_sleep_frees_gpu_memory_and_wake_restores_generation(qwen2_dir, mode):
    model = _lora(qwen2_dir)
    s = SamplingSettings(n=4, max_new_tokens=16, temperature=1.0, seed=3)
    with _engine(qwen2_dir, model, mode) as eng:
        assert eng.sleep_supported
        before = eng.generate([PROMPT], s)
        free_awake = torch.cuda.mem_get_info()[0]
        eng.sleep()
        freed = torch.cuda.mem_get_info()[0] - free_awake
        assert freed > 0.9 * 2**30, f"sleep freed only {freed / 2**30:.2f} GiB of a 1 GiB KV cache"
        assert eng.metrics()["vllm/sleep_freed_gib"] > 0.9
        eng.sync_weights(model)  # deferred to wake
        eng.wake()
        assert [c.token_ids for c in eng.generate([PROMPT], s)] == [c.token_ids for c in before]


def test_bfloat16_lora_sync_passes_the_16bit_check(qwen2_dir):
    model = _lora(qwen2_dir)
    with _engine(qwen2_dir, model, "kv_cache") as eng:
        assert eng.dtype == "bfloat16"
        eng.generate([PROMPT], SamplingSettings(n=1, max_new_tokens=16, temperature=1.0, seed=1))
        with torch.no_grad():
            for name, p in model.named_parameters():
                if "lora_B" in name:
                    p.normal_(0.0, 0.05)
        stale = eng.check_sync()
        assert stale.max_abs_diff > stale.tolerance, "the adapter change must be visible before the sync"
        eng.sync_weights(model)
        check = eng.check_sync()
        assert check.passed, check.describe()
