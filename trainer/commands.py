"""aha's trainer commands: `aha train`, `aha plot` and `aha evaluate-model`.

`aha` imports this module only when one of these commands runs (or shows its help); nothing heavy
is imported here either: torch and transformers load only when a command does its work.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

TRAIN_HELP = """Train a model with GRPO, rewarded by aha verifiers.

CONFIG is a TOML file (or a run folder, to reuse its config.toml). Any option can be set or overridden
with --key value; dotted keys reach sections (--optim.learning_rate 1e-4, --lora.r 8), and a name that
exists in one section only may be given alone (--learning_rate 1e-4).

With no CONFIG, trains the bundled demo: a tiny model learns to carry in 2-digit addition (held-out
accuracy from about 33 % to over 95 %) on the CPU: about 20-90 s on a 2-core CPU, longer while other
work keeps its cores busy.

Extra flags: --resume (continue the run in output_dir from its last checkpoint), --print-config (show
the resolved config as TOML and exit).
"""


class _TrainCommand(click.Command):
    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from .config import options_help

        formatter.write("\nOptions of the training config:\n\n")
        formatter.write(options_help())
        formatter.write("\n")


def _split_args(args: tuple[str, ...]) -> tuple[str | None, list[str], bool, bool]:
    config = None
    rest = list(args)
    if rest and not rest[0].startswith("--"):
        config = rest.pop(0)
    resume = print_config = False
    overrides: list[str] = []
    for tok in rest:
        if tok == "--resume":
            resume = True
        elif tok == "--print-config":
            print_config = True
        else:
            overrides.append(tok)
    return config, overrides, resume, print_config


def _load_config(config: str | None, overrides: list[str]) -> Any:
    from pathlib import Path

    from .config import load_config
    from .presets import preset_path

    if (
        config is not None
        and Path(config).is_dir()
        and not any(o.startswith(("--output_dir", "--output-dir")) for o in overrides)
    ):
        overrides = [*overrides, "--output_dir", config]  # a run folder given as CONFIG is the run to continue
    return load_config(config if config is not None else preset_path("demo"), overrides)


@click.command(
    "train",
    cls=_TrainCommand,
    help=TRAIN_HELP,
    context_settings={"ignore_unknown_options": True, "help_option_names": ["-h", "--help"], "max_content_width": 110},
    options_metavar="[--resume] [--print-config]",
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="[CONFIG] [--key value]...")
def train_command(args: tuple[str, ...]) -> None:
    """Train a model with GRPO."""
    from .config import ConfigError
    from .data import DataError

    config, overrides, resume, print_config = _split_args(args)
    try:
        cfg = _load_config(config, overrides)
        if print_config:
            click.echo(cfg.to_toml(), nl=False)
            return
        from .grpo_trainer import train

        train(cfg, resume=resume)
    except (ConfigError, DataError) as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        sys.exit(130)


@click.command("plot")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where to write the PNG (default: RUN_DIR/training_curves.png).",
)
def plot_command(run_dir: str, out: str | None) -> None:
    """Draw a run's reward and loss curves (and held-out accuracy) to a PNG."""
    from .plotting import plot_run

    try:
        path = plot_run(run_dir, out)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(str(path))


@click.command("evaluate-model", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--model",
    "model_path",
    default=None,
    help="Local model folder ('demo' for the bundled model). Default: the config's, else demo.",
)
@click.option(
    "--adapter",
    default=None,
    help="Trained weights: a peft adapter folder, a checkpoint, a full model folder, or a run folder (its final weights).",
)
@click.option(
    "--data",
    default=None,
    help="Dataset (JSONL, Parquet or save_to_disk folder; 'demo'). Default: the config's eval set, else the demo's.",
)
@click.option("--split", default=None, help="Split of a saved DatasetDict.")
@click.option(
    "--reward",
    default=None,
    help="Reward spec: verifier name (name:key=value,...), reward TOML path, or inline TOML table. Default: the config's.",
)
@click.option(
    "--config",
    "config_path",
    default=None,
    help="A training config (or run folder) for the prompt template, lengths and reward.",
)
@click.option("--limit", type=int, default=None, help="Evaluate at most N rows.")
@click.option("--temperature", type=float, default=None, help="0 for greedy (default), else sampling temperature.")
@click.option("--max-new-tokens", type=int, default=None, help="Most tokens per completion.")
@click.option("--show", type=int, default=3, show_default=True, help="Print this many example completions.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="KEY=VALUE",
    help="Any other config option, e.g. --set data.prompt_template='Q: {prompt}'.",
)
def evaluate_model_command(
    model_path: str | None,
    adapter: str | None,
    data: str | None,
    split: str | None,
    reward: str | None,
    config_path: str | None,
    limit: int | None,
    temperature: float | None,
    max_new_tokens: int | None,
    show: int,
    as_json: bool,
    sets: tuple[str, ...],
) -> None:
    """Report a model's (or a trained run's) accuracy on a dataset with a reward spec."""
    from pathlib import Path

    from .config import ConfigError, load_config
    from .data import DataError
    from .presets import preset_path

    overrides: dict[str, Any] = {}
    for item in sets:
        key, eq, value = item.partition("=")
        if not eq:
            raise click.ClickException(f"--set {item!r}: expected KEY=VALUE")
        overrides[key.strip()] = value
    if model_path:
        overrides["model.path"] = model_path
    if reward:
        overrides["reward"] = reward
    if temperature is not None:
        overrides["eval.temperature"] = str(temperature)
    if max_new_tokens is not None:
        overrides["generation.max_completion_length"] = str(max_new_tokens)
    source = config_path
    if source is None and adapter and (Path(adapter) / "config.toml").is_file():
        source = adapter  # a run folder: reuse its model, template and reward
    try:
        cfg = load_config(source if source is not None else preset_path("demo"), overrides)
        from .heldout import evaluate_model

        result = evaluate_model(cfg, adapter=adapter, data=data, split=split, limit=limit, show=show)
    except (ConfigError, DataError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps({**result.to_record(0), "examples": result.examples}, default=str, indent=2))
        return
    what = cfg.model.path + (f" + {adapter}" if adapter else "")
    click.echo(f"model: {what}")
    click.echo(
        f"accuracy: {100 * result.accuracy:.1f} % ({round(result.accuracy * result.n)}/{result.n} passed), "
        f"mean reward {result.reward_mean:.3f}, truncated {100 * result.truncated_fraction:.1f} %, "
        f"{result.elapsed:.1f} s"
    )
    counts = ", ".join(f"{k} {v}" for k, v in result.statuses.items() if v)
    click.echo(f"statuses: {counts}")
    for ex in result.examples:
        click.echo(
            f"  {ex['prompt']!r} -> {ex['completion']!r} (answer {ex['answer']!r}): {ex['status']}, {ex['reason']}"
        )
