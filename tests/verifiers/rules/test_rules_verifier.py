"""The `rules` verifier: scoring, severities, fired-rule details, reward specs, pickling, workers."""

from __future__ import annotations

import json
import pickle
import textwrap

import pytest

from verifiers import Sample, Scorer, Status, load_reward
from verifiers.rules import Rules

PACK = """\
[pack]
name = "advice"

[[rule]]
id = "safety"
type = "conditional"
weight = 0.5
message = "Doses need a safety statement."
[rule.when]
quantity = ["mass"]
[rule.then]
type = "must_include"
patterns = ["ask your pharmacist", "talk to your doctor"]

[[rule]]
id = "no-promise"
type = "must_not_include"
patterns = ["completely safe"]
severity = "warning"
weight = 0.2
message = "No false assurance."

[[rule]]
id = "apap"
type = "quantity"
substances = ["paracetamol"]
max = "4 g"
basis = "daily"
severity = "critical"
message = "At most 4 g of paracetamol a day."

[[rule]]
id = "brief"
type = "max_length"
max_words = 60
severity = "info"
weight = 0.1
message = "Be brief."
"""

GOOD = "Paracetamol 1 g up to four times a day helps; ask your pharmacist if you take other medicines."
WARN_ONLY = "Paracetamol 1 g up to four times a day is completely safe; ask your pharmacist first."
BAD = "Paracetamol 1 g four times a day is completely safe."
DANGEROUS = "Paracetamol 2 g four times a day; ask your pharmacist."


@pytest.fixture
def pack_path(tmp_path):
    p = tmp_path / "advice.toml"
    p.write_text(PACK, encoding="utf-8")
    return p


def test_good_answer_passes_with_full_score(pack_path):
    r = Rules(packs=[str(pack_path)])(GOOD)
    assert r.status is Status.PASSED and r.score == 1.0
    assert r.details["fired"] == [] and r.details["rules_checked"] == 4
    assert r.reason == "all 4 rules hold"


def test_warnings_lower_the_score_but_pass(pack_path):
    r = Rules(packs=[str(pack_path)])(WARN_ONLY)
    assert r.status is Status.PASSED
    assert r.score == pytest.approx(0.8)
    (f,) = r.details["fired"]
    assert {k: f[k] for k in ("id", "severity", "weight", "message")} == {
        "id": "no-promise",
        "severity": "warning",
        "weight": 0.2,
        "message": "No false assurance.",
    }
    assert WARN_ONLY[slice(*f["span"])] == "completely safe"
    assert "no-promise [warning]" in r.reason


def test_errors_fail_and_weights_add_up(pack_path):
    r = Rules(packs=[str(pack_path)])(BAD)
    assert r.status is Status.FAILED
    assert {f["id"] for f in r.details["fired"]} == {"safety", "no-promise"}
    assert r.score == pytest.approx(1 - 0.5 - 0.2)


def test_critical_rule_zeroes_the_score(pack_path):
    r = Rules(packs=[str(pack_path)])(DANGEROUS)
    assert r.score == 0.0 and r.status is Status.FAILED
    (f,) = r.details["fired"]
    assert f["id"] == "apap" and f["kind"] == "above_max" and "8 g/day" in f["detail"]


def test_fraction_scoring_fail_on_and_disable(pack_path):
    frac = Rules(packs=[str(pack_path)], scoring="fraction")(BAD)
    assert frac.score == pytest.approx(1 - 0.7 / 1.8)
    lenient = Rules(packs=[str(pack_path)], fail_on="critical")(BAD)
    assert lenient.status is Status.PASSED
    strict = Rules(packs=[str(pack_path)], fail_on="warning")(WARN_ONLY)
    assert strict.status is Status.FAILED
    off = Rules(packs=[str(pack_path)], disable=["no-promise", "safety"])(BAD)
    assert off.score == 1.0 and off.details["rules_checked"] == 2
    with pytest.raises(ValueError, match="unknown rule id"):
        Rules(packs=[str(pack_path)], disable=["nope"])
    with pytest.raises(ValueError):
        Rules(packs=[str(pack_path)], scoring="average")
    with pytest.raises(ValueError, match="at least one pack"):
        Rules()


def test_inline_rules_in_a_toml_reward_spec(tmp_path, aha_registry):
    spec = tmp_path / "reward.toml"
    spec.write_text(
        textwrap.dedent("""\
        [reward]
        combine = "sum"

        [[reward.terms]]
        verifier = "rules"
        name = "house_rules"
        weight = 2.0
        [reward.terms.params]
        scoring = "penalty"
        [[reward.terms.params.rules]]
        id = "house.cite"
        type = "must_include"
        patterns = ["according to"]
        message = "Attribute claims."
        [[reward.terms.params.rules]]
        id = "house.no-hedge"
        type = "must_not_include"
        patterns = ["as an AI"]
        weight = 0.5
        severity = "warning"
        message = "No AI disclaimers."
        """),
        encoding="utf-8",
    )
    reward = load_reward(spec)
    good = reward("According to the label, take it with food.")
    bad = reward("As an AI I think you should take it with food.")
    assert good.score == 2.0
    assert bad.score == 0.0  # penalties 1.0 + 0.5 floor the term at 0
    ids = [f["id"] for f in bad.terms["house_rules"].details["fired"]]
    assert ids == ["house.cite", "house.no-hedge"]


def test_regex_timeout_is_an_error_result_not_a_pass(tmp_path):
    p = tmp_path / "slow.toml"
    p.write_text(
        textwrap.dedent("""\
        [pack]
        name = "slow"
        regex_timeout = 0.05
        [[rule]]
        id = "catastrophic"
        type = "must_not_include"
        regex = true
        patterns = ['(a|aa)+$']
        message = "m"
        """),
        encoding="utf-8",
    )
    r = Rules(packs=[str(p)])("a" * 40 + "b")
    assert r.status is Status.ERROR
    assert "catastrophic" in r.reason and r.details["rule_errors"][0]["id"] == "catastrophic"


def test_results_are_json_ready_and_rules_pickle(pack_path):
    rules = Rules(packs=[str(pack_path)])
    r = rules(BAD)
    assert json.loads(json.dumps(r.to_dict()))["details"]["fired"][0]["id"] == "safety"
    clone = pickle.loads(pickle.dumps(rules))
    assert clone(BAD).details == r.details
    with Scorer(rules, workers=2, chunk_size=1) as scorer:
        results = scorer.score([GOOD, WARN_ONLY, BAD, DANGEROUS])
    assert [x.score for x in results] == pytest.approx([1.0, 0.8, 0.3, 0.0])


def test_messages_as_samples_and_metadata_sources(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text(
        textwrap.dedent("""\
        [pack]
        name = "c"
        [[rule]]
        id = "grounded"
        type = "citation"
        format = "pmid"
        grounded = true
        message = "Cite PubMed IDs from the sources."
        """),
        encoding="utf-8",
    )
    rules = Rules(packs=[str(p)])
    sample = Sample(
        completion=[{"role": "assistant", "content": "Aspirin lowers risk (PMID: 12345678)."}],
        metadata={"sources": [{"title": "Trial", "text": "PMID 12345678"}]},
    )
    assert rules(sample).status is Status.PASSED
    sample.metadata["sources"] = ["PMID 87654321"]
    r = rules(sample)
    assert r.status is Status.FAILED and r.details["fired"][0]["kind"] == "ungrounded"
