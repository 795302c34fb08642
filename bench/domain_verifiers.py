"""Benchmark the spelling and rules verifiers and the legal/medical plugins: pair ranking, rows/s and latency.

    python bench/domain_verifiers.py --pairs         # how often the good answer of a pair outranks the bad one
    python bench/domain_verifiers.py                 # throughput: single process, all verifiers
    python bench/domain_verifiers.py --rows 20000 --workers 2

Pairs (bench/data/{medical,legal}_pairs.jsonl) are plain question/answer pairs without tags, each with a
good and a bad answer, scored with a content-only reward (see PAIR_REWARDS). The held-out pairs
(*_pairs_heldout.jsonl) were written after the rule packs were tuned on the main pairs, and the fresh pairs
(*_pairs_fresh.jsonl: children's doses by weight, pregnancy, older people, alcohol, antibiotic courses, remedies
that share an ingredient, emergencies named only in the question; tenancy, dismissal, refunds, small claims,
wills, data requests and traffic fines in several countries) after that, and 10 + 10 spot-check pairs
(*_pairs_spot.jsonl) after the rules were tuned on the fresh pairs. Three later fresh batches
(*_pairs_fresh2/3/4.jsonl: UK, EU, Canadian, Australian, Indian and other authorities, statutes and regulations,
answers in German, French, Spanish, Italian and Portuguese, chats where the drug or authority is in an earlier
turn or the sources, brand names, per-kg doses, dose shorthand and units) were each written before the fixes
that followed them; each set is reported apart. To
measure an older version of the verifiers with this script, put its checkout first on PYTHONPATH.

Throughput rows are built from the sample answers in examples/legal and examples/medical: each row gets
random misspellings and shuffled sentences, so the spelling cache sees new words as it would in training.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
from pathlib import Path

from verifiers import Registry, Sample, Scorer, load_reward, set_registry

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
# Content-only rewards for plain answers (no <think>/<answer> format term, no IRAC layout).
PAIR_REWARDS: dict[str, dict] = {
    "medical": {
        "combine": "sum",
        "terms": [
            {"verifier": "medical_dose_sanity", "name": "doses"},
            {"verifier": "medical_interactions", "name": "interactions"},
            {"verifier": "rules", "name": "medical_rules", "params": {"packs": ["medical"]}},
            {"verifier": "spelling", "params": {"penalty_per_word": 0.1, "max_penalty": 0.5}},
        ],
    },
    "legal": {
        "combine": "sum",
        "terms": [
            {"verifier": "legal_grounding", "name": "grounding"},
            {"verifier": "legal_citation_format", "name": "citations", "weight": 0.5},
            {
                "verifier": "rules",
                "name": "legal_rules",
                "params": {"packs": ["legal"], "disable": ["legal.irac", "legal.grounded-citations"]},
            },
            {"verifier": "spelling", "params": {"penalty_per_word": 0.1, "max_penalty": 0.5}},
        ],
    },
}


def load_rows(domain: str) -> list[dict]:
    path = ROOT / "examples" / domain / "answers.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def mutate(text: str, rng: random.Random) -> str:
    """Shuffle sentences inside the answer and misspell a few words by swapping two letters."""
    words = text.split(" ")
    for _ in range(rng.randint(0, 4)):
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 4 and w.isalpha():
            j = rng.randrange(1, len(w) - 2)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def make_samples(domain: str, n: int, seed: int = 0) -> list[Sample]:
    rng = random.Random(seed)
    base = load_rows(domain)
    out = []
    for i in range(n):
        row = dict(base[i % len(base)])
        row["completion"] = mutate(row["completion"], rng)
        out.append(Sample.from_row(row))
    return out


def words_300(seed: int) -> str:
    """A realistic ~300-word answer (three medical answers joined), with a couple of typos."""
    rng = random.Random(seed)
    text = " ".join(r["completion"] for r in load_rows("medical")[:5])
    return mutate(" ".join(text.split()[:300]), rng)


def rate(verifier, samples: list[Sample]) -> float:
    verifier.batch(samples[:50])  # warm up: dictionaries, pint, compiled patterns
    start = time.perf_counter()
    verifier.batch(samples)
    return len(samples) / (time.perf_counter() - start)


def latency_us(verifier, texts: list[str]) -> tuple[float, float, float]:
    for t in texts[:20]:
        verifier(t)
    times = []
    for t in texts:
        start = time.perf_counter()
        verifier(t)
        times.append((time.perf_counter() - start) * 1e6)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1], times[int(len(times) * 0.99) - 1]


PAIR_SETS = {
    "main": "{domain}_pairs.jsonl",
    "held-out": "{domain}_pairs_heldout.jsonl",
    "fresh": "{domain}_pairs_fresh.jsonl",
    "spot": "{domain}_pairs_spot.jsonl",
    "fresh-2": "{domain}_pairs_fresh2.jsonl",
    "fresh-3": "{domain}_pairs_fresh3.jsonl",
    "fresh-4": "{domain}_pairs_fresh4.jsonl",
}


def load_pairs(domain: str, pair_set: str = "main") -> list[dict]:
    """The good/bad answer pairs of a domain (`held-out`, `fresh`: written after the rules were tuned on the others)."""
    path = DATA / PAIR_SETS[pair_set].format(domain=domain)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def pair_samples(pair: dict) -> tuple[Sample, Sample]:
    """The good and the bad answer as samples with the pair's prompt (and sources, when it has them)."""
    metadata = {"sources": pair["sources"]} if "sources" in pair else {}
    return tuple(  # type: ignore[return-value]
        Sample(completion=pair[k], prompt=pair["prompt"], metadata=dict(metadata)) for k in ("good", "bad")
    )


