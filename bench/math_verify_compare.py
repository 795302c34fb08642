"""Benchmark: aha's math_equivalence against HF Math-Verify, side by side, on one CPU core.

Workloads (each row is timed alone, one call per row, for pairs/s and latency percentiles):
  corpus      the labelled corpus in tests/verifiers/maths/data (mostly bare answers)
  typical     generated completions (about 1,200 characters of reasoning ending in a final answer,
              answer types in MATH-like proportions, half right and half wrong)
  mathverify  Math-Verify's own test cases (data/math_verify_cases.jsonl; regression edge cases, whole
              completions and bare answers; its expected verdicts as labels)
  mixed       corpus and typical together, shuffled: bare answers and whole completions

Run:  python bench/math_verify_compare.py [--cpu 0] [--typical 2000] [--repeat 3] [--show-slow 20] [--json out.json]
      python bench/math_verify_compare.py --parsers   (the LaTeX parser measurement of docs/maths.md)
Needs math-verify (pip install math-verify) for the comparison; without it only aha runs.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import sys
import time
import tomllib
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "verifiers" / "maths" / "data"


def load_corpus() -> list[dict]:
    """The labelled cases: category, gold, pred, eq."""
    cases = []
    for path in sorted(CORPUS.glob("corpus_*.toml")):
        with path.open("rb") as f:
            for category, body in tomllib.load(f).items():
                cases.extend({"category": category, **c} for c in body["cases"])
    return cases


# -- typical completions ----------------------------------------------------------------------
_FILLER = [
    "Let me set up the problem carefully.",
    "First, we note that the quantities involved are positive, so we may divide freely.",
    "Substituting $x = {a}$ into the expression gives ${b}$.",
    "We check the small cases: for $n = {a}$ the value is ${b}$, which is consistent.",
    "Multiplying both sides by ${a}$ we get ${b} = {c}$.",
    "Now we simplify: ${a} + {b} = {c}$, and the remaining term cancels.",
    "Recall that the sum of the first $n$ integers is $\\frac{{n(n+1)}}{{2}}$.",
    "By symmetry the two cases contribute equally.",
    "Hence the configuration is determined uniquely.",
    "We double-check the arithmetic before concluding.",
]
_ENDINGS = [
    "Therefore, the final answer is $\\boxed{{{ans}}}$.",
    "So the answer is $\\boxed{{{ans}}}$.",
    "Final Answer: The final answer is ${ans}$. I hope it is correct.",
    "<answer>{ans}</answer>",
    "\\[\\boxed{{{ans}}}\\]",
]


def _answer(rng: random.Random) -> tuple[str, str, str]:
    """(gold, right prediction, wrong prediction) of one MATH-like answer type."""
    kind = rng.random()
    if kind < 0.55:
        n = rng.randint(-50, 2000)
        return str(n), str(n), str(n + rng.choice([-2, -1, 1, 3, 10]))
    if kind < 0.70:
        q = Fraction(rng.randint(1, 60), rng.randint(2, 40))
        if q.denominator == 1:
            q += Fraction(1, 7)
        gold = f"\\frac{{{q.numerator}}}{{{q.denominator}}}"
        right = rng.choice([gold, f"\\dfrac{{{q.numerator}}}{{{q.denominator}}}", f"{q.numerator}/{q.denominator}"])
        return gold, right, f"\\frac{{{q.numerator + 1}}}{{{q.denominator}}}"
    if kind < 0.78:
        a, b = rng.randint(2, 9), rng.choice([2, 3, 5, 6, 7])
        return f"{a}\\sqrt{{{b}}}", rng.choice([f"{a}\\sqrt{{{b}}}", f"\\sqrt{{{a * a * b}}}"]), f"{a + 1}\\sqrt{{{b}}}"
    if kind < 0.83:
        a, b = rng.randint(1, 9), rng.randint(2, 6)
        return f"\\frac{{{a}\\pi}}{{{b}}}", f"\\frac{{{a}}}{{{b}}}\\pi", f"\\frac{{{a + 1}\\pi}}{{{b}}}"
    if kind < 0.88:
        v = rng.randint(1, 9999) / 100
        return f"{v:.2f}", f"{v:.2f}", f"{v + 0.01:.2f}"
    if kind < 0.92:
        a, b = rng.randint(1, 9), rng.randint(1, 9)
        return f"x^2+{a + b}x+{a * b}", f"(x+{a})(x+{b})", f"(x+{a})(x+{b + 1})"
    if kind < 0.95:
        a, b = rng.randint(-9, 9), rng.randint(-9, 9)
        return f"({a}, {b})", f"\\left({a},{b}\\right)", f"({b}, {a + 1})"
    if kind < 0.97:
        a, b = sorted(rng.sample(range(-9, 10), 2))
        return f"[{a}, {b})", f"[{a},{b})", f"({a}, {b}]"
    if kind < 0.99:
        letter = rng.choice("ABCDE")
        other = rng.choice([c for c in "ABCDE" if c != letter])
        return f"\\text{{({letter})}}", f"({letter})", f"({other})"
    a, b = rng.randint(2, 9), rng.randint(1, 9)
    return f"y = {a}x + {b}", f"y={a}x+{b}", f"y = {a}x - {b}"


def typical_completions(n: int, seed: int = 0) -> list[dict]:
    """Unique (completion, gold) pairs, half right, half wrong."""
    rng = random.Random(seed)
    out, seen = [], set()
    while len(out) < n:
        gold, right, wrong = _answer(rng)
        ans = right if rng.random() < 0.5 else wrong
        if (ans, gold) in seen:
            continue
        seen.add((ans, gold))
        body = []
        while sum(len(s) for s in body) < 1200:
            template = rng.choice(_FILLER)
            body.append(template.format(a=rng.randint(1, 99), b=rng.randint(1, 99), c=rng.randint(1, 999)))
        completion = " ".join(body) + "\n\n" + rng.choice(_ENDINGS).format(ans=ans)
        out.append({"completion": completion, "answer": gold, "eq": ans == right})
    return out


# -- the Math-Verify compatibility cases (whole completions and bare answers) ---------------------
def compat_cases() -> list[dict]:
    """Math-Verify's own test cases as converted for the compatibility suite (label: its expectation)."""
    path = ROOT / "tests" / "verifiers" / "maths" / "data" / "math_verify_cases.jsonl"
    rows = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            case = json.loads(line)
            if not case["aha_params"]:  # default settings only: one verifier instance for all rows
                rows.append({"completion": case["pred"], "answer": case["gold"], "eq": case["expected"]})
    return rows


