"""What the README promises: one stated demo time everywhere, and CI running its test command as written."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from trainer.commands import train_command

REPO = Path(__file__).resolve().parents[2]
RANGE = re.compile(r"about (\d+-\d+ s) on a 2-core CPU")
# Any other duration for the demo would contradict the range ("about 30 s", "under a minute", "takes about 18 s").
OTHER = re.compile(r"\(about \d+ s\)|under a minute|command takes about \d+ s")


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_demo_time_is_one_range_everywhere():
    help_text = CliRunner().invoke(train_command, ["--help"]).output
    places = {
        "README.md": (REPO / "README.md").read_text(encoding="utf-8"),
        "docs/training.md": (REPO / "docs" / "training.md").read_text(encoding="utf-8"),
        "aha train --help": help_text,
    }
    ranges = {name: RANGE.findall(_flat(text)) for name, text in places.items()}
    assert all(ranges.values()), ranges
    assert len({r for found in ranges.values() for r in found}) == 1, ranges
    for name, text in places.items():
        assert not OTHER.search(_flat(text)), (name, OTHER.search(_flat(text)))


def _readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    quick_start = text.split("## Quick start", 1)[1].split("### ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", quick_start, flags=re.S)


def test_readme_has_two_commands_and_ci_runs_the_test_one_exactly():
    main, tests = _readme_commands()  # one installs and runs the demo, one installs and runs the tests
    assert main.endswith("aha train") and "\n" not in main
    assert "pytest" in tests and "\n" not in tests
    assert tests in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    readme = _flat((REPO / "README.md").read_text(encoding="utf-8"))
    assert re.search(r"the suite \(about [\d,]+ tests\) takes about \d+-\d+ minutes on a 2-core CPU", readme)
