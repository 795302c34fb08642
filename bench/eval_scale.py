"""Benchmark `aha eval` at scale: a generated file of maths completions, local pool and Ray, next to `aha score`.

    python bench/eval_scale.py                      # 1,000,000 rows, 2 workers, local + ray + aha score
    python bench/eval_scale.py --rows 100000 --engines local

Writes the input under --work (default /tmp/aha-eval-bench) and prints a Markdown table of rows/s.
The reward is `math_equivalence` when that verifier loads, else `exact_match` (which compares numbers
and fractions exactly, so 2/4 equals 1/2); --reward picks one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path


def pick_reward(requested: str) -> str:
    """math_equivalence if it loads and works, else exact_match (or whatever was requested)."""
    if requested != "auto":
        return requested
    try:
        from verifiers import Sample, load_reward

        reward = load_reward("math_equivalence")
        result = reward(Sample(completion="so \\boxed{2/4}", answer="1/2"))
        if result.passed:
            return "math_equivalence"
        print(f"math_equivalence loads but did not pass 2/4 == 1/2 ({result.reason}); using exact_match")
    except Exception as exc:  # noqa: BLE001 - any failure means: use the fallback
        print(f"math_equivalence unavailable ({type(exc).__name__}: {exc}); using exact_match")
    return "exact_match"


def _render(value: Fraction, rng: random.Random) -> str:
    """The value written as a model might: an integer, a/b (maybe unreduced), \\frac{a}{b} or a decimal."""
    if value.denominator == 1:
        return str(value.numerator)
    style = rng.random()
    if style < 0.15:
        return f"\\frac{{{value.numerator}}}{{{value.denominator}}}"
    den = value.denominator
    while den % 2 == 0:
        den //= 2
    while den % 5 == 0:
        den //= 5
    if style < 0.3 and den == 1:  # a terminating decimal
        return f"{float(value):g}"
    scale = rng.choice((1, 1, 2, 3))
    return f"{value.numerator * scale}/{value.denominator * scale}"


def generate(path: Path, rows: int, per_prompt: int = 8, seed: int = 0) -> None:
    """Write `rows` completions of arithmetic problems (integers and simple fractions), `per_prompt` per prompt."""
    rng = random.Random(seed)
    openers = ("Let me work this out.", "We compute step by step.", "First simplify.", "Adding the terms:")
    with path.open("w", encoding="utf-8") as f:
        for i in range(rows):
            pid = i // per_prompt
            prng = random.Random(pid * 7919 + seed)
            a, b, c, d = prng.randint(1, 30), prng.randint(1, 9), prng.randint(1, 30), prng.randint(1, 9)
            kind = ("sum", "fraction")[pid % 2]
            gold = Fraction(a + c) if kind == "sum" else Fraction(a, b) + Fraction(c, d)
            prompt = f"Compute {a} + {c}." if kind == "sum" else f"Compute {a}/{b} + {c}/{d}."
            right = rng.random() < 0.6
            value = gold if right else gold + rng.choice((1, -1, Fraction(1, 2), 2))
            answer = _render(value, rng)
            style = rng.random()
            work = " ".join(rng.choice(openers) for _ in range(rng.randint(1, 12)))
            if style < 0.7:
                completion = f"{work} The answer is \\boxed{{{answer}}}."
            elif style < 0.95:
                completion = f"{work} So the final answer is {answer}"
            else:
                completion = f"{work} I am not sure."
                right = False
            row = {
                "id": pid,
                "prompt": prompt,
                "completion": completion,
                "answer": str(gold.numerator) if gold.denominator == 1 else f"{gold.numerator}/{gold.denominator}",
                "kind": kind,
                "correct": right,
            }
            f.write(json.dumps(row) + "\n")


def run(cmd: list[str], env: dict[str, str]) -> float:
    """Run a command, fail loudly, return its wall time in seconds."""
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{done.stderr[-4000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engines", default="local,ray")
    parser.add_argument("--reward", default="auto")
    parser.add_argument("--chunk-size", type=int, default=1024)
    parser.add_argument("--work", type=Path, default=Path("/tmp/aha-eval-bench"))
    parser.add_argument("--no-score", action="store_true", help="Skip the `aha score` comparison.")
    args = parser.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    data = args.work / f"maths_{args.rows}.jsonl"
    if not data.exists():
        t = time.perf_counter()
        generate(data, args.rows)
        print(f"generated {data} ({data.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f}s")
    reward = pick_reward(args.reward)
    env = dict(os.environ, OMP_NUM_THREADS="1")
    aha = [sys.executable, "-m", "verifiers.cli"]
    results = []
    for engine in [e for e in args.engines.split(",") if e]:
        out = args.work / f"eval_{engine}"
        cmd = [*aha, "eval", "-r", reward, "-i", str(data), "-o", str(out), "--engine", engine]
        cmd += ["-w", str(args.workers), "--chunk-size", str(args.chunk_size), "--group-by", "id"]
        cmd += ["--label", "correct", "--by", "kind", "--restart", "-q"]
        wall = run(cmd, env)
        metrics = json.loads((out / "metrics.json").read_text())
        timing = metrics["timing"]
        results.append(
            {
                "what": f"aha eval --engine {engine}",
                "rows": metrics["rows"],
                "scoring_rows_per_s": timing["scoring"]["rows_per_second"],
                "wall_s": wall,
                "end_to_end_rows_per_s": metrics["rows"] / wall,
                "analysis_s": timing["analysis_seconds"],
                "agreement": metrics["labels"]["agreement"],
            }
        )
        print(json.dumps(results[-1]))
    if not args.no_score:
        summary = args.work / "score_summary.json"
        cmd = [
            *aha,
            "score",
            "-r",
            reward,
            "-i",
            str(data),
            "-o",
            str(args.work / "scored.jsonl"),
            "-w",
            str(args.workers),
        ]
        cmd += ["-q", "--summary-json", str(summary)]
        wall = run(cmd, env)
        s = json.loads(summary.read_text())
        results.append(
            {
                "what": "aha score",
                "rows": s["rows"],
                "scoring_rows_per_s": s["rows_per_second"],
                "wall_s": wall,
                "end_to_end_rows_per_s": s["rows"] / wall,
            }
        )
        print(json.dumps(results[-1]))

    print()
    print(
        f"reward `{reward}`, {args.rows:,} rows, {args.workers} workers, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print()
    print("| command | rows/s scoring | wall (s) | rows/s end to end |")
    print("|---|---|---|---|")
    for r in results:
        print(
            f"| {r['what']} | {r['scoring_rows_per_s']:,.0f} | {r['wall_s']:.1f} | {r['end_to_end_rows_per_s']:,.0f} |"
        )


if __name__ == "__main__":
    main()
