"""`aha eval`: the command line of an evaluation."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..cli import field_options, sigterm_interrupts
from ..workers import MAX_ROW_TIMEOUT
from .config import ENGINES, LENGTH_UNITS
from .readers import FORMATS


def _ks(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, ...] | None:
    if value is None:
        return None
    try:
        ks = tuple(sorted({int(v) for v in value.split(",") if v.strip()}))
    except ValueError:
        raise click.BadParameter(f"expected integers separated by commas, got {value!r}") from None
    if not ks or ks[0] < 1:
        raise click.BadParameter("every k must be at least 1")
    return ks


@click.command("eval")
@click.option(
    "--reward", "-r", required=True, help="Reward: a registered verifier (name:key=value,...) or a TOML spec."
)
@click.option(
    "--input",
    "-i",
    "input_path",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="JSONL, Parquet or CSV file, or a folder saved with datasets' save_to_disk.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    help="Report folder [default: ./<input name>.eval].",
)
@click.option("--compare", "-c", help="A second reward spec, scored on the same rows and compared with the first.")
@click.option(
    "--label", "-l", help="Column with a human or reference judgement (true/false) to evaluate the verifier against."
)
@click.option(
    "--group-by", "-g", help="Column that identifies the prompt of each completion [default: the prompt text]."
)
@click.option("--by", "-b", multiple=True, help="Column to break results down by (repeatable).")
@click.option(
    "--k",
    "ks",
    callback=_ks,
    help="k values for pass@k and maj@k, e.g. 1,4,16 [default: powers of 2 up to the group size].",
)
@click.option(
    "--threshold", type=float, help="Count a row as correct when its reward is at least this [default: status passed]."
)
@click.option(
    "--vote-key", default="extracted", show_default=True, help="Result detail holding the answer maj@k votes on."
)
@click.option("--length-unit", type=click.Choice(LENGTH_UNITS), default="chars", show_default=True)
@click.option("--format", "fmt", type=click.Choice(("auto", *FORMATS)), default="auto", show_default=True)
@click.option("--split", help="Split to read from a datasets folder holding several.")
@field_options
@click.option(
    "--engine", type=click.Choice(ENGINES), default="local", show_default=True, help="local process pool, or Ray tasks."
)
@click.option(
    "--workers",
    "-w",
    type=click.IntRange(min=1),
    help="Worker processes (local) or CPUs (local Ray) [default: CPU count].",
)
@click.option("--ray-address", help="Address of a running Ray cluster [default: RAY_ADDRESS, else a local instance].")
@click.option(
    "--chunk-size",
    default=1024,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rows per work unit and per write.",
)
@click.option(
    "--row-timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True, max=MAX_ROW_TIMEOUT),
    help=f"Seconds one row may take (at most {MAX_ROW_TIMEOUT:g}); a slower row gets status timeout "
    "and its worker process is replaced (with --engine ray, a chunk gets the seconds of its rows, and the rows "
    "of a chunk that takes longer all get status timeout).",
)
@click.option("--limit", type=click.IntRange(min=1), help="Evaluate only the first N rows.")
@click.option(
    "--examples", default=20, show_default=True, type=click.IntRange(min=0), help="Examples per list in the report."
)
@click.option("--strict", is_flag=True, help="Stop at the first unreadable row instead of scoring it as an error row.")
@click.option(
    "--restart", is_flag=True, help="Discard scores from an earlier run in the output folder instead of resuming."
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
@click.pass_context
def eval_command(
    ctx: click.Context,
    reward: str,
    input_path: Path,
    output: Path | None,
    compare: str | None,
    label: str | None,
    group_by: str | None,
    by: tuple[str, ...],
    ks: tuple[int, ...] | None,
    threshold: float | None,
    vote_key: str,
    length_unit: str,
    fmt: str,
    split: str | None,
    completion_field: str,
    messages_field: str,
    answer_field: str,
    prompt_field: str,
    engine: str,
    workers: int | None,
    ray_address: str | None,
    chunk_size: int,
    row_timeout: float,
    limit: int | None,
    examples: int,
    strict: bool,
    restart: bool,
    quiet: bool,
) -> None:
    """Evaluate completions and verifiers: score a file, then write report.html, summary.md and metrics.json.

    An interrupted run resumes where it stopped when run again with the same output folder.
    """
    from ..spec import SpecError
    from .config import EvalConfig, Fields, MissingDependency
    from .pipeline import run_eval
    from .progress import ProgressBar
    from .readers import InputError
    from .store import StoreError

    cfg = EvalConfig(
        reward=reward,
        input=input_path,
        output=output or Path.cwd() / f"{input_path.name}.eval",
        compare=compare,
        format=fmt,
        split=split,
        fields=Fields(completion_field, messages_field, answer_field, prompt_field),
        group_by=group_by,
        label=label,
        by=by,
        ks=ks,
        threshold=threshold,
        vote_key=vote_key,
        length_unit=length_unit,
        engine=engine,
        workers=workers or os.cpu_count() or 1,
        chunk_size=chunk_size,
        ray_address=ray_address,
        strict=strict,
        restart=restart,
        examples=examples,
        limit=limit,
        row_timeout=row_timeout,
        answer_explicit=ctx.get_parameter_source("answer_field") is not click.core.ParameterSource.DEFAULT,
    )
    from concurrent.futures.process import BrokenProcessPool

    from ..workers import WorkerError

    try:
        with sigterm_interrupts(), ProgressBar(enabled=not quiet) as progress:
            outcome = run_eval(cfg, progress)
    except (SpecError, InputError, StoreError, MissingDependency) as exc:
        raise click.ClickException(str(exc)) from exc
    except (BrokenProcessPool, WorkerError) as exc:
        raise click.ClickException(
            f"a worker process died ({exc}); the rows scored so far are kept in {cfg.output}: run again to resume"
        ) from exc
    except KeyboardInterrupt:
        click.echo(f"interrupted; the rows scored so far are kept in {cfg.output}: run again to resume", err=True)
        raise SystemExit(130) from None
    if not quiet:
        _print_summary(outcome)


def mean_covers(metrics: dict) -> str:
    """What the eval's mean reward is taken over, in words (every row; failures count as 0)."""
    failed = metrics["statuses"].get("error", 0) + metrics["statuses"].get("timeout", 0)
    text = f"all {metrics['rows']:,} rows"
    if failed:
        text += f"; {failed:,} error or timeout rows count as 0"
        if metrics.get("unreadable_rows"):
            text += f" ({metrics['unreadable_rows']:,} of them unreadable)"
    return text


