"""Model loading (LoRA, full, quantisation errors), the log-prob module, the transformers engine, kernel choice."""

from __future__ import annotations

import pytest
import torch

from trainer.config import ConfigError, from_dict
from trainer.kernels.choice import choose_kernels
from trainer.logprobs import collate, completion_logprobs, token_logprobs
from trainer.model_loading import check_quantization, load_policy
from trainer.rollout import SamplingSettings, make_engine
from trainer.rollout.transformers.generate import TransformersEngine

CPU = torch.device("cpu")


def cfg_for(model_dir, **sections):
    data = {"model": {"path": str(model_dir), "dtype": "float32"}, "lora": {"r": 4}}
    for k, v in sections.items():
        data.setdefault(k, {}).update(v)
    return from_dict(data).validate()


def test_lora_trains_only_adapters_and_reference_is_the_base(tiny_model):
    loaded = load_policy(cfg_for(tiny_model), CPU)
    assert loaded.is_peft and loaded.reference is None
    names = [n for n, p in loaded.model.named_parameters() if p.requires_grad]
    assert names and all("lora_" in n for n in names)
    # 2 layers x 7 projections, each r x (in + out): q, o 32+32; k, v 32+16; gate, up, down 32+64
    r = 4
    per_layer = r * (2 * (32 + 32) + 2 * (32 + 16) + 3 * (32 + 64))
    assert sum(p.numel() for p in loaded.trainable_parameters()) == 2 * per_layer
    ids = torch.tensor([[3, 4, 5, 6]])
    with torch.no_grad():
        for n, p in loaded.model.named_parameters():
            if "lora_B" in n:
                p.normal_(0, 0.5)
        adapted = loaded.model(input_ids=ids).logits
        with loaded.model.disable_adapter():
            disabled = loaded.model(input_ids=ids).logits
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(str(tiny_model), dtype=torch.float32)
    with torch.no_grad():
        plain = base(input_ids=ids).logits
    assert torch.allclose(disabled, plain, atol=1e-5)
    assert not torch.allclose(adapted, plain, atol=1e-3)


def test_lora_target_modules_list(tiny_model):
    loaded = load_policy(cfg_for(tiny_model, lora={"target_modules": ["q_proj", "v_proj"]}), CPU)
    names = {n.split(".")[-4] for n, p in loaded.model.named_parameters() if p.requires_grad}
    assert names == {"q_proj", "v_proj"}
    with pytest.raises(ConfigError, match="lora.target_modules"):
        load_policy(cfg_for(tiny_model, lora={"target_modules": ["no_such_layer"]}), CPU)
    with pytest.raises(ConfigError, match="output head must not get an adapter"):
        load_policy(cfg_for(tiny_model, lora={"target_modules": ["q_proj", "lm_head"]}), CPU)


def test_full_finetuning_keeps_a_frozen_reference_only_when_beta_positive(tiny_model):
    loaded = load_policy(cfg_for(tiny_model, model={"finetune": "full"}), CPU)
    assert not loaded.is_peft and loaded.reference is None
    assert all(p.requires_grad for p in loaded.model.parameters())
    loaded = load_policy(cfg_for(tiny_model, model={"finetune": "full"}, grpo={"beta": 0.1}), CPU)
    ref = loaded.reference
    assert ref is not None and not any(p.requires_grad for p in ref.parameters())
    with torch.no_grad():
        next(loaded.model.parameters()).add_(1.0)
    assert not torch.equal(next(loaded.model.parameters()), next(ref.parameters()))


def test_quantization_errors_say_why(monkeypatch):
    check_quantization("none", CPU)
    import trainer.model_loading as ml

    monkeypatch.setattr(ml.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ConfigError, match=r"model.quantization = 'nf4' needs bitsandbytes.*aha\[quant\]"):
        check_quantization("nf4", CPU)
    monkeypatch.setattr(ml.importlib.util, "find_spec", lambda name: object())
    with pytest.raises(ConfigError, match=r"model.quantization = 'int8' needs a CUDA GPU"):
        check_quantization("int8", CPU)


def test_missing_model_folder_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="model.path: no model folder"):
        load_policy(cfg_for(tmp_path / "nothing"), CPU)