# -- the two verifiers ----------------------------------------------------------------------
def _clear_caches() -> None:
    """Forget every parse and judgement cached in this process, so no run reuses an earlier one."""
    from verifiers.isolation import close_shared_pools
    from verifiers.maths import compare, units

    close_shared_pools()
    compare._parsed.cache_clear()
    units.pint_unit.cache_clear()


CHUNK = 50  # rows per turn when the two verifiers take turns


def run_aha(rows: list[dict], beside: Callable[[dict], None] | None = None) -> dict:
    """Rows one call at a time (per-row latency) and as one batch; pool start-up timed apart.

    `beside(row)`, when given, is the other verifier: the two take turns every CHUNK rows, so both
    are timed under the same machine load (which drifts on a shared machine), while neither pays
    for the other's garbage within a turn (a collection runs, untimed, before each turn).
    """
    from verifiers.maths import MathEquivalence

    _clear_caches()
    start = time.perf_counter()
    MathEquivalence().pool.start()
    startup = time.perf_counter() - start
    verifier = MathEquivalence()  # fresh caches: no result is reused from the warm-up
    latencies, passed = [], []
    for first in range(0, len(rows), CHUNK):
        chunk = rows[first : first + CHUNK]
        gc.collect()
        for r in chunk:
            start = time.perf_counter()
            result = verifier({"completion": r["completion"], "answer": r["answer"]})
            latencies.append(time.perf_counter() - start)
            passed.append(result.passed)
        if beside is not None:
            gc.collect()
            for r in chunk:
                beside(r)
    _clear_caches()
    MathEquivalence().pool.start()
    start = time.perf_counter()
    batch = MathEquivalence().batch([{"completion": r["completion"], "answer": r["answer"]} for r in rows])
    batch_s = time.perf_counter() - start
    assert [r.passed for r in batch] == passed, "batch and one-by-one verdicts differ"
    return {"passed": passed, "latencies": latencies, "batch_s": batch_s, "startup_s": startup}


