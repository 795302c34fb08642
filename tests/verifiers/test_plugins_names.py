"""Plugin names: a plugin that reuses a built-in's name, `plugin/name`, and unknown names in the plugin lists."""

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from verifiers import PluginWarning, Registry, Result, Verifier, hookimpl, load_reward
from verifiers.cli import cli
from verifiers.registry import UnknownVerifier

ROOT = Path(__file__).resolve().parents[2]


class AlwaysOne(Verifier):
    """Scores every answer 1 [beta] (reads [bold]markup[/bold] literally)."""

    name = "exact_match"

    def check(self, sample) -> Result:
        """Pass everything."""
        return self.passed("copycat passes everything")


class Copycat:
    @hookimpl
    def aha_register_verifiers(self, register):
        register(AlwaysOne)


def test_builtin_keeps_its_name_and_the_plugin_is_reached_qualified(aha_registry):
    with pytest.warns(PluginWarning, match="'copycat'.*'exact_match'.*'aha.builtins'.*'copycat/exact_match'"):
        assert aha_registry.add_plugin(Copycat(), "copycat")
    wrong = {"completion": "answer: 3", "answer": "4"}
    assert load_reward("exact_match")(wrong).score == 0.0  # the built-in, not the copy
    assert load_reward("copycat/exact_match")(wrong).score == 1.0
    assert load_reward("aha.builtins/exact_match")(wrong).score == 0.0
    assert aha_registry.info("exact_match").plugin == "aha.builtins"


def test_qualified_name_takes_parameters_and_works_in_a_spec(aha_registry):
    with pytest.warns(PluginWarning):
        aha_registry.add_plugin(Copycat(), "copycat")
    strict = load_reward("aha.builtins/exact_match:case_sensitive=true")
    assert strict.case_sensitive is True
    spec = load_reward(
        {"terms": [{"verifier": "copycat/exact_match"}, {"verifier": "exact_match", "name": "builtin", "weight": 2}]}
    )
    assert spec({"completion": "answer: 3", "answer": "4"}).score == 1.0


def test_a_builtin_registered_after_the_plugin_still_wins():
    reg = Registry()
    reg.add_plugin(Copycat(), "copycat")
    from verifiers import builtin

    with pytest.warns(PluginWarning, match="'copycat/exact_match'"):
        reg.add_plugin(builtin, "aha.builtins")
    assert reg.info("exact_match").plugin == "aha.builtins"
    assert reg.info("copycat/exact_match").plugin == "copycat"


def test_unknown_qualified_name_says_who_has_it(aha_registry):
    with pytest.raises(UnknownVerifier, match="'exact_match' is registered by aha.builtins"):
        aha_registry.info("nobody/exact_match")
    with pytest.raises(UnknownVerifier, match="no plugin registers 'nope'"):
        aha_registry.info("aha.builtins/nope")


def _load_with(env: dict[str, str]) -> list[str]:
    """Messages of the plugin warnings that Registry.load() gives in a fresh process with this environment."""
    code = (
        "import warnings\n"
        "from verifiers import Registry, PluginWarning\n"
        "with warnings.catch_warnings(record=True) as seen:\n"
        "    warnings.simplefilter('always')\n"
        "    Registry.load()\n"
        "for w in seen:\n"
        "    if issubclass(w.category, PluginWarning): print(w.message)\n"
    )
    full = {k: v for k, v in os.environ.items() if k not in ("AHA_PLUGINS", "AHA_BLOCK_PLUGINS")}
    out = subprocess.run(
        [sys.executable, "-c", code], env={**full, **env}, capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def test_misspelt_block_list_name_is_warned_once_with_the_known_names():
    lines = _load_with({"AHA_BLOCK_PLUGINS": "legall,medical"})
    assert len(lines) == 1
    assert "AHA_BLOCK_PLUGINS names 'legall'" in lines[0]
    assert "known: aha.builtins, legal, medical" in lines[0]
    assert "'medical'" not in lines[0].split("known")[0]


def test_misspelt_allow_list_name_is_warned():
    lines = _load_with({"AHA_PLUGINS": "medicl"})
    assert len(lines) == 1 and "AHA_PLUGINS names 'medicl'" in lines[0] and "legal" in lines[0]


def test_known_names_give_no_warning():
    assert _load_with({"AHA_BLOCK_PLUGINS": "legal", "AHA_PLUGINS": "medical"}) == []


def test_aha_verifiers_shows_square_brackets_in_descriptions(aha_registry):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginWarning)
        aha_registry.add_plugin(Copycat(), "copy[cat]")
    aha_registry.failures.append(_failure())
    out = CliRunner().invoke(cli, ["verifiers"], env={"COLUMNS": "250"})
    assert out.exit_code == 0, out.output
    assert "'exact_match' is registered by aha.builtins, copy[cat]" in out.output
    assert "plugin 'bad[x]' failed at import: ImportError: no [module]" in out.output


def test_aha_verifiers_description_markup_is_literal(aha_registry):
    class Doc:
        @hookimpl
        def aha_register_verifiers(self, register):
            register(AlwaysOne, name="bracketed", doc="Checks [beta] answers, [bold]not bold[/bold].")

    aha_registry.add_plugin(Doc(), "doc")
    out = CliRunner().invoke(cli, ["verifiers"], env={"COLUMNS": "250"})
    assert out.exit_code == 0, out.output
    assert "Checks [beta] answers, [bold]not bold[/bold]." in out.output


def _failure():
    from verifiers import PluginFailure

    return PluginFailure("bad[x]", "import", "ImportError: no [module]")


class LazyWords:
    calls = 0

    @hookimpl
    def aha_register_vocabularies(self, register):
        register("lazy_fn", LazyWords.words)
        register("lazy_path", "json:loads")  # any importable function; called with no arguments it fails
        register("eager", ["Zorbly"])

    @staticmethod
    def words():
        LazyWords.calls += 1
        return ["Quenchit", 7]


def test_vocabularies_can_be_registered_lazily(aha_registry):
    LazyWords.calls = 0
    assert aha_registry.add_plugin(LazyWords(), "lazy")
    assert LazyWords.calls == 0  # nothing built at registration, i.e. at every aha start
    vocab = aha_registry.vocabularies()
    assert vocab["lazy_fn"] == ("lazy", ["Quenchit", "7"]) and vocab["eager"] == ("lazy", ["Zorbly"])
    assert "lazy_path" not in vocab
    assert any(f.plugin == "lazy" and "lazy_path" in f.stage and "TypeError" in f.error for f in aha_registry.failures)
    aha_registry.vocabularies()
    assert LazyWords.calls == 1  # built once


def test_lazy_vocabulary_string_must_name_a_function(aha_registry):
    class Bad:
        @hookimpl
        def aha_register_vocabularies(self, register):
            register("bad", "no colon here")

    assert not aha_registry.add_plugin(Bad(), "bad")
    assert "package.module:function" in aha_registry.failures[-1].error


def test_medical_words_are_not_built_at_registry_load():
    code = (
        "import sys\n"
        "from verifiers import Registry\n"
        "reg = Registry.load()\n"
        "assert 'plugins.medical.tables' not in sys.modules, 'medical tables imported at start'\n"
        "assert 'warfarin' in [w.lower() for w in reg.vocabularies()['medical'][1]]\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("AHA_PLUGINS", "AHA_BLOCK_PLUGINS")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
