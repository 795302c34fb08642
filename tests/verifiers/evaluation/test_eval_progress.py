"""The eval progress bar reads the real speed (never `0 rows/s`), and the summary says what the mean covers."""

from __future__ import annotations

import io
import re

from rich.console import Console

from verifiers.evaluation.progress import ProgressBar, rate_text


def test_rate_text_at_every_speed():
    assert rate_text(0, 5.0) == "- rows/s"
    assert rate_text(3, 0.0) == "- rows/s"
    assert rate_text(1, 3.0) == "0.33 rows/s"
    assert rate_text(30, 7.0) == "4.3 rows/s"
    assert rate_text(5000, 2.0) == "2,500 rows/s"


def test_a_slow_bar_does_not_read_zero_rows_per_second():
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=120)
    with ProgressBar(console=console) as bar:
        advance = bar.task("scoring", 10)
        task = bar._progress.tasks[0]
        task.start_time -= 4.0  # as if the first row took four seconds
        advance(1)
        bar._progress.refresh()
    assert re.search(r"(?<![\d.])0\.2\d? rows/s", out.getvalue())


def test_eval_summary_says_what_the_mean_covers():
    from verifiers.evaluation.command import mean_covers

    metrics = {"rows": 8, "unreadable_rows": 2, "statuses": {"passed": 4, "failed": 1, "error": 2, "timeout": 1}}
    assert mean_covers(metrics) == "all 8 rows; 3 error or timeout rows count as 0 (2 of them unreadable)"
    assert mean_covers({"rows": 3, "unreadable_rows": 0, "statuses": {"passed": 3}}) == "all 3 rows"