def rank_pairs(domain: str, pair_set: str = "main") -> dict:
    """Score each pair with the domain's content-only reward: ordered right, tied, or reversed."""
    reward = load_reward(PAIR_REWARDS[domain])
    out: dict = {"pairs": 0, "ordered": 0, "tied": 0, "reversed": 0, "wrong": []}
    for pair in load_pairs(domain, pair_set):
        good, bad = (reward(s) for s in pair_samples(pair))
        out["pairs"] += 1
        if good.score > bad.score:
            out["ordered"] += 1
            continue
        out["tied" if good.score == bad.score else "reversed"] += 1
        out["wrong"].append(f"{pair['id']} ({pair['kind']}): good {good.score:.2f}, bad {bad.score:.2f}")
    return out


def pairs_main(json_path: Path | None) -> None:
    set_registry(Registry.load())
    results = {
        f"{domain} ({pair_set})": rank_pairs(domain, pair_set) for pair_set in PAIR_SETS for domain in PAIR_REWARDS
    }
    for label, r in results.items():
        share = 100 * r["ordered"] / r["pairs"]
        print(
            f"{label}: {r['ordered']}/{r['pairs']} pairs ordered right ({share:.1f} %), {r['tied']} tied, {r['reversed']} reversed"
        )
        for line in r["wrong"]:
            print(f"    {line}")
    import verifiers

    print(f"verifiers from {Path(verifiers.__file__).resolve().parent.parent}")
    if json_path:
        json_path.write_text(json.dumps(results, indent=2), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", action="store_true", help="rank the good/bad answer pairs instead of timing")
    parser.add_argument("--rows", type=int, default=5000, help="rows per single-process measurement")
    parser.add_argument("--workers", type=int, default=2, help="worker processes for the Scorer measurement")
    parser.add_argument("--scorer-rows", type=int, default=20000)
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()
    if args.pairs:
        pairs_main(args.json)
        return

    set_registry(Registry.load())
    legal = make_samples("legal", args.rows, seed=1)
    medical = make_samples("medical", args.rows, seed=2)
    results: dict[str, float | str] = {}

    t0 = time.perf_counter()
    spelling = load_reward("spelling")
    spelling("warm up")
    results["spelling: first use (dictionary load), s"] = round(time.perf_counter() - t0, 3)

    texts = [words_300(i) for i in range(2000)]
    med, p90, p99 = latency_us(spelling, texts)
    results["spelling: 300-word answer, median us"] = round(med, 1)
    results["spelling: 300-word answer, p90 us"] = round(p90, 1)
    results["spelling: 300-word answer, p99 us"] = round(p99, 1)

    cases = {
        "spelling (legal answers)": ("spelling", legal),
        "spelling (medical answers)": ("spelling", medical),
        "rules, legal pack": ({"verifier": "rules", "params": {"packs": ["legal"]}}, legal),
        "rules, medical pack": ({"verifier": "rules", "params": {"packs": ["medical"]}}, medical),
        "legal_citation_format": ("legal_citation_format", legal),
        "legal_grounding": ("legal_grounding", legal),
        "legal_irac": ("legal_irac", legal),
        "medical_dose_sanity": ("medical_dose_sanity", medical),
        "medical_interactions": ("medical_interactions", medical),
        "examples/legal/reward.toml (6 terms)": (ROOT / "examples/legal/reward.toml", legal),
        "examples/medical/reward.toml (5 terms)": (ROOT / "examples/medical/reward.toml", medical),
    }
    for label, (spec, samples) in cases.items():
        results[f"{label}, rows/s"] = round(rate(load_reward(spec), samples))

    for domain, samples in (("legal", legal), ("medical", medical)):
        big = (samples * (args.scorer_rows // len(samples) + 1))[: args.scorer_rows]
        with Scorer(ROOT / f"examples/{domain}/reward.toml", workers=args.workers, chunk_size=500) as scorer:
            scorer.score(big[:1000])
            start = time.perf_counter()
            scorer.score(big)
            results[f"Scorer, {domain} reward, {args.workers} workers, rows/s"] = round(
                len(big) / (time.perf_counter() - start)
            )

    results["load average during the run (1 min)"] = round(os.getloadavg()[0], 2)
    results["machine"] = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    width = max(len(k) for k in results)
    for k, v in results.items():
        print(f"{k:<{width}}  {v}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
