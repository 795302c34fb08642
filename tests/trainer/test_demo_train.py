"""`aha train` with no config trains the bundled demo model, and its held-out accuracy rises clearly."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from trainer.commands import train_command


@pytest.mark.slow
def test_demo_preset_fixes_the_sloppy_model(tmp_path):
    try:
        from trainer.demo import demo_model_path

        demo_model_path()
    except (ImportError, FileNotFoundError) as exc:
        pytest.fail(f"the bundled demo model is missing: {exc}")
    out = tmp_path / "demo"
    args = ["--max_steps", "20", "--eval.every", "0", "--data.max_eval_samples", "200", "--threads", "1"]
    res = CliRunner().invoke(train_command, [*args, "--output_dir", str(out)])
    assert res.exit_code == 0, res.output
    m = re.search(r"held-out accuracy: before ([\d.]+) % -> after ([\d.]+) %", res.output)
    assert m, res.output
    before, after = float(m.group(1)), float(m.group(2))
    assert before < 50 and after > 80, res.output
    assert f"plot: {out / 'training_curves.png'}" in res.output
    assert (out / "training_curves.png").is_file()
