"""aha's own commands load lazily and always; plugin commands come through the hook and obey the plugin lists."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from verifiers import cli as cli_module
from verifiers.cli import LAZY_COMMANDS, AhaGroup, cli

ROOT = Path(__file__).resolve().parents[2]
TRAINER_COMMANDS = {"train", "plot", "evaluate-model"}

# Prints the trainer, torch and aha-eval modules loaded by the code before it, as JSON, on the last line.
DUMP_MODULES = (
    "import json, sys\n"
    "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('trainer', 'torch') "
    "or m.startswith('verifiers.evaluation'))))\n"
)


def _python(code: str, extra_path: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter with the plugin lists unset unless given."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("AHA_PLUGINS", "AHA_BLOCK_PLUGINS")}
    full_env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (extra_path, ROOT) if p)
    full_env.update(env)
    return subprocess.run([sys.executable, "-c", code], env=full_env, capture_output=True, text=True, cwd=ROOT)


def _loaded_after(statements: str, **env: str) -> list[str]:
    out = _python(statements + "\n" + DUMP_MODULES, **env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _aha(*args: str, extra_path: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    code = f"from verifiers.cli import main\nmain({list(args)!r})"
    return _python(code, extra_path, **env)


def test_creating_a_verifier_imports_no_trainer_and_no_torch():
    loaded = _loaded_after("from verifiers import create\ncreate('exact_match')")
    assert [m for m in loaded if not m.startswith("verifiers.")] == []


def test_aha_help_imports_no_trainer_torch_or_eval_code():
    statements = "from verifiers.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    assert _loaded_after(statements) == []


def test_aha_score_imports_no_trainer(tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"completion": "4", "answer": "4"}\n')
    out = tmp_path / "scored.jsonl"
    statements = (
        "from verifiers.cli import main\n"
        "try:\n"
        f"    main(['score', '-r', 'exact_match', '-i', {str(rows)!r}, '-o', {str(out)!r}, '-q', '-w', '1'])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code"
    )
    loaded = _loaded_after(statements)
    assert json.loads(out.read_text())["status"] == "passed"
    assert [m for m in loaded if m.split(".")[0] in ("trainer", "torch")] == []


@pytest.mark.parametrize("env", [{"AHA_PLUGINS": "legal"}, {"AHA_BLOCK_PLUGINS": "legal,medical,aha.builtins"}, {}])
def test_plugin_lists_never_hide_ahas_own_commands(env):
    out = _aha("--help", **env)
    assert out.returncode == 0, out.stderr
    listed = {line.split()[0] for line in out.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert TRAINER_COMMANDS | {"eval", "score", "verifiers"} <= listed


def test_help_shows_each_lazy_commands_own_short_help():
    for name, (_, short_help) in LAZY_COMMANDS.items():
        command = cli.get_command(click.Context(cli), name)
        assert command is not None and command.name == name
        assert command.get_short_help_str(limit=500) == short_help, name


def test_lazy_commands_run_when_named():
    out = CliRunner().invoke(cli, ["train", "--help"])
    assert out.exit_code == 0, out.output
    assert "Options of the training config:" in out.output
    assert "--optim.learning_rate (float" in out.output


def test_a_lazy_command_that_cannot_be_imported_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(LAZY_COMMANDS, "ghost", ("no_such_module_xyz:command", "A command that is not installed."))
    out = CliRunner().invoke(cli, ["ghost", "--anything"])
    assert out.exit_code == 1
    assert "'aha ghost' is unavailable: ModuleNotFoundError" in out.output
    listing = CliRunner().invoke(cli, ["--help"])
    assert "ghost" in listing.output and "A command that is not installed." in listing.output


def _install_command_plugin(site: Path) -> None:
    """A plugin `hello` that adds `aha hello` and tries to take `aha train` and `aha score`."""
    code = textwrap.dedent(
        """
        import click
        from verifiers import hookimpl

        @hookimpl
        def aha_register_commands(cli):
            @cli.command("train")
            def fake_train():
                "Not aha's train."
                click.echo("fake train")

            cli.add_command(click.Command("score", callback=lambda: click.echo("fake score")))

            @cli.command()
            def hello():
                "Say hello."
                click.echo("hello from plugin")
        """
    )
    (site / "hello_plugin.py").write_text(code)
    dist = site / "hello_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: hello-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[aha]\nhello = hello_plugin\n")


def test_plugin_commands_are_added_but_cannot_take_ahas_names(tmp_path):
    _install_command_plugin(tmp_path)
    out = _aha("hello", extra_path=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "hello from plugin" in out.stdout
    assert "a plugin's command 'train' is not added: aha has its own 'aha train'" in out.stderr
    assert "a plugin's command 'score' is not added" in out.stderr
    train = _aha("train", "--help", extra_path=tmp_path)
    assert "Options of the training config:" in train.stdout and "fake train" not in train.stdout


@pytest.mark.parametrize(
    ("env", "has_hello"), [({"AHA_BLOCK_PLUGINS": "hello"}, False), ({"AHA_PLUGINS": "hello"}, True)]
)
def test_plugin_lists_govern_plugin_commands(tmp_path, env, has_hello):
    _install_command_plugin(tmp_path)
    out = _aha("--help", extra_path=tmp_path, **env)
    assert out.returncode == 0, out.stderr
    commands = out.stdout.split("Commands:")[1]
    assert ("hello" in commands) is has_hello
    assert all(name in commands for name in TRAINER_COMMANDS)


def test_own_commands_are_protected_only_after_build(monkeypatch):
    group = AhaGroup("demo")
    group.add_command(click.Command("train", callback=lambda: None))  # before build: aha defines its own freely
    assert "train" in group.commands
    monkeypatch.setattr(cli_module, "_plugins_added", False)
    monkeypatch.setattr(cli, "own_commands", frozenset())
    monkeypatch.setattr(cli_module, "_register_plugin_commands", lambda group, registry: None)
    assert cli_module.build_cli() is cli
    assert TRAINER_COMMANDS | {"eval", "score", "verifiers"} <= cli.own_commands
