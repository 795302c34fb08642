"""The content-only domain rewards order the good answer of each written pair above the bad one."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def bench_module():
    spec = importlib.util.spec_from_file_location("domain_verifiers_bench", ROOT / "bench" / "domain_verifiers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("domain", ["medical", "legal"])
def test_pairs_are_natural_and_ordered(aha_registry, domain):
    for name in ("legal", "medical"):
        assert aha_registry.add_plugin(f"plugins.{name}", name)
    bench = bench_module()
    pairs = bench.load_pairs(domain)
    assert len(pairs) >= 60
    for p in pairs:
        text = p["good"] + p["bad"]
        assert "<think>" not in text and "<answer>" not in text, p["id"]
    main = bench.rank_pairs(domain)
    held_out = bench.rank_pairs(domain, "held-out")
    assert main["ordered"] / main["pairs"] >= 0.9, main["wrong"]
    assert held_out["ordered"] / held_out["pairs"] >= 0.9, held_out["wrong"]


# The fresh legal pairs stop at 25 of 30: four of the five left are plain wrong facts ("the small claims
# limit is 100,000 pounds") that no wording rule can tell from right ones (the rubric and llm_judge
# verifiers can); see docs/domains.md.
FRESH_FLOOR = {"medical": 0.9, "legal": 0.8}


@pytest.mark.parametrize("domain", ["medical", "legal"])
def test_fresh_pairs_are_ordered(aha_registry, domain):
    for name in ("legal", "medical"):
        assert aha_registry.add_plugin(f"plugins.{name}", name)
    bench = bench_module()
    pairs = bench.load_pairs(domain, "fresh")
    assert len(pairs) == 30 and len({p["id"] for p in pairs}) == 30
    for p in pairs:
        text = p["good"] + p["bad"]
        assert "<think>" not in text and "<answer>" not in text, p["id"]
    fresh = bench.rank_pairs(domain, "fresh")
    assert fresh["reversed"] == 0, fresh["wrong"]
    assert fresh["ordered"] / fresh["pairs"] >= FRESH_FLOOR[domain], fresh["wrong"]


# Later batches, each written before the fixes it led to: other jurisdictions and languages, statutes and
# regulations, chats, per-kg doses, dose shorthand and units. The medical pairs left in the third batch need
# drugs the tables lack (fentanyl patches, zopiclone with alcohol, Rennie with ciprofloxacin).
LATER_FLOOR = {
    ("medical", "fresh-2"): 0.95,
    ("legal", "fresh-2"): 0.95,
    ("medical", "fresh-3"): 0.8,
    ("legal", "fresh-3"): 0.95,
    ("medical", "fresh-4"): 0.9,
    ("legal", "fresh-4"): 0.95,
}


@pytest.mark.parametrize(("domain", "pair_set"), sorted(LATER_FLOOR))
def test_later_fresh_batches_are_ordered(aha_registry, domain, pair_set):
    for name in ("legal", "medical"):
        assert aha_registry.add_plugin(f"plugins.{name}", name)
    bench = bench_module()
    pairs = bench.load_pairs(domain, pair_set)
    assert len(pairs) >= (40 if pair_set == "fresh-2" else 15) and len({p["id"] for p in pairs}) == len(pairs)
    for p in pairs:
        text = p["good"] + p["bad"]
        assert "<think>" not in text and "<answer>" not in text, p["id"]
    ranked = bench.rank_pairs(domain, pair_set)
    assert ranked["reversed"] == 0, ranked["wrong"]
    assert ranked["ordered"] / ranked["pairs"] >= LATER_FLOOR[(domain, pair_set)], ranked["wrong"]
