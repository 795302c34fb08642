"""Run logs: JSONL and CSV stay in step (new columns included), resume truncation, trackers, the plot."""

from __future__ import annotations

import csv
import importlib.util
import json

from trainer.metrics import MetricsLog, read_jsonl, truncate_jsonl
from trainer.plotting import SAME_LABEL, draw_run, plot_run, plot_title


def test_jsonl_and_csv_grow_together(tmp_path):
    log = MetricsLog(tmp_path)
    log.log({"step": 1, "reward/mean": 0.5, "loss": 0.1})
    log.log({"step": 2, "reward/mean": 0.7, "loss": float("nan"), "eval/accuracy": 0.9})
    rows = list(csv.DictReader((tmp_path / "metrics.csv").open()))
    assert [r["step"] for r in rows] == ["1", "2"]
    assert rows[0]["eval/accuracy"] == "" and rows[1]["eval/accuracy"] == "0.9"
    recs = read_jsonl(tmp_path / "metrics.jsonl")
    assert recs[1]["loss"] is None  # NaN is written as null, never as invalid JSON
    log.close()


def test_truncate_drops_lost_steps_and_torn_lines(tmp_path):
    p = tmp_path / "metrics.jsonl"
    p.write_text("".join(json.dumps({"step": s}) + "\n" for s in range(1, 6)) + '{"step": 6, "los')
    kept = truncate_jsonl(p, 3)
    assert [r["step"] for r in kept] == [1, 2, 3]
    assert [r["step"] for r in read_jsonl(p)] == [1, 2, 3]
    log = MetricsLog(tmp_path)  # a resumed run picks the kept records up and rewrites the CSV
    assert [r["step"] for r in log.records] == [1, 2, 3]
    assert len((tmp_path / "metrics.csv").read_text().splitlines()) == 4


def test_optional_trackers_are_noted_when_missing(tmp_path):
    log = MetricsLog(tmp_path, tensorboard=True, wandb=False)
    log.log({"step": 1, "reward/mean": 0.5})
    log.close()
    if importlib.util.find_spec("tensorboard") is None:
        assert any("tensorboard is not installed" in n for n in log.notes)
    else:
        assert any((tmp_path / "tensorboard").iterdir())


def test_plot_draws_from_the_logs(tmp_path):
    log = MetricsLog(tmp_path)
    for s in range(1, 31):
        log.log(
            {
                "step": s,
                "reward/mean": s / 30,
                "reward/pass_rate": s / 40,
                "loss": 1 / s,
                "kl": 0.01 * s,
                "completion/length_mean": 10 + s,
                "completion/length_max": 40,
                "clip_fraction": 0.1,
                "groups/zero_std_frac": 0.2,
            }
        )
    (tmp_path / "eval.jsonl").write_text(
        json.dumps({"step": 0, "accuracy": 0.3}) + "\n" + json.dumps({"step": 30, "accuracy": 0.9}) + "\n"
    )
    out = plot_run(tmp_path)
    assert out == tmp_path / "training_curves.png" and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _reward_legend(run_dir) -> list[str]:
    import matplotlib.pyplot as plt

    fig = draw_run(run_dir)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    title = fig.get_suptitle()
    plt.close(fig)
    return [title, *labels]


def test_plot_title_names_model_reward_and_steps(tmp_path):
    run = tmp_path / "20260101-000000"
    run.mkdir()
    (run / "config.toml").write_text(
        'max_steps = 100\nreward = "examples/medical/reward.toml"\n[model]\npath = "/models/Qwen2.5-1.5B-Instruct"\n'
    )
    log = MetricsLog(run)
    for s in range(1, 41):
        log.log({"step": s, "reward/mean": 0.5, "reward/pass_rate": 0.25})
    title, *labels = _reward_legend(run)
    assert title == "Qwen2.5-1.5B-Instruct · reward: medical/reward.toml · step 40 of 100\nrun 20260101-000000"
    assert labels == ["train reward (mean)", "train pass rate"]  # different curves: both drawn
    (run / "config.toml").write_text(
        'max_steps = 40\n[model]\npath = "demo"\n[reward]\ncombine = "sum"\n'
        '[[reward.terms]]\nverifier = "think_answer_format"\nname = "format"\n'
        '[[reward.terms]]\nverifier = "exact_match"\n'
    )
    assert (
        plot_title(run, log.records)
        == "demo model · reward: sum of format, exact_match · 40 steps\nrun 20260101-000000"
    )
    (run / "config.toml").unlink()  # a folder without its config: the steps and the folder's name
    assert plot_title(run, log.records) == "40 steps\nrun 20260101-000000"


def test_identical_reward_and_pass_rate_are_one_line(tmp_path):
    log = MetricsLog(tmp_path)
    for s in range(1, 21):  # a 0/1 reward: its mean is its pass rate, step by step
        log.log({"step": s, "reward/mean": (s % 7) / 8, "reward/pass_rate": (s % 7) / 8})
    title, *labels = _reward_legend(tmp_path)
    assert labels == [SAME_LABEL]
    assert title.startswith("20 steps")
