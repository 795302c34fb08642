"""Each rule type on realistic answers, good and bad, with the spans of what fired."""

from __future__ import annotations

import textwrap

import pytest

from verifiers import Sample
from verifiers.rules import RuleSet, find_quantities, loads_pack


def ruleset(rules_toml: str, case: str = "insensitive") -> RuleSet:
    text = f'[pack]\nname = "t"\ncase = "{case}"\n\n' + textwrap.dedent(rules_toml)
    return RuleSet(loads_pack(text).rules)


def fired(rs: RuleSet, text: str, **sample) -> dict[str, dict]:
    ev = rs.evaluate(Sample(completion=text, **sample))
    assert not ev.errors
    return {f["id"]: f for f in ev.fired}


# -- must_include / must_not_include -------------------------------------------------------------


INCLUDE = """
[[rule]]
id = "disclaimer"
type = "must_include"
patterns = ["not legal advice", "consult an attorney"]
message = "Disclaim."

[[rule]]
id = "all-steps"
type = "must_include"
match = "all"
patterns = ["file", "serve", "respond"]
message = "Name every step."

[[rule]]
id = "no-promise"
type = "must_not_include"
patterns = ["guaranteed", "you will win"]
message = "No promises."
"""


def test_must_include_any_and_all_with_partial_credit():
    rs = ruleset(INCLUDE)
    good = "You must file the complaint, serve the defendant, and respond to motions. This is not legal advice."
    assert fired(rs, good) == {}
    bad = "You should serve the defendant quickly."
    out = fired(rs, bad)
    assert set(out) == {"disclaimer", "all-steps"}
    assert out["all-steps"]["violation"] == pytest.approx(2 / 3)
    assert "'file'" in out["all-steps"]["detail"] and "'respond'" in out["all-steps"]["detail"]
    assert out["disclaimer"]["span"] is None


def test_keywords_respect_word_edges_and_whitespace():
    rs = ruleset(INCLUDE)
    # "profile" contains "file" but is not the word; "not  legal\nadvice" matches across whitespace
    out = fired(rs, "Update your profile, serve and respond. Not  legal\nadvice.")
    assert set(out) == {"all-steps"}


def test_must_not_include_reports_every_match_span():
    rs = ruleset(INCLUDE)
    text = "Consult an attorney. Success is GUARANTEED, and yes, you will  win; guaranteed."
    out = fired(rs, text)["no-promise"]
    assert out["kind"] == "forbidden"
    assert [text[s:e] for s, e in out["spans"]] == ["GUARANTEED", "you will  win", "guaranteed"]
    assert out["span"] == out["spans"][0]
    assert out["match"] == "GUARANTEED"


def test_case_policies():
    rules = """
    [[rule]]
    id = "brand"
    type = "must_not_include"
    patterns = ["Tylenol", "advil"]
    message = "No brand names."
    """
    sensitive = ruleset(rules, case="sensitive")
    assert set(fired(sensitive, "take TYLENOL or Advil")) == set()
    smart = ruleset(rules, case="smart")  # "Tylenol" has a capital: exact; "advil" has none: any case
    assert fired(smart, "take TYLENOL or ADVIL")["brand"]["match"] == "ADVIL"
    assert fired(ruleset(rules), "take tylenol")["brand"]["match"] == "tylenol"
    per_rule = ruleset(rules.replace('message = "No brand names."', 'message = "x"\ncase = "sensitive"'))
    assert fired(per_rule, "tylenol and advil")["brand"]["match"] == "advil"
    assert fired(per_rule, "TYLENOL") == {}


def test_regex_patterns():
    rs = ruleset("""
    [[rule]]
    id = "icd"
    type = "must_include"
    regex = true
    patterns = ['\\b[A-TV-Z]\\d{2}(?:\\.\\d{1,2})?\\b']
    case = "sensitive"
    message = "Give an ICD-10 code."
    """)
    assert fired(rs, "Diagnosis: essential hypertension (I10).") == {}
    assert "icd" in fired(rs, "Diagnosis: essential hypertension.")