def _print_summary(outcome) -> None:
    from rich.console import Console
    from rich.table import Table

    from .formatting import num, pct

    m = outcome.metrics
    console = Console(stderr=True)
    scoring = outcome.timing["scoring"]
    speed = f"{num(scoring['rows_per_second'])} rows/s scoring" if scoring["scored_rows"] else "all rows resumed"
    table = Table(title=f"aha eval: {num(m['rows'])} rows, {speed}")
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("mean reward", f"{num(m['reward'].get('mean'))} (std {num(m['reward'].get('std'))})")
    table.add_row("mean taken over", mean_covers(m))
    table.add_row(f"correct ({m['correct']['definition']})", pct(m["correct"]["rate"]))
    for status, n in m["statuses"].items():
        table.add_row(f"status {status}", num(n))
    for k, v in m["pass_at_k"].items():
        table.add_row(f"pass@{k}", pct(v["value"]))
    if m["labels"]:
        lab = m["labels"]
        table.add_row("agreement with labels", f"{pct(lab['agreement'])} of {num(lab['labelled'])}")
        table.add_row("precision / recall", f"{pct(lab['precision'])} / {pct(lab['recall'])}")
        table.add_row("labels missing / invalid", f"{num(lab['missing'])} / {num(lab['invalid'])}")
    if m["compare"]:
        table.add_row(
            "agreement with compare", f"{pct(m['compare']['agreement'])} ({num(m['compare']['disagreements'])} differ)"
        )
    console.print(table)
    for name, path in outcome.paths.items():
        console.print(f"{name:>15}: {path}")
