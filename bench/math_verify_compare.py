"""Benchmark: aha's math_equivalence against HF Math-Verify, side by side, on one CPU core.

Two workloads:
  corpus   the labelled corpus in tests/verifiers/maths/data (agreement with labels, pairs/s)
  typical  generated completions (about 1,200 characters of reasoning ending in a final answer,
           answer types in MATH-like proportions, half right and half wrong), pairs/s

Run:  python bench/math_verify_compare.py [--cpu 0] [--typical 2000] [--repeat 3] [--json out.json]
      python bench/math_verify_compare.py --parsers   (the LaTeX parser measurement of docs/maths.md)
Needs math-verify (pip install math-verify) for the comparison; without it only aha runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
import tomllib
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


# -- the two verifiers ----------------------------------------------------------------------
def run_aha(rows: list[dict]) -> tuple[list[bool], float, float]:
    """(passed per row, seconds for a warm batch, seconds including pool start-up)."""
    from verifiers.isolation import close_shared_pools
    from verifiers.maths import MathEquivalence

    close_shared_pools()
    start = time.perf_counter()
    cold = MathEquivalence()
    cold.pool.start()
    startup = time.perf_counter() - start
    verifier = MathEquivalence()  # fresh caches: no result is reused from the warm-up
    start = time.perf_counter()
    results = verifier.batch([{"completion": r["completion"], "answer": r["answer"]} for r in rows])
    seconds = time.perf_counter() - start
    return [r.passed for r in results], seconds, seconds + startup


def _mv_wrap(text: str) -> str:
    """Math-Verify reads LaTeX inside $...$ or \\boxed{}: bare answers are given to it as $answer$.

    It has no <answer>-tag extraction, so the tag content is handed to it, as its users do.
    """
    if "<answer>" in text and "</answer>" in text:
        text = text.rsplit("<answer>", 1)[1].split("</answer>", 1)[0].strip()
    if "$" in text or "\\boxed" in text or "\\(" in text or "\\[" in text or "\n" in text:
        return text
    return f"${text}$"


def run_math_verify(rows: list[dict]) -> tuple[list[bool], float] | None:
    try:
        from math_verify import parse, verify
    except ImportError:
        return None
    out = []
    start = time.perf_counter()
    for r in rows:
        try:
            gold = parse(_mv_wrap(r["answer"]))
            pred = parse(_mv_wrap(r["completion"]))
            out.append(bool(verify(gold, pred)))
        except Exception:  # noqa: BLE001 - a crash counts as "not verified"
            out.append(False)
    return out, time.perf_counter() - start


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cpu", type=int, default=0, help="pin this process (and its workers) to this core")
    ap.add_argument("--typical", type=int, default=2000, help="number of generated completions")
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    ap.add_argument("--show-disagreements", action="store_true")
    ap.add_argument("--parsers", action="store_true", help="measure the candidate LaTeX parsers instead")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per verifier and workload (median, best)")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})  # workers started later inherit the single core
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    corpus = load_corpus()
    if args.parsers:
        measure_parsers(corpus)
        return
    corpus_rows = [
        {"completion": c["pred"], "answer": c["gold"], "eq": c["eq"], "category": c["category"]} for c in corpus
    ]
    typical = typical_completions(args.typical)
    report: dict = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores visible, pinned to 1",
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"),
        "corpus_pairs": len(corpus_rows),
        "corpus_not_equivalent": sum(not r["eq"] for r in corpus_rows),
        "typical_pairs": len(typical),
        "load_average_at_start": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "repeat": args.repeat,
    }
    for name, rows in (("corpus", corpus_rows), ("typical", typical)):
        labels = [r["eq"] for r in rows]
        runs = [run_aha(rows) for _ in range(args.repeat)]
        passed = runs[0][0]
        report[f"aha_{name}_agreement"] = agreement(passed, labels)
        report[f"aha_{name}_pairs_per_s"] = _median([len(rows) / r[1] for r in runs])
        report[f"aha_{name}_pairs_per_s_best"] = max(len(rows) / r[1] for r in runs)
        report[f"aha_{name}_pairs_per_s_with_startup"] = _median([len(rows) / r[2] for r in runs])
        mv_runs = [run_math_verify(rows) for _ in range(args.repeat)]
        mv = mv_runs[0]
        if mv is not None:
            report[f"math_verify_{name}_agreement"] = agreement(mv[0], labels)
            report[f"math_verify_{name}_pairs_per_s"] = _median([len(rows) / r[1] for r in mv_runs])
            report[f"math_verify_{name}_pairs_per_s_best"] = max(len(rows) / r[1] for r in mv_runs)
        if name == "corpus":
            by_cat: dict[str, list[int]] = {}
            for r, p, q in zip(rows, passed, mv[0] if mv else passed):
                stats = by_cat.setdefault(r["category"], [0, 0, 0])
                stats[0] += 1
                stats[1] += p == r["eq"]
                stats[2] += q == r["eq"]
            report["corpus_by_category"] = {k: {"n": v[0], "aha": v[1], "math_verify": v[2]} for k, v in by_cat.items()}
            if args.show_disagreements:
                for r, p in zip(rows, passed):
                    if p != r["eq"]:
                        print(f"aha disagrees: gold={r['answer']!r} pred={r['completion'][:80]!r} label={r['eq']}")
                if mv:
                    for r, q in zip(rows, mv[0]):
                        if q != r["eq"]:
                            print(
                                f"math-verify disagrees: gold={r['answer']!r} pred={r['completion'][:80]!r} label={r['eq']}"
                            )

    report["load_average_at_end"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(f"machine: {report['machine']}; Python {report['python']}; {report['date']}")
    print(f"load average (1 min) at start/end: {report['load_average_at_start']}/{report['load_average_at_end']}")
    print(
        f"corpus: {report['corpus_pairs']} pairs ({report['corpus_not_equivalent']} not equivalent); "
        f"typical completions: {report['typical_pairs']} pairs"
    )
    print()
    print(f"pairs/s: median (best) of {args.repeat} runs, one core")
    print()
    print("| workload | verifier | agreement with labels | pairs/s (1 core) | with pool start-up |")
    print("|---|---|---|---|---|")
    for name in ("corpus", "typical"):
        print(
            f"| {name} | aha math_equivalence | {report[f'aha_{name}_agreement']:.1%} | "
            f"{report[f'aha_{name}_pairs_per_s']:,.0f} ({report[f'aha_{name}_pairs_per_s_best']:,.0f}) | "
            f"{report[f'aha_{name}_pairs_per_s_with_startup']:,.0f} |"
        )
        if f"math_verify_{name}_agreement" in report:
            print(
                f"| {name} | HF Math-Verify | {report[f'math_verify_{name}_agreement']:.1%} | "
                f"{report[f'math_verify_{name}_pairs_per_s']:,.0f} ({report[f'math_verify_{name}_pairs_per_s_best']:,.0f}) | |"
            )
    print()
    print("| category | n | aha agrees | Math-Verify agrees |")
    print("|---|---|---|---|")
    for cat, v in sorted(report["corpus_by_category"].items()):
        print(f"| {cat} | {v['n']} | {v['aha']} | {v['math_verify']} |")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