# -- sections -------------------------------------------------------------------------------------


SECTIONS = """
[[rule]]
id = "soap"
type = "sections"
sections = [["Subjective", "History"], "Objective", ["Assessment", "Impression"], "Plan"]
ordered = true
message = "Write a SOAP note."
"""

SOAP = """\
## Subjective
Three days of sore throat and low-grade fever; no cough.

**Objective:** Temperature 38.1 C, tonsillar exudate, tender anterior nodes.

Impression: Likely streptococcal pharyngitis (Centor score 4).

### Plan
Rapid strep test; if positive, penicillin V for ten days.
"""


def test_sections_as_headings_bold_labels_and_synonyms():
    assert fired(ruleset(SECTIONS), SOAP) == {}


def test_missing_empty_and_out_of_order_sections():
    rs = ruleset(SECTIONS)
    missing = fired(rs, SOAP.replace("### Plan\n", ""))
    assert missing["soap"]["kind"] == "missing_section"
    assert missing["soap"]["violation"] == pytest.approx(0.25)
    empty = fired(rs, SOAP.replace("Rapid strep test; if positive, penicillin V for ten days.", ""))
    assert "Plan (empty)" in empty["soap"]["detail"]
    swapped = SOAP.replace("## Subjective\n", "## Plan\n", 1).replace("### Plan\n", "## Subjective\n", 1)
    out = fired(rs, swapped)["soap"]
    assert out["kind"] == "out_of_order"
    assert out["violation"] == pytest.approx(0.25)
    assert all(
        swapped[s:e].lstrip("#* ").split()[0].rstrip(":*") in {"Plan", "Objective", "Impression", "Subjective"}
        for s, e in out["spans"]
    )


def test_prose_mentioning_a_section_name_is_not_a_heading():
    rs = ruleset(SECTIONS)
    text = "The plan is to review the subjective history and objective findings before an assessment."
    assert fired(rs, text)["soap"]["violation"] == 1.0


def test_heading_style_requires_headings():
    rs = ruleset(SECTIONS.replace("ordered = true", 'ordered = true\nstyle = "heading"'))
    assert "Objective" in fired(rs, SOAP)["soap"]["detail"]  # "**Objective:** text" is a label, not a heading


# -- max_length -------------------------------------------------------------------------------------


def test_max_length_spans_start_where_the_limit_is_passed():
    rs = ruleset("""
    [[rule]]
    id = "short"
    type = "max_length"
    max_words = 5
    max_chars = 1000
    max_lines = 2
    message = "Be brief."
    """)
    assert fired(rs, "one two three four five") == {}
    text = "one two three four five six seven"
    out = fired(rs, text)["short"]
    assert text[out["span"][0] :] == "six seven"
    lines = fired(rs, "a\nb\nc")["short"]
    assert lines["detail"] == "3 lines > 2" and lines["span"] == [4, 5]


# -- quantity ------------------------------------------------------------------------------------------


