"""The HTML report opened in headless Chromium: the summary table is there and every plot decodes."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from eval_helpers import BAD_LINE, ROWS, evaluate, write_jsonl

CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")


def _chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_report_renders_in_headless_chromium(tmp_path):
    import numpy as np
    from matplotlib.image import imread

    data = write_jsonl(tmp_path / "hand.jsonl", ROWS * 3, (BAD_LINE,))
    out = evaluate(
        data,
        tmp_path / "out",
        label="human",
        by=("level",),
        compare="exact_match:strategies=['last_number']",
    )
    url = out.paths["html"].resolve().as_uri()

    dom = _chromium(tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert 'id="summary"' in html and "mean reward" in html and "pass@1" in html
    body = re.search(r"<body[^>]*>", html).group(0)
    images = int(re.search(r'data-images="(\d+)"', body).group(1))
    rendered = int(re.search(r'data-images-rendered="(\d+)"', body).group(1))
    expected = {"reward", "statuses", "pass_at_k", "length", "by_1", "confusion", "crosstab"}
    assert images == len(expected) and rendered == images  # every <img> decoded with a non-zero natural size

    shot = tmp_path / "shot.png"
    run = _chromium(tmp_path, "--window-size=1280,1600", "--hide-scrollbars", f"--screenshot={shot}", url)
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    pixels = imread(shot)[..., :3]
    assert pixels.shape[:2] == (1600, 1280)
    colours = len(np.unique((pixels * 255).astype(np.uint8).reshape(-1, 3), axis=0))
    assert pixels.std() > 0.05 and colours > 50  # not a blank page
