"""The training config: TOML loading, CLI overrides, validation errors that name the field, TOML output."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

from trainer.config import ConfigError, TrainConfig, all_option_names, from_dict, load_config, options_help


def write(tmp_path, text):
    p = tmp_path / "c.toml"
    p.write_text(text)
    return p


def test_toml_sections_and_inline_reward_table(tmp_path):
    p = write(
        tmp_path,
        """
max_steps = 7
[model]
path = "/some/model"
finetune = "full"
[optim]
learning_rate = 3e-4
[reward]
combine = "sum"
[[reward.terms]]
verifier = "exact_match"
weight = 1.0
""",
    )
    cfg = load_config(p)
    assert cfg.max_steps == 7
    assert cfg.model.path == "/some/model" and cfg.model.finetune == "full"
    assert cfg.optim.learning_rate == 3e-4
    assert cfg.reward == {"combine": "sum", "terms": [{"verifier": "exact_match", "weight": 1.0}]}


def test_cli_overrides_dotted_leaf_bool_list_none(tmp_path):
    cfg = load_config(
        None,
        [
            "--optim.learning_rate",
            "1e-4",
            "--r=8",
            "--model.gradient_checkpointing",
            "--lora.target_modules",
            "q_proj,v_proj",
            "--generation.stop_token_ids",
            "[5, 7]",
            "--data.eval",
            "none",
            "--reward",
            "regex_match:pattern=x",
            "--max-steps",
            "3",
        ],
    )
    assert cfg.optim.learning_rate == 1e-4
    assert cfg.lora.r == 8
    assert cfg.model.gradient_checkpointing is True
    assert cfg.lora.target_modules == ["q_proj", "v_proj"]
    assert cfg.generation.stop_token_ids == [5, 7]
    assert cfg.data.eval is None
    assert cfg.reward == "regex_match:pattern=x"
    assert cfg.max_steps == 3


def test_cli_override_beats_file(tmp_path):
    p = write(tmp_path, "[grpo]\nbeta = 0.1\n")
    assert load_config(p, ["--grpo.beta", "0.3"]).grpo.beta == 0.3
    assert load_config(p, {"grpo.beta": 0.0}).grpo.beta == 0.0


@pytest.mark.parametrize(
    "tokens, field",
    [
        (["--optim.learning_rate", "-1"], "optim.learning_rate"),
        (["--optim.learning_rate", "fast"], "optim.learning_rate"),
        (["--generation.num_generations", "1"], "generation.num_generations"),
        (["--grpo.loss_type", "ppo"], "grpo.loss_type"),
        (["--grpo.advantage", "median"], "grpo.advantage"),
        (["--model.quantization", "nf3"], "model.quantization"),
        (["--generation.top_p", "1.5"], "generation.top_p"),
        (["--model.gradient_checkpointing", "maybe"], "model.gradient_checkpointing"),
        (["--lora.r", "2.5"], "lora.r"),
        (["--data.prompt_template", "no fields"], "data.prompt_template"),
        (["--device", "tpu"], "device"),
        (["--rollout", "sglang"], "rollout"),
        (["--kernels", "cuda"], "kernels"),
        (["--model.quantization", "nf4", "--model.finetune", "full"], "model.quantization"),
        (["--grpo.importance_sampling", "token"], "grpo.importance_sampling"),
        (
            ["--optim.micro_batch_size", "3", "--optim.gradient_accumulation_steps", "4"],
            "optim.gradient_accumulation_steps",
        ),
    ],
)
def test_bad_values_name_the_field(tokens, field):
    with pytest.raises(ConfigError) as err:
        load_config(None, tokens)
    assert field in str(err.value)


def test_unknown_keys_suggest_the_right_name(tmp_path):
    with pytest.raises(ConfigError, match="did you mean 'optim.learning_rate'"):
        load_config(None, ["--optim.learning_rat", "1"])
    with pytest.raises(ConfigError, match="did you mean 'lora.alpha'"):
        load_config(write(tmp_path, "[lora]\nalpah = 3\n"))
    with pytest.raises(ConfigError, match="unknown option 'nonsense'"):
        from_dict({"nonsense": 1})
    with pytest.raises(ConfigError, match="needs a value"):
        load_config(None, ["--optim.learning_rate"])


def test_toml_type_errors_name_the_field(tmp_path):
    with pytest.raises(ConfigError, match="max_steps: expected int"):
        load_config(write(tmp_path, 'max_steps = "ten"\n'))
    with pytest.raises(ConfigError, match="model: expected a table"):
        load_config(write(tmp_path, 'model = "x"\n'))
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(write(tmp_path, "max_steps = = 3\n"))


def test_all_errors_reported_together():
    with pytest.raises(ConfigError) as err:
        load_config(None, ["--lora.r", "0", "--grpo.beta", "-1", "--max_steps", "0"])
    text = str(err.value)
    assert "lora.r" in text and "grpo.beta" in text and "max_steps" in text


def test_to_toml_round_trips(tmp_path):
    cfg = load_config(
        None,
        {
            "reward": {"combine": "min", "terms": [{"verifier": "exact_match", "params": {"case_sensitive": True}}]},
            "lora.target_modules": ["q_proj", "k_proj"],
            "data.system_prompt": 'Say "hi"\n',
            "optim.learning_rate": 2.5e-5,
            "vllm": {"gpu_memory_utilization": 0.3},
        },
    )
    p = tmp_path / "round.toml"
    p.write_text(cfg.to_toml())
    assert load_config(p) == cfg


def test_run_folder_is_a_config(tmp_path):
    cfg = load_config(None, {"max_steps": 9})
    (tmp_path / "config.toml").write_text(cfg.to_toml())
    assert load_config(tmp_path).max_steps == 9


def test_every_option_is_documented():
    text = options_help()
    names = all_option_names()
    assert len(names) > 60
    for name in names:
        assert f"--{name} " in text
    defaults = TrainConfig()
    assert defaults.validate() is defaults


def test_plugin_import_is_light():
    code = "import sys, trainer.plugin; print(sorted(m for m in ('torch', 'transformers', 'peft', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_shipped_configs_load_and_their_rewards_build():
    from pathlib import Path

    from trainer.presets import preset_path
    from trainer.rewards import build_reward

    root = Path(__file__).resolve().parents[2]
    paths = sorted((root / "examples").glob("train_*.toml")) + [preset_path("demo")]
    assert len(paths) >= 4
    for path in paths:
        cfg = load_config(path)
        assert build_reward(cfg.reward) is not None, path


def test_offload_activations_unset_means_on_for_one_cuda_process_only():
    from trainer.config import offload_for, set_option

    cuda, cpu = SimpleNamespace(type="cuda"), SimpleNamespace(type="cpu")  # what torch.device exposes
    cfg = TrainConfig()
    assert cfg.model.offload_activations is None
    assert offload_for(cfg, cuda) is True
    assert offload_for(cfg, cuda, processes=2) is False  # DDP/FSDP2: not enabled unasked
    assert offload_for(cfg, cpu) is False  # on the CPU it would only recompute
    set_option(cfg, "model.offload_activations", "false")
    assert offload_for(cfg, cuda) is False
    set_option(cfg, "model.offload_activations", "true")
    assert offload_for(cfg, cpu, processes=4) is True
    assert "offload_activations = true" in cfg.to_toml()
