"""Rows/s of `aha score` on a generated JSONL of arithmetic completions, against a bare Python loop.

The baseline is what a user could write in a few lines instead of `aha score`: one process that
parses each JSON line, takes the last number of the completion, compares it with the answer and
writes the row back with a reward, a status and a reason. It runs in its own interpreter, like
`aha score`, so both times include starting Python. Each `aha score` run is paired with a baseline
run just before it, so that both see the same machine; the ratio is the median over the pairs of
baseline time / `aha score` time (above 1: `aha score` is faster).

Both run with Python's bytecode cache, as an installed package has it (kept in a temporary folder,
filled by one unmeasured run first), even where PYTHONDONTWRITEBYTECODE is set; `--no-bytecode-cache`
measures without it (every `aha` start then compiles its modules again).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "examples" / "reward_arithmetic.toml"


def make_rows(n: int, seed: int = 0):
    """Deterministic rows: a mix of right, wrong, badly formatted and boxed answers."""
    rng = random.Random(seed)
    for i in range(n):
        a, b = rng.randint(10, 999), rng.randint(10, 999)
        gold = a + b
        kind = i % 4
        if kind == 0:
            comp = f"<think>\nAdd {a} and {b}: ones, then tens, then hundreds.\n</think>\n<answer>\n{gold}\n</answer>"
        elif kind == 1:
            comp = (
                f"<think>\n{a} plus {b} is about {gold + rng.randint(1, 9)}.\n</think>\n<answer>\n{gold + 1}\n</answer>"
            )
        elif kind == 2:
            comp = f"The sum of {a} and {b} is {gold}."
        else:
            comp = f"<think>\nCompute {a}+{b} carefully step by step.\n</think> so \\boxed{{{gold}}}"
        yield {"id": i, "prompt": f"What is {a}+{b}?", "completion": comp, "answer": str(gold)}


BASELINE = r"""
import json, re, sys
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
with open(sys.argv[1], encoding="utf-8") as src, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in src:
        row = json.loads(line)
        numbers = NUMBER.findall(row["completion"])
        found = numbers[-1] if numbers else None
        ok = found is not None and float(found) == float(row["answer"])
        row["reward"] = 1.0 if ok else 0.0
        row["status"] = "passed" if ok else "failed"
        row["reason"] = f"{found!r} {'equals' if ok else 'does not match'} {row['answer']!r}"
        row["details"] = {"extracted": found, "method": "last_number"}
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
"""


def run_baseline(inp: Path, out: Path, env: dict[str, str] | None = None) -> float:
    """Wall seconds of the bare loop on the file, interpreter start included."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", BASELINE, str(inp), str(out)], check=True, env=env)
    return time.perf_counter() - start


def bytecode_env(folder: Path) -> dict[str, str]:
    """The environment with Python's bytecode cache on, written under `folder` (the sources stay untouched)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(folder)
    return env


def main() -> None:
    """Generate the file, run `aha score` on it, print and optionally save the numbers."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--reward", default=str(SPEC))
    ap.add_argument("--repeat", type=int, default=1, help="paired runs of the baseline and of each aha command")
    ap.add_argument("--json", type=Path, help="write results here")
    ap.add_argument("--no-bytecode-cache", action="store_true", help="run without Python's bytecode cache")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = None if args.no_bytecode_cache else bytecode_env(Path(tmp) / "pycache")
        inp = Path(tmp) / "in.jsonl"
        with inp.open("w") as f:
            for row in make_rows(args.rows):
                f.write(json.dumps(row) + "\n")
        baseline_out = Path(tmp) / "baseline.jsonl"
        baselines: list[float] = []
        results = []
        for w in args.workers:
            out = Path(tmp) / f"out{w}.jsonl"
            summary = Path(tmp) / f"summary{w}.json"
            cmd = [
                sys.executable,
                "-m",
                "verifiers.cli",
                "score",
                "-r",
                args.reward,
                "-i",
                str(inp),
                "-o",
                str(out),
                "-w",
                str(w),
                "-q",
                "--summary-json",
                str(summary),
            ]
            walls, ratios = [], []
            if env is not None:  # fills the bytecode cache
                run_baseline(inp, baseline_out, env)
                subprocess.run(cmd, check=True, env=env)
            for _ in range(args.repeat):
                base = run_baseline(inp, baseline_out, env)
                start = time.perf_counter()
                subprocess.run(cmd, check=True, env=env)
                walls.append(time.perf_counter() - start)
                baselines.append(base)
                ratios.append(base / walls[-1])
            n_base = sum(1 for _ in baseline_out.open())
            assert n_base == args.rows, f"baseline wrote {n_base} rows"
            wall, baseline, ratio = min(walls), min(baselines[-args.repeat :]), statistics.median(ratios)
            s = json.loads(summary.read_text())
            n_out = sum(1 for _ in out.open())
            assert n_out == args.rows, f"expected {args.rows} output rows, got {n_out}"
            results.append(
                {
                    "workers": w,
                    "rows": args.rows,
                    "wall_seconds": wall,
                    "rows_per_second_wall": args.rows / wall,
                    "rows_per_second_scoring": s["rows_per_second"],
                    "mean_reward": s["mean_reward"],
                    "baseline_seconds": baseline,
                    "ratio_to_baseline": ratio,
                    "ratios": ratios,
                }
            )
            print(
                f"workers={w}: {args.rows / wall:,.0f} rows/s end to end (process start included), "
                f"{s['rows_per_second']:,.0f} rows/s in the scoring loop; mean reward {s['mean_reward']:.3f}; "
                f"baseline {args.rows / baseline:,.0f} rows/s; ratio {ratio:.2f}x "
                f"(median of {len(ratios)}: {', '.join(f'{r:.2f}' for r in ratios)})"
            )
    meta = {
        "date": date.today().isoformat(),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "reward": args.reward,
        "bytecode_cache": not args.no_bytecode_cache,
        "results": results,
    }
    if args.json:
        args.json.write_text(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
