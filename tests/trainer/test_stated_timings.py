"""The demo's run time is stated once, as one range with its machine, in the README, the guide and `--help`."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from trainer.plugin import train_command

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
