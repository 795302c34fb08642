"""The vLLM engine's options and its errors when vLLM is missing, too old or misconfigured."""

from __future__ import annotations

import sys

import pytest

from trainer.config import ConfigError
from trainer.rollout.vllm.settings import VLLMSettings
from trainer.rollout.vllm.support import MIN_VLLM_VERSION, VLLMUnavailableError, check_version, import_vllm

pytestmark = pytest.mark.vllm


def test_settings_from_mapping_coerces_cli_strings():
    s = VLLMSettings.from_mapping(
        {"memory_share": "0.5", "kv-cache-gib": 2, "sleep": "weights", "sync_check_every": "3", "enforce_eager": "true"}
    )
    assert (s.memory_share, s.kv_cache_gib, s.sleep, s.sync_check_every, s.enforce_eager) == (
        0.5,
        2.0,
        "weights",
        3,
        True,
    )
    assert VLLMSettings.from_mapping(None) == VLLMSettings()
    assert VLLMSettings.from_mapping({"kv_cache_gib": "none"}).kv_cache_gib is None
    assert VLLMSettings.from_mapping({"gpu_memory_utilization": 0.4}).memory_share == 0.4  # vLLM's own name


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"memory_shar": 0.3}, "vllm.memory_shar: unknown option (did you mean vllm.memory_share?; other vllm.LLM"),
        ({"memory_share": 0.3, "gpu_memory_utilization": 0.4}, "vllm.gpu_memory_utilization: given twice"),
        ({"memory_share": 1.5}, "vllm.memory_share: must be in (0, 1]"),
        ({"memory_share": "lots"}, "vllm.memory_share: expected a number"),
        ({"sleep": "deep"}, "vllm.sleep: must be one of kv_cache, weights, off"),
        ({"sync_check_every": 1.5}, "vllm.sync_check_every: expected a int"),
        ({"sync_check_tolerance": -1}, "vllm.sync_check_tolerance: must be > 0"),
        ({"dtype": "int8"}, "vllm.dtype: must be one of"),
        ({"enable_prefix_caching": "maybe"}, "vllm.enable_prefix_caching: expected a bool"),
        ({"seed": None}, "vllm.seed: needs a value"),
        ({"engine_kwargs": [1]}, "vllm.engine_kwargs: must be a table"),
    ],
)
def test_bad_settings_name_the_option(data, message):
    with pytest.raises(ConfigError) as err:
        VLLMSettings.from_mapping(data)
    assert message in str(err.value)


def test_missing_vllm_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "vllm", None)  # makes `import vllm` fail as if it were not installed
    with pytest.raises(VLLMUnavailableError) as err:
        import_vllm()
    assert "pip install 'aha[vllm]'" in str(err.value)
    assert "rollout = 'transformers'" in str(err.value)
    assert isinstance(err.value, ConfigError)


def test_a_folder_named_vllm_is_not_taken_for_the_library(monkeypatch):
    import types

    monkeypatch.setitem(sys.modules, "vllm", types.ModuleType("vllm"))  # like a namespace package: no __file__
    with pytest.raises(VLLMUnavailableError, match="not installed"):
        import_vllm()


def test_broken_vllm_install_is_not_called_missing(monkeypatch):
    import importlib

    real_import_module = importlib.import_module

    def fake_import_module(name, *args, **kwargs):
        if name == "vllm":
            raise ModuleNotFoundError("No module named 'vllm._C'", name="vllm._C")
        return real_import_module(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", fake_import_module)
    with pytest.raises(VLLMUnavailableError, match="installed but cannot be imported, it misses the module 'vllm._C'"):
        import_vllm()


def test_too_old_vllm_names_versions_and_extra():
    with pytest.raises(VLLMUnavailableError) as err:
        check_version("0.9.2")
    text = str(err.value)
    assert f"needs vLLM >= {MIN_VLLM_VERSION}, but 0.9.2 is installed" in text
    assert "aha[vllm]" in text
    check_version("0.32.0+cpu")
    check_version(MIN_VLLM_VERSION)
    with pytest.raises(VLLMUnavailableError, match="cannot read"):
        check_version("not-a-version")


def test_factory_reports_missing_vllm(monkeypatch, tmp_path):
    import tiny

    from trainer.rollout.factory import make_engine

    model_dir = tiny.make_model(tmp_path / "m")
    data = tiny.make_addition_data(tmp_path / "d.jsonl", 4)
    cfg = tiny.tiny_config(model_dir, data, tmp_path / "run", rollout="vllm")
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(model_dir))
    monkeypatch.setitem(sys.modules, "vllm", None)
    with pytest.raises(ConfigError, match=r"needs vLLM, which is not installed: pip install 'aha\[vllm\]'"):
        make_engine(cfg, model, None)


def test_factory_rejects_bad_vllm_table(tmp_path):
    import tiny

    from trainer.rollout.factory import make_engine

    model_dir = tiny.make_model(tmp_path / "m")
    data = tiny.make_addition_data(tmp_path / "d.jsonl", 4)
    with pytest.raises(ConfigError, match=r"unknown option 'vllm.sleeep' \(did you mean 'vllm.sleep'\?\)"):
        tiny.tiny_config(model_dir, data, tmp_path / "run", rollout="vllm", vllm={"sleeep": "off"})
    cfg = tiny.tiny_config(model_dir, data, tmp_path / "run", rollout="vllm")
    cfg.vllm.sleep = "deep"  # set from Python, past the config's checks: the engine's own check names it
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(model_dir))
    with pytest.raises(ConfigError, match=r"vllm.sleep: must be one of kv_cache, weights, off"):
        make_engine(cfg, model, None)


def test_max_model_len_fits_prompt_completion_and_the_models_positions(qwen2_dir):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from trainer.rollout.vllm.engine import derived_max_model_len

    model = AutoModelForCausalLM.from_pretrained(str(qwen2_dir))  # max_position_embeddings = 512
    assert derived_max_model_len(100, 50) == 151
    assert derived_max_model_len(100, 50, model) == 151
    assert derived_max_model_len(512, 256, model) == 512  # the trainer's default prompt length on a small model
    peft_model = get_peft_model(model, LoraConfig(r=2, target_modules=["q_proj"]))
    assert derived_max_model_len(512, 256, peft_model) == 512