def _mv_wrap(text: str) -> str:
    """Math-Verify reads LaTeX inside $...$ or \\boxed{}: bare answers are given to it as $answer$.

    It has no <answer>-tag extraction, so the tag content is handed to it, as its users do.
    """
    if "<answer>" in text and "</answer>" in text:
        text = text.rsplit("<answer>", 1)[1].split("</answer>", 1)[0].strip()
    if "$" in text or "\\boxed" in text or "\\(" in text or "\\[" in text or "\n" in text:
        return text
    return f"${text}$"


class MathVerifyRunner:
    """Math-Verify on one row at a time, as its README calls it, keeping verdicts and latencies."""

    def __init__(self) -> None:
        from math_verify import parse, verify

        self.parse, self.verify = parse, verify
        self.latencies: list[float] = []
        self.passed: list[bool] = []

    def __call__(self, row: dict) -> None:
        start = time.perf_counter()
        try:
            gold = self.parse(_mv_wrap(row["answer"]))
            pred = self.parse(_mv_wrap(row["completion"]))
            ok = bool(self.verify(gold, pred))
        except Exception:  # noqa: BLE001 - a crash counts as "not verified"
            ok = False
        self.latencies.append(time.perf_counter() - start)
        self.passed.append(ok)


def math_verify_runner() -> MathVerifyRunner | None:
    """A Math-Verify runner, or None when math-verify is not installed."""
    try:
        return MathVerifyRunner()
    except ImportError:
        return None


def measure_parsers(cases: list[dict]) -> None:
    """Parse every distinct answer string of the corpus with each candidate parser: success and time."""
    import warnings

    from verifiers.maths.cleaning import clean
    from verifiers.maths.parser import parse
    from verifiers.maths.policy import Policy

    warnings.filterwarnings("ignore")
    answers = sorted({c["gold"] for c in cases} | {c["pred"] for c in cases if c["category"] != "extraction"})
    cleaned = [clean(a) for a in answers]
    policy = Policy()
    candidates = {"aha parser (verifiers/maths/parser.py)": lambda s: parse(s, policy)}
    try:
        from latex2sympy2_extended import latex2sympy

        candidates["latex2sympy2_extended"] = latex2sympy
    except ImportError:
        pass
    try:
        from sympy.parsing.latex import parse_latex

        candidates["sympy parse_latex, lark backend"] = lambda s: parse_latex(s, backend="lark")
        candidates["sympy parse_latex, antlr backend"] = parse_latex
    except ImportError:
        pass
    print(f"{len(cleaned)} distinct answer strings from the corpus")
    print("| parser | parsed | median ms/answer | mean ms | p95 ms |")
    print("|---|---|---|---|---|")
    for name, fn in candidates.items():
        times, ok, error = [], 0, ""
        for s in cleaned:
            start = time.perf_counter()
            try:
                fn(s)
                ok += 1
            except Exception as exc:  # noqa: BLE001 - a parser failure is a data point
                error = error or f"{type(exc).__name__}: {str(exc)[:80]}"
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        if ok == 0:
            print(f"| {name} | unusable here: {error} | | | |")
            continue
        p95 = times[int(0.95 * (len(times) - 1))]
        mean = sum(times) / len(times)
        print(f"| {name} | {ok}/{len(cleaned)} | {_median(times):.3f} | {mean:.3f} | {p95:.3f} |")


def _median(values: list[float]) -> float:
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def agreement(passed: list[bool], labels: list[bool]) -> float:
    return sum(p == lab for p, lab in zip(passed, labels)) / len(labels)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered) + 0.5)) - 1))]


def latency_stats(latencies: list[float]) -> dict:
    """Pairs/s and per-row latency (ms) of one-at-a-time calls."""
    return {
        "pairs_per_s": len(latencies) / sum(latencies),
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": max(latencies) * 1000,
    }