QUANTITY = """
[[rule]]
id = "apap"
type = "quantity"
substances = ["acetaminophen", "paracetamol", "Tylenol"]
max = "4 g"
basis = "daily"
message = "At most 4 g of acetaminophen a day."

[[rule]]
id = "levo"
type = "quantity"
substances = ["levothyroxine"]
min = "12.5 mcg"
max = "300 mcg"
basis = "daily"
message = "Levothyroxine is dosed in micrograms."

[[rule]]
id = "ibu-single"
type = "quantity"
substances = ["ibuprofen"]
max = "800 mg"
message = "At most 800 mg of ibuprofen per dose."
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Take 500 mg of paracetamol every 6 hours as needed.", {}),
        ("Acetaminophen 650 mg every 4 hours is too much: that is 3.9 g a day, just under the cap.", {}),
        ("Take 1 g of Tylenol four times a day.", {}),
        ("Take 1,000 mg of acetaminophen every 4 hours.", {"apap": "above_max"}),
        ("Take 2 tablets (500 mg each) of paracetamol every 4 hours.", {"apap": "above_max"}),
        ("Adults may take up to 5 g of acetaminophen per day.", {"apap": "above_max"}),
        ("Take 500-1000 mg of paracetamol every 4-6 hours; never more than 4 g in 24 hours.", {}),
        ("Levothyroxine 100 mcg once daily on an empty stomach.", {}),
        ("Levothyroxine 0.1 mg once daily.", {}),
        ("Start levothyroxine 100 mg once daily.", {"levo": "unit_confusion"}),
        ("Start levothyroxine 0.05 mcg once daily.", {"levo": "unit_confusion"}),
        ("Ibuprofen 400-600 mg three times a day with food.", {}),
        ("Ibuprofen 1200 mg at once for severe pain.", {"ibu-single": "above_max"}),
        ("Paracetamol 10-15 mg/kg every 6 hours for children.", {}),
        ("Paracetamol suspension 250 mg/5 mL.", {}),
        ("A paracetamol overdose of 10 g or more can destroy the liver.", {}),
    ],
)
def test_quantity_rules_on_dosing_sentences(text, expected):
    out = fired(ruleset(QUANTITY), text)
    assert {k: v["kind"] for k, v in out.items()} == expected
    for f in out.values():
        s, e = f["span"]
        assert any(ch.isdigit() for ch in text[s:e])


def test_each_amount_goes_to_the_nearest_substance():
    rs = ruleset(QUANTITY)
    text = "Take ibuprofen 400 mg and paracetamol 1 g together, each up to three times a day."
    assert fired(rs, text) == {}
    text = "Take 900 mg ibuprofen and 1 g paracetamol."
    assert set(fired(rs, text)) == {"ibu-single"}


def test_substance_named_in_an_earlier_sentence():
    rs = ruleset(QUANTITY)
    assert fired(rs, "Paracetamol is the safest choice. The maximum is 6 g per day.")["apap"]["kind"] == "above_max"


def test_other_units_are_ignored_or_flagged():
    rs = ruleset(QUANTITY)
    assert fired(rs, "Ibuprofen 10 mL of the syrup.") == {}
    flag = ruleset(
        QUANTITY.replace('message = "At most 800 mg of ibuprofen per dose."', 'message = "x"\nother_units = "flag"')
    )
    assert fired(flag, "Ibuprofen 10 mL of the syrup.")["ibu-single"]["kind"] == "unit_mismatch"


def test_find_quantities_reads_counts_frequencies_and_caps():
    (q,) = find_quantities("Take 2 x 250mg q8h")
    assert (q.count, q.times_per_day, q.unit) == (2.0, 3.0, "mg")
    (q,) = find_quantities("metformin 1,000 mg bid")
    assert (q.high, q.times_per_day) == (1000.0, 2.0)
    (q,) = find_quantities("do not exceed 3,000 mg daily")
    assert q.limit and q.daily_total
    (q,) = find_quantities("500 micrograms twice a day")
    assert q.unit == "mcg" and q.times_per_day == 2.0
    assert find_quantities("Version 2.5 g3 and 5 games") == []


# -- conditional --------------------------------------------------------------------------------------


CONDITIONAL = """
[[rule]]
id = "dose-needs-safety"
type = "conditional"
message = "Dosing advice needs a safety statement."
[rule.when]
quantity = ["mass", "volume"]
[rule.then]
type = "must_include"
patterns = ["pharmacist", "doctor"]

[[rule]]
id = "mention-needs-risk"
type = "conditional"
message = "Mentioning warfarin requires mentioning bleeding."
[rule.when]
patterns = ["warfarin", "Coumadin"]
[rule.then]
type = "must_include"
patterns = ["bleeding"]

