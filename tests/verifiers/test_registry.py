import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from verifiers import Registry, VerifierNameClash, hookimpl, load_reward
from verifiers.registry import UnknownVerifier

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_SRC = ROOT / "examples" / "aha-plugin-wordcount"

BUILTINS = {
    "exact_match",
    "multiple_choice",
    "regex_match",
    "think_answer_format",
    "overlong_penalty",
    "cosine_length",
    "ngram_repetition",
    "math_equivalence",
    "spelling",
    "rules",
}


def test_builtins_registered_through_the_hook(aha_registry):
    assert BUILTINS <= set(aha_registry.names())
    info = aha_registry.info("exact_match")
    assert info.plugin == "aha.builtins" and info.doc
    assert "case_sensitive" in info.parameters()


def test_unknown_verifier_lists_known_names(aha_registry):
    with pytest.raises(UnknownVerifier, match="known: .*exact_match"):
        aha_registry.create("nope")


class GoodPlugin:
    @hookimpl
    def aha_register_verifiers(self, register):
        from aha_wordcount import WordCount

        register(WordCount)


def test_plugin_object_registers_and_is_used_in_a_spec(aha_registry, monkeypatch):
    monkeypatch.syspath_prepend(str(PLUGIN_SRC))
    assert aha_registry.add_plugin(GoodPlugin(), "wordcount")
    reward = load_reward(
        {"terms": [{"verifier": "word_count", "params": {"max_words": 3}}, {"verifier": "exact_match"}]}
    )
    r = reward({"completion": "answer: 7", "answer": "7"})
    assert r.score == 2.0 and r.terms["word_count"].passed


def test_failing_plugins_are_isolated_and_named(aha_registry):
    class Raises:
        @hookimpl
        def aha_register_verifiers(self, register):
            raise RuntimeError("database unavailable")

    class Misspelt:
        @hookimpl
        def aha_register_verifier(self, register):  # missing "s": no such hook
            pass

    assert not aha_registry.add_plugin(Raises(), "raiser")
    assert not aha_registry.add_plugin(Misspelt(), "typo")
    assert not aha_registry.add_plugin("no_such_module_xyz", "ghost")
    messages = [str(f) for f in aha_registry.failures]
    assert any("'raiser'" in m and "database unavailable" in m for m in messages)
    assert any("'typo'" in m and "aha_register_verifier" in m for m in messages)
    assert any("'ghost'" in m and "No module named" in m for m in messages)
    assert aha_registry.create("exact_match")("<answer>1</answer>")  # the others still work


def test_name_clash_between_plugins_names_both(aha_registry, monkeypatch):
    monkeypatch.syspath_prepend(str(PLUGIN_SRC))
    aha_registry.add_plugin(GoodPlugin(), "wordcount")
    aha_registry.add_plugin(GoodPlugin(), "copycat")
    with pytest.raises(
        VerifierNameClash, match="'wordcount' and 'copycat'.*'wordcount/word_count' or 'copycat/word_count'"
    ):
        aha_registry.create("word_count")
    assert aha_registry.clashes == {"word_count": ["wordcount", "copycat"]}
    assert aha_registry.create("copycat/word_count").name == "word_count"


def _fake_install(site: Path, broken: bool = False) -> None:
    """Lay out what `pip install` would: the package and a dist-info with an `aha` entry point."""
    dist = site / "aha_plugin_wordcount-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: aha-plugin-wordcount\nVersion: 0.1.0\n")
    target = "aha_wordcount_missing" if broken else "aha_wordcount"
    (dist / "entry_points.txt").write_text(f"[aha]\nwordcount = {target}\n")
    (site / "aha_wordcount").symlink_to(PLUGIN_SRC / "aha_wordcount")


def _aha_verifiers(site: Path, **env: str) -> dict:
    full_env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)]), **env}
    for key in ("AHA_PLUGINS", "AHA_BLOCK_PLUGINS"):
        if key not in env:
            full_env.pop(key, None)
    out = subprocess.run(
        [sys.executable, "-m", "verifiers.cli", "verifiers", "--json"],
        env=full_env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_entry_point_plugin_appears_and_block_list_removes_it(tmp_path):
    _fake_install(tmp_path)
    listed = _aha_verifiers(tmp_path)
    names = {v["name"]: v["plugin"] for v in listed["verifiers"]}
    assert names.get("word_count") == "wordcount"
    assert "exact_match" in names
    blocked = _aha_verifiers(tmp_path, AHA_BLOCK_PLUGINS="wordcount")
    assert "word_count" not in {v["name"] for v in blocked["verifiers"]}
    allow = _aha_verifiers(tmp_path, AHA_PLUGINS="legal")
    assert "word_count" not in {v["name"] for v in allow["verifiers"]}
    assert "exact_match" in {v["name"] for v in allow["verifiers"]}


def test_broken_entry_point_is_reported_not_fatal(tmp_path):
    _fake_install(tmp_path, broken=True)
    listed = _aha_verifiers(tmp_path)
    assert any(f["plugin"] == "wordcount" and "aha_wordcount_missing" in f["error"] for f in listed["failures"])
    assert "exact_match" in {v["name"] for v in listed["verifiers"]}


def test_load_does_not_see_blocked_builtins(monkeypatch):
    monkeypatch.setenv("AHA_BLOCK_PLUGINS", "aha.builtins")
    reg = Registry.load(entry_points_group=None)
    assert reg.names() == []


def test_fixture_gives_clean_registry(aha_registry):
    assert aha_registry.failures == []
    assert not any(i.plugin not in ("aha.builtins",) for i in aha_registry.infos())


def test_plugin_commands_hook_adds_a_command(tmp_path):
    code = textwrap.dedent(
        """
        import click
        from verifiers import hookimpl
        @hookimpl
        def aha_register_commands(cli):
            @cli.command()
            def hello():
                "Say hello."
                click.echo("hello from plugin")
        """
    )
    (tmp_path / "hello_plugin.py").write_text(code)
    dist = tmp_path / "hello_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: hello-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[aha]\nhello = hello_plugin\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    out = subprocess.run([sys.executable, "-m", "verifiers.cli", "hello"], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "hello from plugin" in out.stdout
