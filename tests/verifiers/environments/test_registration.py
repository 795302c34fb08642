"""Environments registered by plugins through `aha_register_environments`, found by name."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

from verifiers import Registry, RegistryError, Sample, hookimpl
from verifiers.environments import COMPLETED, ToolEnvironment, format_tool_call, run_episode
from verifiers.registry import PluginWarning

ROOT = Path(__file__).resolve().parents[3]
PLUGIN_SRC = ROOT / "examples" / "aha-plugin-wordcount"


def fake_install(site: Path) -> None:
    """Lay out what `pip install ./examples/aha-plugin-wordcount` would: the package and its entry point."""
    dist = site / "aha_plugin_wordcount-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: aha-plugin-wordcount\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[aha]\nwordcount = aha_wordcount\n")
    (site / "aha_wordcount").symlink_to(PLUGIN_SRC / "aha_wordcount")


@pytest.fixture
def installed_plugin(tmp_path, monkeypatch):
    fake_install(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "aha_wordcount" or m.startswith("aha_wordcount.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.delenv("AHA_PLUGINS", raising=False)
    monkeypatch.delenv("AHA_BLOCK_PLUGINS", raising=False)


def test_an_installed_plugins_environment_is_found_by_name_and_imported_only_when_created(installed_plugin):
    registry = Registry.load()
    assert not [f for f in registry.failures if f.plugin == "wordcount"]
    info = registry.environment_info("calculator_arithmetic")
    assert info.plugin == "wordcount" and info.doc.startswith("Arithmetic questions")
    assert "aha_wordcount.calculator" not in sys.modules
    env = registry.create_environment("calculator_arithmetic", max_turns=3)
    assert "aha_wordcount.calculator" in sys.modules
    assert isinstance(env, ToolEnvironment) and env.max_turns == 3 and list(env.tools) == ["calculator"]
    turns = [format_tool_call("calculator", {"a": 37, "b": 45, "op": "+"})]
    ep = run_episode(
        env, Sample("", prompt="37+45=", answer="82"), lambda m, t: turns.pop(0) if turns else m[-1]["content"]
    )
    assert ep.status == COMPLETED and ep.reward == 1.0
    assert ep.messages[0]["role"] == "system" and '"name": "calculator"' in ep.messages[0]["content"]


def test_a_blocked_plugin_registers_no_environment(installed_plugin, monkeypatch):
    monkeypatch.setenv("AHA_BLOCK_PLUGINS", "wordcount")
    assert "calculator_arithmetic" not in Registry.load().environment_names()


class Sums(ToolEnvironment):
    """Sums."""

    name = "sums"


def test_unknown_names_bad_parameters_and_broken_lazy_targets_are_clear_errors():
    class Plugin:
        @hookimpl
        def aha_register_environments(self, register):
            register(Sums)
            register("no_such_module_xyz:Env", name="ghost", doc="Missing.")

    registry = Registry.builtin_only()
    assert registry.add_plugin(Plugin(), "p")
    assert registry.environment_names() == ["ghost", "sums"]
    with pytest.raises(RegistryError, match="no environment named 'nope' is registered \\(known: ghost, sums\\)"):
        registry.create_environment("nope")
    with pytest.raises(RegistryError, match="bad parameters for environment 'sums'.*colour"):
        registry.create_environment("sums", colour="red")
    with pytest.raises(RegistryError, match="bad parameters for environment 'sums'.*max_turns must be at least 1"):
        registry.create_environment("sums", max_turns=0)
    with pytest.raises(RegistryError, match="cannot load environment 'ghost' from no_such_module_xyz:Env"):
        registry.create_environment("ghost")


def test_a_registration_without_a_name_is_a_plugin_failure_not_a_crash():
    class Plugin:
        @hookimpl
        def aha_register_environments(self, register):
            register("pkg.mod:Env")

    registry = Registry.builtin_only()
    assert not registry.add_plugin(Plugin(), "nameless")
    assert registry.failures[-1].stage == "aha_register_environments"
    assert "needs name=" in registry.failures[-1].error


def test_a_name_taken_by_another_plugin_stays_with_the_first_and_warns():
    def plugin(cls):
        class P:
            @hookimpl
            def aha_register_environments(self, register):
                register(cls, name="sums")

        return P()

    class Other(Sums):
        """Other sums."""

    registry = Registry.builtin_only()
    registry.add_plugin(plugin(Sums), "first")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        registry.add_plugin(plugin(Other), "second")
    assert registry.environment_info("sums").plugin == "first"
    assert any(issubclass(w.category, PluginWarning) and "stays first's" in str(w.message) for w in caught)


def test_loading_the_registry_does_not_import_the_environments_package():
    import json
    import os
    import subprocess

    code = (
        "import sys, json, verifiers\n"
        "verifiers.get_registry().environment_names()\n"
        "before = 'verifiers.environments' in sys.modules\n"
        "tool = verifiers.environments.Tool\n"
        "print(json.dumps([before, 'verifiers.environments' in sys.modules]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [False, True]