[[rule]]
id = "mtx-weekly"
type = "conditional"
message = "Methotrexate doses are weekly."
[rule.when]
substances = ["methotrexate"]
[rule.then]
type = "must_not_include"
patterns = ["daily", "every day"]
"""


def test_conditionals_fire_only_when_triggered_and_point_at_the_trigger():
    rs = ruleset(CONDITIONAL)
    assert fired(rs, "Rest and drink fluids.") == {}
    text = "Take 400 mg every 8 hours."
    out = fired(rs, text)["dose-needs-safety"]
    assert text[slice(*out["span"])] == "400 mg"
    assert "triggered by '400 mg'" in out["detail"]
    assert fired(rs, "Take 400 mg every 8 hours; ask your pharmacist first.") == {}
    out = fired(rs, "Patients on Coumadin should avoid NSAIDs.")
    assert set(out) == {"mention-needs-risk"}
    assert fired(rs, "On warfarin, NSAIDs raise the risk of bleeding.") == {}


def test_substance_condition_needs_an_amount_of_the_substance():
    rs = ruleset(CONDITIONAL)
    assert "mtx-weekly" not in fired(rs, "Methotrexate is used daily by many clinicians to treat arthritis.")
    text = "Methotrexate 15 mg every day; check with your doctor."
    out = fired(rs, text)["mtx-weekly"]
    assert text[slice(*out["span"])] == "every day"


# -- citation -------------------------------------------------------------------------------------------


CITATION = """
[[rule]]
id = "cite"
type = "citation"
format = "numeric"
min_count = 1
max_count = 3
grounded = true
message = "Cite the numbered sources."

[[rule]]
id = "doi"
type = "citation"
format = "doi"
min_count = 0
grounded = true
message = "DOIs must come from the sources."
"""


def test_numeric_citations_are_counted_and_grounded_by_number():
    rs = ruleset(CITATION)
    sources = ["Smith 2020, doi:10.1000/xyz123", "Jones 2021"]
    assert fired(rs, "Statins lower LDL [1], and adherence matters [2].", metadata={"sources": sources}) == {}
    out = fired(rs, "Statins lower LDL [3].", metadata={"sources": sources})
    assert out["cite"]["kind"] == "ungrounded"
    out = fired(rs, "Statins lower LDL.", metadata={"sources": sources})
    assert out["cite"]["kind"] == "too_few"
    many = "A [1]. B [1]. C [2]. D [1]."
    assert fired(rs, many, metadata={"sources": sources})["cite"]["kind"] == "too_many"


def test_doi_grounding_uses_token_edges():
    rs = ruleset(CITATION)
    sources = [{"title": "Smith 2020", "url": "https://doi.org/10.1000/xyz123"}]
    ok = "See 10.1000/xyz123 [1]."
    assert fired(rs, ok, metadata={"sources": sources}) == {}
    invented = "See 10.1000/xyz12 [1]."  # a prefix of a real DOI is still invented
    out = fired(rs, invented, metadata={"sources": sources})
    assert out["doi"]["kind"] == "ungrounded" and out["doi"]["match"] == "10.1000/xyz12"


def test_grounding_falls_back_to_the_prompt_and_reports_when_it_cannot():
    rs = ruleset(CITATION)
    assert fired(rs, "Fact [1].", prompt="Source [1]: the only one.") == {}
    ev = rs.evaluate(Sample(completion="Fact [1]."))
    assert {u["id"] for u in ev.unchecked} == {"cite", "doi"}
    assert "no sources" in ev.unchecked[0]["reason"]


def test_custom_citation_pattern():
    rs = ruleset("""
    [[rule]]
    id = "statute"
    type = "citation"
    pattern = '\\d+\\s+U\\.S\\.C\\.\\s+§\\s*\\d+'
    message = "Cite the statute."
    """)
    assert fired(rs, "Under 42 U.S.C. § 1983 the officer is liable.") == {}
    assert fired(rs, "Under section 1983 the officer is liable.")["statute"]["kind"] == "too_few"
