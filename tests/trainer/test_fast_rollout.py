"""The fast rollout engine on the CPU: same greedy tokens as transformers' generate, valid sampling, EOS stops."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest

torch = pytest.importorskip("torch")

from trainer.rollout.base import SamplingSettings  # noqa: E402
from trainer.rollout.transformers.fast import FastEngine, SlotCache, use_fast_engine  # noqa: E402
from trainer.rollout.transformers.generate import TransformersEngine  # noqa: E402
from trainer.rollout.transformers.sampling import sample_next  # noqa: E402

PROMPTS = [[5, 6, 7], [8, 9, 3, 4, 5, 10], [11]]


class _Tok:
    pad_token_id = 0
    eos_token_id = 1

    def decode(self, ids, skip_special_tokens=True):
        return " ".join(map(str, ids))


def _model(arch: str = "qwen2", lora: bool = True, seed: int = 0):
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(seed)
    common = dict(
        vocab_size=24, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=128, initializer_range=0.4, pad_token_id=0, eos_token_id=1,
        bos_token_id=None,
    )  # fmt: skip
    model = Qwen2ForCausalLM(Qwen2Config(**common)) if arch == "qwen2" else LlamaForCausalLM(LlamaConfig(**common))
    model.generation_config = GenerationConfig(eos_token_id=1, pad_token_id=0, bos_token_id=None)
    if lora:
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(model, LoraConfig(r=4, target_modules="all-linear", init_lora_weights=False))
    return model


@pytest.fixture(autouse=True)
def _one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


@pytest.mark.parametrize("arch", ["qwen2", "llama"])
@pytest.mark.parametrize("merge", ["off", "on"])
def test_greedy_matches_generate(arch, merge, monkeypatch):
    import trainer.rollout.transformers.decode_attention as da

    model = _model(arch)
    settings = SamplingSettings(n=2, max_new_tokens=10, temperature=0.0, seed=3)
    want = TransformersEngine(model, _Tok()).generate(PROMPTS, settings)
    folded = []
    real = da.folded_gqa_sdpa
    monkeypatch.setattr(da, "folded_gqa_sdpa", lambda *a, **k: folded.append(a[2].shape[2]) or real(*a, **k))
    engine = FastEngine(model, _Tok(), merge_lora=merge)
    got = engine.generate(PROMPTS, settings)
    assert folded.count(1) == 9 * 2  # every decode step of both layers took the folded grouped-query attention
    assert [c.token_ids for c in got] == [c.token_ids for c in want]
    assert [c.finish_reason for c in got] == [c.finish_reason for c in want]
    assert [c.prompt_index for c in got] == [0, 0, 1, 1, 2, 2]
    metrics = engine.pop_metrics()
    assert metrics["rollout/lora_merged"] == (1.0 if merge == "on" else 0.0)
    assert len({tuple(c.token_ids) for c in got}) > 1  # the model is not degenerate


def test_merge_restores_weights_bit_exactly_and_changes_nothing_for_training():
    model = _model()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    engine = FastEngine(model, _Tok(), merge_lora="on")
    engine.generate(PROMPTS, SamplingSettings(n=2, max_new_tokens=4, temperature=1.0, seed=0))
    engine.generate(PROMPTS, SamplingSettings(n=2, max_new_tokens=4, temperature=1.0, seed=1))
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert not any(getattr(m, "merged", False) for m in model.modules())


def test_sampling_is_seeded_and_respects_stop_tokens():
    model = _model()
    engine = FastEngine(model, _Tok())
    settings = SamplingSettings(n=4, max_new_tokens=12, temperature=1.0, seed=7, stop_token_ids=(5, 9))
    a = engine.generate(PROMPTS, settings)
    b = engine.generate(PROMPTS, settings)
    c = engine.generate(PROMPTS, SamplingSettings(n=4, max_new_tokens=12, temperature=1.0, seed=8))
    assert [x.token_ids for x in a] == [x.token_ids for x in b]
    assert [x.token_ids for x in a] != [x.token_ids for x in c]
    stops = {1, 5, 9}
    assert any(x.finish_reason == "stop" for x in a)
    for x in a:
        assert all(t not in stops for t in x.token_ids[:-1])  # nothing after a stop token
        assert (x.finish_reason == "stop") == (x.token_ids[-1] in stops)
        assert x.finish_reason == "stop" or len(x.token_ids) == 12


def test_batch_size_splits_prompts_with_same_grouping():
    model = _model()
    settings = SamplingSettings(n=2, max_new_tokens=6, temperature=0.0)
    whole = FastEngine(model, _Tok()).generate(PROMPTS, settings)
    split = FastEngine(model, _Tok(), batch_size=2).generate(PROMPTS, settings)
    assert [c.token_ids for c in whole] == [c.token_ids for c in split]


def test_batch_size_below_the_group_splits_the_group_with_the_same_samples():
    from trainer.rollout.transformers.fast import _calls

    assert _calls(2, 8, 4) == [(0, 1, 0, 4), (0, 1, 4, 8), (1, 2, 0, 4), (1, 2, 4, 8)]
    assert _calls(3, 2, 4) == [(0, 2, 0, 2), (2, 3, 0, 2)]
    assert _calls(3, 2, 0) == [(0, 3, 0, 2)]
    model = _model()
    settings = SamplingSettings(n=5, max_new_tokens=6, temperature=1.0, seed=1, prompt_seeds=[11, 12, 13])
    whole = FastEngine(model, _Tok()).generate(PROMPTS, settings)
    split = FastEngine(model, _Tok(), batch_size=2).generate(PROMPTS, settings)  # 5 rows: parts of 2, 2, 1
    assert [c.prompt_index for c in split] == [i for i in range(3) for _ in range(5)]
    assert [c.token_ids for c in whole] == [c.token_ids for c in split]  # per-row generators: same draws


def test_sampler_top_k_top_p_and_distribution():
    gen = torch.Generator().manual_seed(0)
    logits = torch.log(torch.tensor([[0.5, 0.3, 0.15, 0.05]])).repeat(20000, 1)
    draws = sample_next(logits, 1.0, 1.0, 0, gen)
    freq = torch.bincount(draws, minlength=4).float() / len(draws)
    assert torch.allclose(freq, torch.tensor([0.5, 0.3, 0.15, 0.05]), atol=0.015)
    assert set(sample_next(logits, 1.0, 1.0, 2, gen).tolist()) == {0, 1}
    assert set(sample_next(logits, 1.0, 0.7, 0, gen).tolist()) == {0, 1}  # 0.5 < 0.7 <= 0.8
    assert set(sample_next(logits, 0.0, 1.0, 0, gen).tolist()) == {0}


def test_shared_prompt_cache_expands_rows():
    cache = SlotCache(1, rows=4, kv_heads=1, length=8, head_dim=2, dtype=torch.float32, device="cpu")
    cache.expand = 2
    k = torch.arange(2 * 3 * 2, dtype=torch.float32).view(2, 1, 3, 2)
    out_k, _ = cache.update(k, k, 0)
    assert out_k is k  # prefill attends over the unique prompts only
    assert torch.equal(cache.keys[0][:, :, :3], k.repeat_interleave(2, dim=0))
    cache.decoding = True
    cache.slot.fill_(5)
    step = torch.ones(4, 1, 1, 2)
    full, _ = cache.update(step, step, 0)
    assert full.shape == (4, 1, 8, 2) and torch.equal(full[:, :, 5], step[:, :, 0])


def test_auto_choice_is_off_on_cpu_and_on_is_honoured():
    model = _model(lora=False)
    assert use_fast_engine("auto", model) is False
    assert use_fast_engine("on", model) is True
    assert use_fast_engine("off", model) is False


def test_trainer_runs_with_the_fast_engine(tiny_model, addition_data, tmp_path):
    import tiny
    from rich.console import Console

    from trainer.grpo_trainer import Trainer
    from trainer.rollout.transformers.fast import FastEngine as Fast

    cfg = tiny.tiny_config(tiny_model, addition_data, tmp_path / "run", generation__fast="on", max_steps=2)
    trainer = Trainer(cfg, console=Console(quiet=True))
    try:
        assert isinstance(trainer.engine, Fast)
        record = trainer.train_step(1)
        assert record["rollout/tokens_per_s"] > 0 and record["completion/length_mean"] > 0
    finally:
        trainer.close()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_cuda_graph_decoding_matches_eager(dtype):
    model = _model().to("cuda", getattr(torch, dtype))
    settings = SamplingSettings(n=4, max_new_tokens=24, temperature=0.0, seed=0)
    eager = FastEngine(model, _Tok(), cuda_graphs=False, merge_lora="off").generate(PROMPTS, settings)
    engine = FastEngine(model, _Tok(), merge_lora="off")
    graphed = engine.generate(PROMPTS, settings)
    assert engine.pop_metrics()["rollout/cuda_graph"] == 1.0, engine.notes
    assert [c.token_ids for c in graphed] == [c.token_ids for c in eager]
    sampled = SamplingSettings(n=4, max_new_tokens=24, temperature=1.0, top_p=0.9, seed=5)
    a = FastEngine(model, _Tok(), cuda_graphs=False, merge_lora="off").generate(PROMPTS, sampled)
    b = engine.generate(PROMPTS, sampled)  # the session (and graph) of the first call is reused
    assert [c.token_ids for c in a] == [c.token_ids for c in b]
    if dtype == "float32":
        want = TransformersEngine(model, _Tok()).generate(PROMPTS, settings)
        assert [c.token_ids for c in graphed] == [c.token_ids for c in want]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_merge_restores_bf16_weights_bit_exactly():
    model = _model().to("cuda", torch.bfloat16)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    engine = FastEngine(model, _Tok(), merge_lora="on")
    out = engine.generate(PROMPTS, SamplingSettings(n=2, max_new_tokens=8, temperature=0.0))
    assert engine.pop_metrics()["rollout/lora_merged"] == 1.0 and len(out) == 6
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_prompt_seeds_make_a_prompts_completions_independent_of_its_batch():
    model = _model()
    s = dict(n=3, max_new_tokens=10, temperature=1.0, seed=0)
    both = FastEngine(model, _Tok()).generate(PROMPTS, SamplingSettings(**s, prompt_seeds=(11, 22, 33)))
    alone = FastEngine(model, _Tok()).generate([PROMPTS[1]], SamplingSettings(**{**s, "seed": 9}, prompt_seeds=(22,)))
    split = FastEngine(model, _Tok(), batch_size=3).generate(PROMPTS, SamplingSettings(**s, prompt_seeds=(11, 22, 33)))
    assert [c.token_ids for c in both[3:6]] == [c.token_ids for c in alone]
    assert [c.prompt_index for c in alone] == [0, 0, 0]
    assert [c.token_ids for c in split] == [c.token_ids for c in both]
    other = FastEngine(model, _Tok()).generate([PROMPTS[1]], SamplingSettings(**s, prompt_seeds=(23,)))
    assert [c.token_ids for c in other] != [c.token_ids for c in alone]
    assert len({tuple(c.token_ids) for c in both[3:6]}) > 1  # the copies of one prompt are different draws
    with pytest.raises(ValueError, match="2 prompt seeds for 3 prompts"):
        FastEngine(model, _Tok()).generate(PROMPTS, SamplingSettings(**s, prompt_seeds=(1, 2)))


def test_sampler_with_one_generator_per_row_draws_each_row_independently():
    logits = torch.randn(3, 50, generator=torch.Generator().manual_seed(0))
    gens = lambda *seeds: [torch.Generator().manual_seed(x) for x in seeds]  # noqa: E731
    rows = sample_next(logits, 1.0, 1.0, 0, gens(1, 2, 3))
    for seed, row, want in zip((1, 2, 3), range(3), rows):
        assert sample_next(logits[row : row + 1], 1.0, 1.0, 0, gens(seed)).item() == want.item()
    with pytest.raises(ValueError, match="2 generators for 3 rows"):
        sample_next(logits, 1.0, 1.0, 0, gens(1, 2))


def test_compiled_decode_step_gives_the_same_tokens_and_compiles_once():
    compiles = []

    def backend(gm, example_inputs):  # counts the graphs dynamo hands over, runs them as traced
        compiles.append(len(gm.graph.nodes))
        return gm.forward

    model = _model()
    settings = SamplingSettings(n=2, max_new_tokens=8, temperature=0.0)
    want = FastEngine(model, _Tok()).generate(PROMPTS, settings)
    engine = FastEngine(model, _Tok(), compile_backend=backend)
    got = engine.generate(PROMPTS, settings)
    assert [c.token_ids for c in got] == [c.token_ids for c in want]
    first = len(compiles)
    assert first >= 1 and max(compiles) > 50  # the decoder went through the compiler, not just the sampler
    engine._drop_session()  # a new cache (as after sleep) and prompts of another width: no recompilation
    engine.generate([[5, 6, 7, 8, 9, 10, 11]] * 3, settings)
    assert len(compiles) == first


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("g++") is None, reason="inductor's CPU backend needs a C++ compiler (g++)")
def test_inductor_compiled_decode_step_matches_eager():
    model = _model()
    settings = SamplingSettings(n=2, max_new_tokens=6, temperature=0.0)
    want = FastEngine(model, _Tok()).generate(PROMPTS, settings)
    got = FastEngine(model, _Tok(), compile_backend="inductor").generate(PROMPTS, settings)
    assert [c.token_ids for c in got] == [c.token_ids for c in want]


def test_a_decode_step_that_fails_to_compile_runs_uncompiled_with_a_note():
    def broken(gm, example_inputs):
        raise RuntimeError("no compiler here")

    model = _model()
    settings = SamplingSettings(n=2, max_new_tokens=6, temperature=0.0)
    want = FastEngine(model, _Tok()).generate(PROMPTS, settings)
    engine = FastEngine(model, _Tok(), compile_backend=broken)
    with pytest.warns(RuntimeWarning, match="torch.compile of the decode step failed"):
        got = engine.generate(PROMPTS, settings)
    assert [c.token_ids for c in got] == [c.token_ids for c in want]
    assert engine.compile_backend is None and any("no compiler here" in n for n in engine.notes)


class _OnDevice:
    """A model stand-in whose parameters live on `device` (CUDA cannot be faked with real tensors here)."""

    def __init__(self, device: str):
        self.param = type("P", (), {"device": torch.device(device)})()

    def parameters(self):
        return iter([self.param])


@pytest.mark.parametrize(
    ("setting", "device", "quantised", "want"),
    [
        (None, "cuda", False, True),
        (None, "cpu", False, False),
        (None, "cuda", True, False),
        (True, "cpu", False, True),
        (True, "cuda", True, True),
        (False, "cuda", False, False),
    ],
)
def test_generation_compile_unset_means_cuda_and_unquantised(setting, device, quantised, want):
    from trainer.rollout.transformers.fast import compile_decode_for

    assert compile_decode_for(setting, _OnDevice(device), quantised) is want


def test_the_engine_factory_compiles_by_the_configs_quantisation(monkeypatch):
    from trainer.rollout import factory
    from trainer.rollout.transformers import fast as fast_engine

    seen = []
    monkeypatch.setattr(fast_engine, "compile_decode_for", lambda s, m, quantised: seen.append(quantised) or False)
    cfg = SimpleNamespace(
        rollout="transformers",
        model=SimpleNamespace(quantization="nf4"),
        generation=SimpleNamespace(
            fast="on", max_prompt_length=0, merge_lora="off", cuda_graphs=False, batch_size=0, compile=None
        ),
    )
    engine = factory.make_engine(cfg, _model(), _Tok())
    assert seen == [True] and engine.compile_backend is None
    cfg.model.quantization = "none"
    factory.make_engine(cfg, _model(), _Tok())
    assert seen == [True, False]
