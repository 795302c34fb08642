"""The `aha` command line: score files, list verifiers, and commands added by plugins."""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from .registry import Registry, get_registry
from .workers import MAX_ROW_TIMEOUT

DEFAULT_ROW_TIMEOUT = 60.0

# aha's own commands that import heavy code: name -> ("package.module:command", short help for `aha --help`).
# They are always present (the plugin allow and block lists do not apply) and imported only when run.
LAZY_COMMANDS = {
    "eval": (
        "verifiers.evaluation.command:eval_command",
        "Evaluate completions and verifiers: score a file, then write report.html, summary.md and metrics.json.",
    ),
    "evaluate-model": (
        "trainer.commands:evaluate_model_command",
        "Report a model's (or a trained run's) accuracy on a dataset with a reward spec.",
    ),
    "plot": (
        "trainer.commands:plot_command",
        "Draw a run's reward and loss curves (and held-out accuracy) to a PNG.",
    ),
    "train": ("trainer.commands:train_command", "Train a model with GRPO, rewarded by aha verifiers."),
}


class AhaGroup(click.Group):
    """A click group whose heavy built-in commands are imported only when used, not to list them."""

    own_commands: frozenset[str] = frozenset()  # set by build_cli: names plugins may not take

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """Add a command; one added by a plugin under the name of one of aha's own is refused with a warning."""
        name = name or cmd.name
        if name in self.own_commands:
            click.echo(f"aha: a plugin's command '{name}' is not added: aha has its own 'aha {name}'", err=True)
            return
        super().add_command(cmd, name)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        cmd = super().get_command(ctx, name)
        if cmd is not None or name not in LAZY_COMMANDS:
            return cmd
        target, short_help = LAZY_COMMANDS[name]
        module, _, attr = target.partition(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            problem = f"{type(exc).__name__}: {exc}"

            @click.command(name=name, help=short_help, context_settings={"ignore_unknown_options": True})
            @click.argument("args", nargs=-1, type=click.UNPROCESSED)
            def unavailable(args):
                raise click.ClickException(f"'aha {name}' is unavailable: {problem}")

            return unavailable

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of `aha --help`; lazy commands show their short help without being imported."""
        rows: list[click.Command] = []
        for name in self.list_commands(ctx):
            if name in LAZY_COMMANDS and name not in self.commands:
                rows.append(click.Command(name, help=LAZY_COMMANDS[name][1]))  # a stand-in, for its help only
                continue
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append(cmd)
        if rows:
            limit = formatter.width - 6 - max(len(cmd.name or "") for cmd in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(cmd.name or "", cmd.get_short_help_str(limit)) for cmd in rows])


def field_options(command):
    """The options naming the input columns (`--completion-field` etc.), shared by `aha score` and `aha eval`."""
    command = click.option(
        "--prompt-field", default="prompt", show_default=True, help="Column holding the prompt (text or chat turns)."
    )(command)
    command = click.option(
        "--answer-field", default="answer", show_default=True, help="Column holding the gold answer."
    )(command)
    command = click.option(
        "--messages-field",
        default="messages",
        show_default=True,
        help="Column holding chat turns, used when a row has no completion column.",
    )(command)
    return click.option(
        "--completion-field", default="completion", show_default=True, help="Column holding the completion text."
    )(command)


@click.group(cls=AhaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="aha")
def cli() -> None:
    """aha: composable verifiers as rewards, and a low-VRAM GRPO trainer."""


@cli.command("verifiers")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_verifiers(as_json: bool) -> None:
    """List every registered verifier with its plugin and description."""
    reg = get_registry()
    infos = reg.infos()
    if as_json:
        data = {
            "verifiers": [{"name": i.name, "plugin": i.plugin, "doc": i.doc} for i in infos],
            "failures": [vars(f) for f in reg.failures],
            "clashes": reg.clashes,
        }
        click.echo(json.dumps(data, indent=2))
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    table = Table(title="Registered verifiers")
    table.add_column("name", style="bold")
    table.add_column("plugin")
    table.add_column("description")
    for i in infos:  # plugin text is shown as written, never read as rich markup
        table.add_row(escape(i.name), escape(i.plugin), escape(i.doc))
    console.print(table)
    for name, plugins in reg.clashes.items():
        console.print(f"[red]name clash:[/red] '{escape(name)}' is registered by {escape(', '.join(plugins))}")
    for f in reg.failures:
        console.print(f"[red]plugin failure:[/red] {escape(str(f))}")


@cli.command("score")
@click.option(
    "--reward", "-r", required=True, help="A registered verifier name (name:key=value,...) or a TOML reward spec file."
)
@click.option(
    "--input",
    "-i",
    "input_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, allow_dash=True),
    help="JSONL input ('-' for stdin).",
)
@click.option(
    "--output",
    "-o",
    "output_path",
    default="-",
    show_default=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="JSONL output ('-' for stdout); missing folders are created.",
)
@click.option(
    "--workers", "-w", default=None, type=click.IntRange(min=1), help="Worker processes [default: CPU count]."
)
@click.option(
    "--strict", is_flag=True, help="Stop with an error at the first malformed line instead of writing an error row."
)
@field_options
@click.option("--chunk-size", default=1000, show_default=True, type=click.IntRange(min=1), help="Rows per work unit.")
@click.option(
    "--row-timeout",
    default=DEFAULT_ROW_TIMEOUT,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True, max=MAX_ROW_TIMEOUT),
    help=f"Seconds one row may take (at most {MAX_ROW_TIMEOUT:g}); a slower row gets status timeout and its "
    "worker process is replaced.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Keep the rows already in the output, or in the temporary output of a killed run, of this same command "
    "(same input and reward) and score the rest.",
)
@click.option("--summary-json", type=click.Path(dir_okay=False), help="Also write the summary as JSON here.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary table.")
@click.pass_context
def score_command(
    ctx: click.Context,
    reward: str,
    input_path: str,
    output_path: str,
    workers: int | None,
    strict: bool,
    completion_field: str,
    messages_field: str,
    answer_field: str,
    prompt_field: str,
    chunk_size: int,
    row_timeout: float,
    resume: bool,
    summary_json: str | None,
    quiet: bool,
) -> None:
    """Score every row of a JSONL file with a reward; write rows with reward, status, reason and terms.

    Verifiers run in worker processes (even with --workers 1): a row whose verifier crashes
    becomes an error row, one slower than --row-timeout a timeout row, and the run goes on.
    Ctrl-C keeps the rows scored so far in the output; --resume scores the rest. A missing
    input file is a usage error (exit code 2).
    """
    from rich.console import Console

    from .rows import Fields, MalformedRow, count_lines
    from .score_file import Interrupted, ScoreError, score_file
    from .spec import SpecError, load_reward
    from .workers import WorkerError

    console = Console(stderr=True)
    try:
        verifier = load_reward(reward)
    except SpecError as exc:
        raise click.ClickException(str(exc)) from exc
    if summary_json:
        _check_writable(Path(summary_json))
    fields = Fields(completion_field, messages_field, answer_field, prompt_field)
    answer_explicit = ctx.get_parameter_source("answer_field") is not click.core.ParameterSource.DEFAULT
    workers = workers or os.cpu_count() or 1
    total = count_lines(Path(input_path)) if input_path != "-" and not quiet else None  # for the progress bar

    def say(message: str) -> None:
        console.print(message, markup=False, highlight=False, soft_wrap=True)

    options = dict(
        workers=workers,
        fields=fields,
        strict=strict,
        chunk_size=chunk_size,
        row_timeout=row_timeout,
        resume=resume,
        on_message=say,
        answer_explicit=answer_explicit,
    )
    start = time.perf_counter()
    try:
        with sigterm_interrupts():
            if quiet:
                stats = score_file(verifier, input_path, output_path, **options)
            else:
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

                from .evaluation.progress import rate_text  # the evaluation package is heavy: not with --quiet

                columns = [
                    TextColumn("scoring"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]:>12}"),
                    TimeRemainingColumn(),
                ]
                with Progress(*columns, console=console, transient=False) as progress:
                    task = progress.add_task("score", total=total, rate="- rows/s")

                    def advance(n: int) -> None:
                        done = progress.tasks[0].completed + n
                        rate = rate_text(done, time.perf_counter() - start)
                        progress.update(task, advance=n, rate=rate)

                    stats = score_file(verifier, input_path, output_path, on_progress=advance, **options)
    except Interrupted as exc:
        click.echo(
            f"aha score: interrupted; the {exc.rows:,} rows scored so far are saved in {exc.path}. "
            "Run the same command with --resume to score the rest.",
            err=True,
        )
        raise SystemExit(130) from None
    except KeyboardInterrupt:
        click.echo("aha score: interrupted before any row was scored; no output was written", err=True)
        raise SystemExit(130) from None
    except MalformedRow as exc:
        raise click.ClickException(f"{input_path}: {exc}") from exc
    except (FileNotFoundError, ScoreError, WorkerError) as exc:
        raise click.ClickException(str(exc)) from exc
    elapsed = time.perf_counter() - start
    summary = stats.to_dict() | {"seconds": elapsed, "rows_per_second": stats.rows / elapsed if elapsed else 0.0}
    if summary_json:
        try:
            Path(summary_json).write_text(json.dumps(summary, indent=2))
        except OSError as exc:
            raise click.ClickException(f"cannot write {summary_json}: {exc.strerror or exc}") from exc
    if not quiet:
        print_summary(console, summary)


def _check_writable(path: Path) -> None:
    """Fail before any scoring when a file cannot be written there (its folder is created when missing)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.ClickException(f"cannot create the folder of {path}: {exc.strerror or exc}") from exc
    if path.is_dir():
        raise click.ClickException(f"{path} is a folder; give a file name")
    target = path if path.exists() else path.parent
    if not os.access(target, os.W_OK):
        raise click.ClickException(f"cannot write {path} (permission denied)")


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """While a command runs, SIGTERM raises KeyboardInterrupt, so a terminated run saves its rows and stops its workers."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def print_summary(console, summary: dict) -> None:
    """A rich table of a scoring run's summary."""
    from rich.table import Table

    resumed = summary.get("resumed_rows", 0)
    if resumed:
        console.print(f"{resumed:,} rows kept from the earlier run are in the output, not in this summary")
    if not summary["rows"]:
        if not resumed:
            console.print("no rows: the input has no non-blank lines; nothing was scored")
        return
    table = Table(
        title=f"{summary['rows']:,} rows in {summary['seconds']:.2f}s ({summary['rows_per_second']:,.0f} rows/s)"
    )
    table.add_column("what")
    table.add_column("value", justify="right")
    if summary["mean_reward"] is None:
        mean = f"mean reward: none, {summary['mean_covers']}"
    else:
        table.add_row("mean reward", f"{summary['mean_reward']:.4f} (std {summary['std_reward']:.4f})")
        mean = f"mean reward {summary['mean_reward']:.4f} {summary['mean_covers']}"
    for status, n in sorted(summary["statuses"].items()):
        table.add_row(f"status {status}", f"{n:,}")
    if summary["malformed"]:
        table.add_row("malformed rows (error rows written)", f"{summary['malformed']:,}")
    for name, t in summary["terms"].items():
        table.add_row(f"term {name} mean", f"{t['mean']:.4f}")
    if summary["slowest"]:
        s = summary["slowest"][0]
        table.add_row("slowest verifier", f"{s['verifier']} ({s['mean_seconds'] * 1e6:,.0f} us/call)")
    for rule, n in list(summary["fired"].items())[:10]:
        table.add_row(f"rule fired: {rule}", f"{n:,}")
    console.print(table)
    console.print(mean, soft_wrap=True, markup=False, highlight=False)


def _register_plugin_commands(group: click.Group, registry: Registry) -> None:
    for impl in registry.pm.hook.aha_register_commands.get_hookimpls():
        try:
            impl.function(cli=group)
        except Exception as exc:  # noqa: BLE001 - one plugin's broken command must not break the CLI
            name = registry.pm.get_name(impl.plugin) or repr(impl.plugin)
            click.echo(f"aha: plugin '{name}' failed to add its commands: {type(exc).__name__}: {exc}", err=True)


_plugins_added = False


def build_cli() -> click.Group:
    """The `aha` group with aha's own commands and every allowed plugin's commands added."""
    global _plugins_added
    if not _plugins_added:
        cli.own_commands = frozenset(cli.list_commands(click.Context(cli)))
        _register_plugin_commands(cli, get_registry())
        _plugins_added = True
    return cli


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `aha` console script."""
    build_cli().main(args=argv if argv is not None else sys.argv[1:], prog_name="aha")


if __name__ == "__main__":
    main()