def test_completion_logprobs_match_full_logits_and_ignore_padding(tiny_model):
    loaded = load_policy(cfg_for(tiny_model, model={"finetune": "full"}), CPU)
    model = loaded.model.eval()
    prompts = [[3, 4, 5], [6, 7, 8, 9, 10, 11], [12]]
    completions = [[4, 5, 6, 1], [7], [8, 9]]
    batch = collate(prompts, completions, pad_id=0, device=CPU)
    with torch.no_grad():
        got = completion_logprobs(model, batch, token_logprobs, chunk_size=3, temperature=0.9)
    assert got.shape == (3, 4)
    for i, (p, c) in enumerate(zip(prompts, completions)):
        ids = torch.tensor([p + c])
        with torch.no_grad():
            logits = model(input_ids=ids).logits[0, len(p) - 1 : len(p) - 1 + len(c)] / 0.9
        want = torch.log_softmax(logits, -1).gather(-1, torch.tensor(c)[:, None])[:, 0]
        assert torch.allclose(got[i, : len(c)], want, atol=1e-5), i
        assert batch.completion_mask[i].tolist() == [1.0] * len(c) + [0.0] * (4 - len(c))


def test_engine_groups_stops_and_is_seeded(tiny_model):
    loaded = load_policy(cfg_for(tiny_model), CPU)
    engine = make_engine(cfg_for(tiny_model), loaded.model, loaded.tokenizer)
    assert isinstance(engine, TransformersEngine)
    prompts = [[3, 4, 5], [6, 7, 8, 9, 10]]
    s = SamplingSettings(n=3, max_new_tokens=6, temperature=1.0, seed=123)
    out = engine.generate(prompts, s)
    assert [c.prompt_index for c in out] == [0, 0, 0, 1, 1, 1]
    for c in out:
        assert 1 <= len(c.token_ids) <= 6
        assert (c.finish_reason == "stop") == (c.token_ids[-1] == 1)
        assert c.finish_reason == "stop" or len(c.token_ids) == 6
        assert c.text == loaded.tokenizer.decode(c.token_ids, skip_special_tokens=True)
    again = engine.generate(prompts, s)
    assert [c.token_ids for c in again] == [c.token_ids for c in out]
    # a stop token ends the completion right after it
    greedy = SamplingSettings(n=1, max_new_tokens=6, temperature=0.0)
    first = engine.generate([prompts[0]], greedy)[0]
    stopped = engine.generate(
        [prompts[0]], SamplingSettings(n=1, max_new_tokens=6, temperature=0.0, stop_token_ids=(first.token_ids[0],))
    )[0]
    assert stopped.token_ids == first.token_ids[:1] and stopped.finish_reason == "stop"


def test_left_padding_does_not_change_greedy_output(tiny_model):
    loaded = load_policy(cfg_for(tiny_model), CPU)
    engine = TransformersEngine(loaded.model, loaded.tokenizer)
    greedy = SamplingSettings(n=1, max_new_tokens=5, temperature=0.0)
    alone = engine.generate([[3, 4]], greedy)[0].token_ids
    batched = engine.generate([[5, 6, 7, 8, 9, 10, 11], [3, 4]], greedy)[1].token_ids
    assert batched == alone


def test_kernel_choice(monkeypatch):
    assert choose_kernels("torch", CPU).name == "torch"
    assert choose_kernels("auto", CPU).name == "torch"
    import sys

    monkeypatch.setitem(sys.modules, "trainer.kernels", None)  # as if the package were absent
    fake_cuda = torch.device("cuda")
    choice = choose_kernels("auto", fake_cuda)
    assert choice.name == "torch" and "unavailable" in choice.reason
    with pytest.raises(ConfigError, match="kernels = 'triton' cannot run here"):
        choose_kernels("triton", fake_cuda)


def test_vllm_rollout_missing_names_the_extra(monkeypatch):
    import trainer.rollout.factory as factory

    def no_vllm(name):
        raise ModuleNotFoundError("No module named 'vllm'", name="vllm")

    monkeypatch.setattr(factory.importlib, "import_module", no_vllm)
    with pytest.raises(ConfigError, match=r"pip install 'aha\[vllm\]'"):
        make_engine(from_dict({"rollout": "vllm"}), None, None)

    def no_engine(name):
        raise ModuleNotFoundError(f"No module named '{name}'", name=name)

    monkeypatch.setattr(factory.importlib, "import_module", no_engine)
    with pytest.raises(ConfigError, match="no vLLM engine"):
        factory.vllm_engine_class()
