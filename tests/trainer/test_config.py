"""The training config: TOML loading, CLI overrides, validation errors that name the field, TOML output."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from types import SimpleNamespace

import pytest

from trainer.config import ConfigError, TrainConfig, all_option_names, from_dict, load_config, opt, options_help


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
    code = "import sys, trainer.commands; print(sorted(m for m in ('torch', 'transformers', 'peft', 'numpy') if m in sys.modules))"
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


# -- the [vllm] section -------------------------------------------------------------------------------


def test_vllm_section_from_cli_and_toml(tmp_path):
    cfg = load_config(
        None,
        [
            "--rollout",
            "vllm",
            "--vllm.memory_share",
            "0.45",
            "--vllm.sleep=weights",
            "--vllm.enforce_eager",
            "--vllm.kv_cache_gib",
            "none",
            "--vllm.engine_kwargs",
            "{tensor_parallel_size = 2}",
        ],
    )
    v = cfg.vllm
    assert (v.memory_share, v.sleep, v.enforce_eager, v.kv_cache_gib) == (0.45, "weights", True, None)
    assert v.engine_kwargs == {"tensor_parallel_size": 2}
    from_file = load_config(write(tmp_path, '[vllm]\ngpu_memory_utilization = 0.2\nsync_dir = "/tmp/x"\n'))
    assert from_file.vllm.memory_share == 0.2 and from_file.vllm.sync_dir == "/tmp/x"  # vLLM's name accepted
    assert load_config(None, ['--vllm={sleep = "off", seed = 3}']).vllm.sleep == "off"  # a whole table at once
    assert load_config(None, {"vllm": {"seed": 3}}).vllm.seed == 3


@pytest.mark.parametrize(
    "source, message",
    [
        ("[vllm]\nsleeep = 'off'\n", "unknown option 'vllm.sleeep' (did you mean 'vllm.sleep'?)"),
        ("[vllm]\ntensor_parallel_size = 2\n", "other vllm.LLM arguments go in vllm.engine_kwargs"),
        ("[vllm]\nmemory_share = 0.3\ngpu_memory_utilization = 0.4\n", "given twice"),
        ("[vllm]\nsleep = 'deep'\n", "vllm.sleep: must be one of 'kv_cache', 'weights', 'off', not 'deep'"),
        ("[vllm]\nmemory_share = 1.5\n", "vllm.memory_share: must be > 0 and <= 1, got 1.5"),
        ("[vllm]\nmax_num_seqs = 0\n", "vllm.max_num_seqs: must be >= 1"),
        ("[vllm]\nseed = 'x'\n", "vllm.seed: expected int"),
        ("[vllm]\nengine_kwargs = 3\n", "vllm.engine_kwargs: expected table"),
    ],
)
def test_bad_vllm_options_name_the_key(tmp_path, source, message):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, source))
    assert message in str(err.value)


def test_unknown_key_lists_the_valid_ones(tmp_path):
    from trainer.config import VLLMConfig

    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, "[vllm]\nwhatever = 1\n"))
    text = str(err.value)
    assert "unknown option 'vllm.whatever'" in text
    assert "the options of [vllm] are: " + ", ".join(f.name for f in dataclasses.fields(VLLMConfig)) in text
    with pytest.raises(ConfigError, match=r"the options of \[optim\] are: learning_rate, lr_schedule, "):
        load_config(None, ["--optim.nothing", "1"])
    with pytest.raises(ConfigError, match="the options of the top level are: model, lora, data, reward,"):
        from_dict({"nonsense": 1})


def test_vllm_section_matches_the_engine_settings():
    from trainer.config import VLLMConfig
    from trainer.rollout.vllm.settings import VLLMSettings

    section = {f.name: getattr(VLLMConfig(), f.name) for f in dataclasses.fields(VLLMConfig)}
    settings = {f.name: getattr(VLLMSettings(), f.name) for f in dataclasses.fields(VLLMSettings)}
    assert section == settings
    table = load_config(None, ["--vllm.sleep", "off", "--vllm.max_num_seqs", "7"]).vllm
    assert VLLMSettings.from_mapping(dataclasses.asdict(table)) == VLLMSettings(sleep="off", max_num_seqs=7)


# -- choices, per-section checks, help --------------------------------------------------------------------


@pytest.mark.parametrize(
    "tokens, message",
    [
        (["--grpo.loss_type", "ppo"], "grpo.loss_type: must be one of 'grpo', 'dr_grpo', 'dapo', 'bnpo', not 'ppo'"),
        (["--rollout", "sglang"], "rollout: must be one of 'transformers', 'vllm', not 'sglang'"),
        (["--generation.fast", "maybe"], "generation.fast: must be one of 'auto', 'on', 'off', not 'maybe'"),
    ],
)
def test_string_choices_are_listed_in_the_error(tokens, message):
    with pytest.raises(ConfigError) as err:
        load_config(None, tokens)
    assert message in str(err.value)


def test_choices_come_from_the_literal_type():
    from trainer.config.values import choices, hints

    assert choices(hints(TrainConfig)["kernels"]) == ("auto", "triton", "torch")
    assert choices(hints(TrainConfig)["device"]) == ()  # free text ('cuda:N'), checked by the top level
    assert "--grpo.advantage ('group_std' | 'group_mean' | 'batch_std' | 'rloo', default 'group_std')" in options_help()


def test_each_section_validates_its_own_options():
    cfg = TrainConfig()
    cfg.lora.r = 0
    cfg.vllm.memory_share = 0.0
    cfg.generation.top_p = 2.0
    assert cfg.lora.validate() == ["lora.r: must be >= 1, got 0"]
    assert cfg.vllm.validate() == ["vllm.memory_share: must be > 0 and <= 1, got 0.0"]
    assert cfg.generation.validate() == ["generation.top_p: must be > 0 and <= 1, got 2.0"]
    assert cfg.model.validate() == [] and cfg.optim.validate() == []
    with pytest.raises(ConfigError) as err:
        cfg.validate()
    assert all(name in str(err.value) for name in ("lora.r", "vllm.memory_share", "generation.top_p"))


def test_checks_across_sections_stay_at_the_top():
    with pytest.raises(ConfigError, match="generation.fast: 'on' needs rollout = 'transformers'"):
        load_config(None, ["--generation.fast", "on", "--rollout", "vllm"])
    assert load_config(None, ["--generation.fast", "on"]).generation.fast == "on"


def test_help_text_has_no_machine_timings():
    from trainer.config.reference import iter_options

    timing = re.compile(r"\b(H100|H200|A100|\d+(\.\d+)? ?ms)\b|->")
    for name, f, _ in iter_options():
        assert not timing.search(f.metadata["help"]), name


def test_train_help_lists_the_vllm_options():
    from click.testing import CliRunner

    from trainer.commands import train_command

    text = CliRunner().invoke(train_command, ["--help"]).output
    for name in ("memory_share", "kv_cache_gib", "sleep", "sync_check_every", "engine_kwargs"):
        assert f"--vllm.{name} " in text
    assert "--vllm (table" not in text


# -- the generated option reference ---------------------------------------------------------------------


def test_docs_option_reference_is_generated_and_up_to_date():
    from trainer.config.reference import DOCS, render_docs

    text = DOCS.read_text(encoding="utf-8")
    assert render_docs(text) == text, "docs/training.md is out of date: run python -m trainer.config"
    for name in all_option_names():
        assert f"| `{name}` |" in text


def test_every_option_has_help_and_the_check_catches_one_without():
    from trainer.config.reference import undocumented

    assert undocumented() == []
    assert undocumented(_Top) == ["section.bare", "blank", "[bare_section]"]


@dataclasses.dataclass
class _Section:
    """A section with one option lacking help."""

    good: int = opt(1, "Documented.")
    bare: int = 2


@dataclasses.dataclass
class _NoDocstring:
    x: int = opt(1, "Documented.")


@dataclasses.dataclass
class _Top:
    """A config tree with gaps in its help."""

    section: _Section = opt(help="s", factory=_Section)
    bare_section: _NoDocstring = opt(help="b", factory=_NoDocstring)
    blank: str = opt("", "  ")


def test_generator_writes_and_checks_the_docs(tmp_path, capsys):
    from trainer.config.reference import BEGIN, END, main, options_markdown

    doc = tmp_path / "training.md"
    doc.write_text(f"# Title\n\n{BEGIN}\nSTALE TEXT\n{END}\n\nafter\n")
    assert main(["--check", str(doc)]) == 1
    assert main([str(doc)]) == 0
    text = doc.read_text()
    assert text.startswith("# Title\n\n") and text.endswith(f"{END}\n\nafter\n")
    assert options_markdown() in text and "STALE TEXT" not in text
    assert main(["--check", str(doc)]) == 0
    doc.write_text("no markers\n")
    with pytest.raises(ValueError, match="markers are missing"):
        main([str(doc)])