def workloads(n_typical: int) -> dict[str, list[dict]]:
    """The rows of each workload: bare answers, whole completions, Math-Verify's cases, and the first two mixed."""
    corpus = [
        {"completion": c["pred"], "answer": c["gold"], "eq": c["eq"], "category": c["category"]} for c in load_corpus()
    ]
    typical = typical_completions(n_typical)
    compat = compat_cases()
    mixed = corpus + typical  # bare answers and whole completions; Math-Verify's edge cases stay apart
    random.Random(0).shuffle(mixed)
    return {"corpus": corpus, "typical": typical, "mathverify": compat, "mixed": mixed}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cpu", type=int, default=0, help="pin this process (and its workers) to this core")
    ap.add_argument("--typical", type=int, default=2000, help="number of generated completions")
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    ap.add_argument("--show-slow", type=int, default=0, help="print the N slowest aha rows of the mixed workload")
    ap.add_argument("--parsers", action="store_true", help="measure the candidate LaTeX parsers instead")
    ap.add_argument("--repeat", type=int, default=3, help="timed aha runs per workload (median reported)")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})  # workers started later inherit the single core
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if args.parsers:
        measure_parsers(load_corpus())
        return

    loads = workloads(args.typical)
    report: dict = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores visible, pinned to 1",
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_average_at_start": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "repeat": args.repeat,
        "workloads": {},
    }
    for name, rows in loads.items():
        labels = [r["eq"] for r in rows]
        mv = math_verify_runner()
        runs = [run_aha(rows, beside=mv if k == 0 else None) for k in range(args.repeat)]
        stats = [latency_stats(r["latencies"]) for r in runs]
        mid = sorted(range(len(runs)), key=lambda k: stats[k]["pairs_per_s"])[len(runs) // 2]
        entry = {
            "rows": len(rows),
            "whole_completions": sum(len(r["completion"]) > 200 for r in rows),
            "aha": {
                "agreement": agreement(runs[mid]["passed"], labels),
                **stats[mid],
                "batch_pairs_per_s": _median([len(rows) / r["batch_s"] for r in runs]),
                "pool_startup_s": _median([r["startup_s"] for r in runs]),
                "pairs_per_s_all_runs": [round(s["pairs_per_s"]) for s in stats],
            },
        }
        if mv is not None:  # it took turns with aha's first run: the ratio uses that run
            entry["math_verify"] = {"agreement": agreement(mv.passed, labels), **latency_stats(mv.latencies)}
            entry["aha_interleaved_pairs_per_s"] = stats[0]["pairs_per_s"]
            entry["speedup"] = stats[0]["pairs_per_s"] / entry["math_verify"]["pairs_per_s"]
        report["workloads"][name] = entry
        if name == "mixed" and args.show_slow:
            slow = sorted(zip(runs[mid]["latencies"], rows), key=lambda t: -t[0])[: args.show_slow]
            for seconds, r in slow:
                print(f"{seconds * 1000:8.1f} ms  gold={r['answer'][:60]!r}  pred={r['completion'][-80:]!r}")

    report["load_average_at_end"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(f"machine: {report['machine']}; Python {report['python']}; {report['date']}")
    print(f"load average (1 min) at start/end: {report['load_average_at_start']}/{report['load_average_at_end']}")
    print()
    print(
        "| workload | verifier | agreement with labels | pairs/s (1 core, one call per row) | p50 ms | p99 ms | max ms |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, e in report["workloads"].items():
        a = e["aha"]
        label = f"{name} ({e['rows']:,}; {e['whole_completions']:,} whole completions)"
        print(
            f"| {label} | aha math_equivalence | {a['agreement']:.1%} | {a['pairs_per_s']:,.0f} "
            f"(batch {a['batch_pairs_per_s']:,.0f}) | {a['p50_ms']:.2f} | {a['p99_ms']:.1f} | {a['max_ms']:.0f} |"
        )
        if "math_verify" in e:
            m = e["math_verify"]
            print(
                f"| {label} | HF Math-Verify | {m['agreement']:.1%} | {m['pairs_per_s']:,.0f} | "
                f"{m['p50_ms']:.2f} | {m['p99_ms']:.1f} | {m['max_ms']:.0f} |"
            )
    print()
    for name, e in report["workloads"].items():
        if "speedup" in e:
            print(
                f"{name}: aha is {e['speedup']:.1f}x Math-Verify's pairs/s, taking turns every {CHUNK} rows "
                f"(aha {e['aha_interleaved_pairs_per_s']:,.0f} in that run; all aha runs: {e['aha']['pairs_per_s_all_runs']})"
            )
    mixed = report["workloads"]["mixed"]
    if "speedup" in mixed:
        print(f"target >= 10x Math-Verify on the mixed workload: {'met' if mixed['speedup'] >= 10 else 'NOT met'}")
    print(f"target p99 <= 50 ms on the mixed workload: {'met' if mixed['aha']['p99_ms'] <= 50 else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
