"""The legal plugin: citation format, grounding in sources, IRAC, and the legal rule pack."""

from __future__ import annotations

import pytest

from plugins.legal.citations import find_citations
from plugins.legal.format_check import CitationFormat
from plugins.legal.grounding import Grounding
from plugins.legal.irac import Irac
from verifiers import Sample, Status
from verifiers.rules import Rules


def problems(text: str) -> list[list[str]]:
    return [[p.code for p in c.problems] for c in find_citations(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Roe v. Wade, 410 U.S. 113 (1973)", [[]]),
        ("Roe v. Wade, 410 U.S. 113, 153-54 (1973)", [[]]),
        ("Bell Atl. Corp. v. Twombly, 550 U.S. 544, 570 (2007)", [[]]),
        ("United States v. Lopez, 514 U.S. 549 (1995); 115 S. Ct. 1624 (1995)", [[], []]),
        ("Smith v. Jones, 123 F.3d 456 (9th Cir. 1997)", [[]]),
        ("Doe v. Roe, 55 F. Supp. 2d 10 (S.D.N.Y. 1999)", [[]]),
        ("Ortiz v. Ford, 4 F.4th 12 (D.C. Cir. 2021)", [[]]),
        ("In re Smith, 300 B.R. 9 (Bankr. D. Del. 2003)", [[]]),
        ("People v. Lee, 50 P.3d 100 (Cal. 2002)", [[]]),
        ("42 U.S.C. § 1983", [[]]),
        ("29 C.F.R. § 1910.1200", [[]]),
        ("18 U.S.C. §§ 1030-1031", [[]]),
        ("505 US 833 (1992)", [["reporter_form"]]),
        ("123 F. 3d 456 (9th Cir. 1997)", [["reporter_form"]]),
        ("410 U.S. 113", [["missing_year"]]),
        ("123 F.3d 456 (1997)", [["missing_court"]]),
        ("123 F.3d 456 (9th Cir. 1985)", [["year_outside_series"]]),
        ("12 F.2d 3 (2d Cir. 2005)", [["year_outside_series"]]),
        ("300 A.2d 1 (1975)", [["missing_court"]]),
        ("100 S. Ct. 2000 (U.S. 1980)", [["court_not_needed"]]),
        ("410 U.S. 113 (2973)", [["bad_year"]]),
        ("12 Foo. Rptr. 99 (1999)", [["unknown_reporter"]]),
        ("42 USC 1983", [["code_form", "missing_section_sign"]]),
        ("42 U.S.C. section 1983", [["section_word"]]),
        ("18 U.S.C. §1030(a)(2)", [["section_spacing"]]),
        ("99 U.S.C. § 5", [["bad_title"]]),
        ("410 U.S. at 153", [["short_form_first"]]),
        ("410 U.S. 113 (1973). Later: 410 U.S. at 153.", [[], []]),
        ("In 2019 Congress passed 3 laws and 5 Sec. 3 was amended.", []),
    ],
)
def test_citation_forms(text, expected):
    assert problems(text) == expected


def test_citation_format_verifier_scores_the_clean_share():
    v = CitationFormat()
    good = v("The Court in Roe v. Wade, 410 U.S. 113 (1973), and 42 U.S.C. § 1983 both apply.")
    assert good.status is Status.PASSED and good.score == 1.0 and good.details["fired"] == []
    text = "See Roe v. Wade, 410 U.S. 113 (1973), and 42 USC 1983."
    bad = v(text)
    assert bad.status is Status.FAILED and bad.score == 0.5
    ids = {f["id"]: f for f in bad.details["fired"]}
    assert set(ids) == {"legal.citation.code_form", "legal.citation.missing_section_sign"}
    assert ids["legal.citation.code_form"]["severity"] == "warning"
    assert ids["legal.citation.missing_section_sign"]["severity"] == "error"
    assert text[slice(*ids["legal.citation.code_form"]["span"])] == "42 USC 1983"
    assert v("No authorities here.").status is Status.PASSED
    required = CitationFormat(require_citation=True)("No authorities here.")
    assert required.status is Status.FAILED and required.details["fired"][0]["id"] == "legal.citation.none"


SOURCES = [
    {"citation": "42 U.S.C. § 1983", "text": "Every person who, under color of any statute ..."},
    {"citation": "Monroe v. Pape, 365 U.S. 167 (1961)", "text": "color of state law"},
    "Harlow v. Fitzgerald, 457 U.S. 800 (1982): qualified immunity.",
]


def test_grounding_accepts_cited_sources_and_flags_invented_ones():
    g = Grounding()
    ok = g(
        Sample(
            completion="Under 42 U.S.C. § 1983 and Monroe v. Pape, 365 U.S. 167, 172 (1961), the officer is liable; "
            "see 365 U.S. at 180 and Harlow v. Fitzgerald.",
            metadata={"sources": SOURCES},
        )
    )
    assert ok.status is Status.PASSED, ok.reason
    assert ok.score == 1.0
    text = "See Brandt v. Colvin, 512 U.S. 201 (1994), and 42 U.S.C. § 1985."
    bad = g(Sample(completion=text, metadata={"sources": SOURCES}))
    assert bad.status is Status.FAILED and bad.score == 0.0
    assert {text[slice(*f["span"])] for f in bad.details["fired"]} == {
        "512 U.S. 201 (1994)",
        "42 U.S.C. § 1985",
        "Brandt v. Colvin",
    }
    assert {f["id"] for f in bad.details["fired"]} == {
        "legal.grounding.ungrounded_citation",
        "legal.grounding.ungrounded_case_name",
    }


def test_grounding_matches_citations_however_they_are_written():
    g = Grounding(check_case_names=False)
    r = g(Sample(completion="Under 42 USC 1983 and 365 US 167 ...", metadata={"sources": SOURCES}))
    assert r.status is Status.PASSED


def test_grounding_uses_the_prompt_when_there_is_no_sources_field():
    g = Grounding()
    prompt = "Sources: Miranda v. Arizona, 384 U.S. 436 (1966).\nQuestion: was the confession admissible?"
    assert g(Sample(completion="Miranda v. Arizona, 384 U.S. 436 (1966) controls.", prompt=prompt)).passed
    assert not g(Sample(completion="Dickerson v. United States, 530 U.S. 428 (2000).", prompt=prompt)).passed
    unverifiable = g(Sample(completion="Miranda v. Arizona, 384 U.S. 436 (1966)."))
    assert unverifiable.status is Status.UNVERIFIABLE and "no sources" in unverifiable.reason


def test_grounding_min_citations():
    r = Grounding(min_citations=1)(Sample(completion="The officer is liable.", metadata={"sources": SOURCES}))
    assert r.status is Status.FAILED and r.details["fired"][0]["id"] == "legal.grounding.too_few"
    with pytest.raises(ValueError):
        Grounding(min_citations=-1)


IRAC = """<think>plan</think>
<answer>**Issue:** Whether the officer is liable for an arrest without probable cause.

**Rule:** 42 U.S.C. § 1983 imposes liability on persons acting under color of state law.

**Application:** The officer was on duty and used police powers to detain her overnight.

**Conclusion:** The officer is likely liable for damages under the statute.</answer>"""


def test_irac_full_partial_and_out_of_order():
    v = Irac()
    full = v(IRAC)
    assert full.status is Status.PASSED and full.score == 1.0
    assert full.details["found"] == ["Issue", "Rule", "Application", "Conclusion"]
    no_rule = v(
        IRAC.replace("**Rule:** 42 U.S.C. § 1983 imposes liability on persons acting under color of state law.\n", "")
    )
    assert no_rule.score == pytest.approx(0.75) and "missing Rule" in no_rule.reason
    swapped = (
        IRAC.replace("**Issue:**", "**TMP:**")
        .replace("**Conclusion:**", "**Issue:**")
        .replace("**TMP:**", "**Conclusion:**")
    )
    out_of_order = v(swapped)
    assert out_of_order.score == pytest.approx(0.75)
    assert out_of_order.details["fired"][0]["kind"] == "out_of_order"
    headings = (
        "## Question Presented\nWhether the statute applies here at all.\n## Governing Law\nSection 1983 applies to state actors.\n"
        "## Analysis\nThe officer is a state actor on duty.\n## Holding\nThe claim can proceed to trial."
    )
    assert v(headings).score == 1.0
    assert v("The issue is whether the rule applies; in conclusion it does.").score == 0.0
    thin = v(IRAC.replace("Whether the officer is liable for an arrest without probable cause.", "Liability."))
    assert "Issue (empty)" in thin.reason


def test_irac_custom_synonyms():
    text = (
        "Facts and Issue: whether a contract was formed here.\nRule: offer and acceptance are required.\n"
        "Reasoning: an offer was accepted by the reply email.\nConclusion: a contract was formed between them."
    )
    assert Irac()(text).score < 1.0
    assert (
        Irac(synonyms={"Application": ["Application", "Reasoning"]})(text.replace("Facts and Issue", "Issue")).score
        == 1.0
    )
    with pytest.raises(ValueError):
        Irac(synonyms={"Facts": ["Facts"]})


def test_legal_rule_pack(aha_registry):
    aha_registry.add_plugin("plugins.legal", "legal")
    rules = Rules(packs=["legal"])
    assert {r.id for r in rules.ruleset.rules} >= {
        "legal.no-guaranteed-outcome",
        "legal.advice-disclaimer",
        "legal.irac",
    }
    sample = Sample(
        completion=IRAC.replace("likely liable", "definitely liable; you will definitely win, so you should sue"),
        metadata={"sources": SOURCES},
    )
    r = rules(sample)
    fired = {f["id"] for f in r.details["fired"]}
    assert fired == {"legal.no-guaranteed-outcome", "legal.advice-disclaimer"}
    good = rules(Sample(completion=IRAC, metadata={"sources": SOURCES}))
    assert good.status is Status.PASSED and good.score == 1.0
    caveat = rules(
        Sample(
            completion=IRAC.replace("state law", "law") + "\nThe statute of limitations is two years.",
            metadata={"sources": SOURCES},
        )
    )
    assert {f["id"] for f in caveat.details["fired"]} == {"legal.jurisdiction-caveat"}


def test_adversarial_text_for_legal_verifiers():
    junk = "".join(chr(c) for c in range(32, 3000, 3)) * 30 + "410 U.S. 113 (1973) " * 2000 + "\x00\ufffd"
    for v in (CitationFormat(), Grounding(), Irac()):
        r = v(Sample(completion=junk, metadata={"sources": ["410 U.S. 113 (1973)"]}))
        assert r.status in (Status.PASSED, Status.FAILED), r.reason


def test_grounding_accepts_authorities_from_the_prompt_and_earlier_turns():
    chat = [
        {"role": "user", "content": "My notes: Miranda v. Arizona, 384 U.S. 436 (1966)."},
        {"role": "assistant", "content": "Thanks, I have read them."},
        {"role": "user", "content": "So must the police warn me before questioning?"},
    ]
    answer = "Yes. Miranda v. Arizona, 384 U.S. 436 (1966), requires the warnings before custodial questioning."
    other = {"sources": ["42 U.S.C. § 1983"]}
    assert Grounding()(Sample(completion=answer, prompt=chat, metadata=other)).status is Status.PASSED
    assert Grounding(use_context=False)(Sample(completion=answer, prompt=chat, metadata=other)).status is Status.FAILED
    # an authority named nowhere before the answer is still invented
    invented = answer + " See also Smith v. Jones, 999 U.S. 1 (1999)."
    r = Grounding()(Sample(completion=invented, prompt=chat, metadata=other))
    assert r.status is Status.FAILED and "999 U.S. 1" in r.reason
    # a chat given as the completion: the earlier turns are context, the last assistant turn is checked
    turns = [*chat, {"role": "assistant", "content": answer}]
    assert Grounding()(Sample(completion=turns)).status is Status.PASSED


def test_grounding_compares_subsections_when_the_sources_give_them():
    sources = {"sources": ["29 U.S.C. § 206(d) (equal pay)"]}
    g = Grounding()
    assert g(Sample(completion="See 29 U.S.C. § 206(d)(1).", metadata=sources)).status is Status.PASSED
    assert g(Sample(completion="See 29 U.S.C. § 206.", metadata=sources)).status is Status.PASSED
    assert g(Sample(completion="See 29 U.S.C. § 206(z).", metadata=sources)).status is Status.FAILED
    whole = {"sources": ["29 U.S.C. § 206"]}
    assert g(Sample(completion="See 29 U.S.C. § 206(z).", metadata=whole)).status is Status.PASSED


@pytest.mark.parametrize(
    ("text", "fired"),
    [
        ("You should contact a criminal defence lawyer as soon as possible.", set()),
        ("You should read the clause; a consumer protection lawyer can help if they refuse.", set()),
        ("You should just stop paying.", {"legal.advice-disclaimer"}),
        ("You should sign it; you don't need a lawyer for this.", {"legal.advice-disclaimer"}),
        ("You have ten years to sue after an accident.", {"legal.jurisdiction-caveat"}),
        ("You have twenty years to sue for defamation.", {"legal.jurisdiction-caveat"}),
        ("It depends on the state; two or three years to sue is common.", set()),
        ("The small claims limit is $10,000 in every state.", {"legal.jurisdiction-caveat", "legal.unhedged-absolute"}),
        ("A handshake deal for a house is always binding.", {"legal.unhedged-absolute"}),
        ("After a year the land automatically becomes yours.", {"legal.unhedged-absolute"}),
        ("Such deals are usually binding, but a sale of land is never binding without writing.", set()),
        ("You'll definitely win this one.", {"legal.no-guaranteed-outcome"}),
        ("You are guaranteed half of everything.", {"legal.no-guaranteed-outcome"}),
    ],
)
def test_legal_pack_reads_advice_deadlines_and_absolutes(aha_registry, text, fired):
    aha_registry.add_plugin("plugins.legal", "legal")
    rules = Rules(
        packs=["legal"], disable=["legal.irac", "legal.cites-authority", "legal.grounded-citations", "legal.next-step"]
    )
    assert {f["id"] for f in rules(text).details["fired"]} == fired


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [
        ("under section 6 of the Equality Act 2010", "provision", "6"),
        ("s 394B of the Fair Work Act", "provision", "394b"),
        ("§ 438 BGB", "provision", "438"),
        ("l'article L1471-1 du Code du travail", "provision", "l1471-1"),
        ("el artículo 11 de la Ley", "provision", "11"),
        ("s. 24(2) of the Charter", "provision", "24"),
        ("the Consumer Protection Act, 2019", "instrument", "protection act 2019"),
        ("Regulation (EC) No 261/2004", "instrument", "261/2004"),
        ("Directive 2011/83/EU", "instrument", "2011/83"),
        ("Donoghue v Stevenson [1932] AC 562", "report", "1932 ac 562"),
        ("Carlill [1893] 1 QB 256", "report", "1893 qb 256"),
        ("R v Grant, 2009 SCC 32", "report", "2009 scc 32"),
        ("(1978) 1 SCC 248", "report", "1978 scc 248"),
        ("AIR 1985 SC 999", "report", "1985 sc 999"),
    ],
)
def test_authorities_outside_the_us_reporters(text, kind, key):
    from plugins.legal.provisions import find_authorities

    found = find_authorities(text)
    assert [(a.kind, a.key) for a in found if a.kind == kind] == [(kind, key)]


def test_plain_numbers_are_not_authorities():
    from plugins.legal.provisions import find_authorities

    assert find_authorities("You have 14 days, and in 2019 about 30 people applied; take 2 tablets.") == []


NON_US = [
    {"citation": "Equality Act 2010, s 6", "text": "A person has a disability if ..."},
    {"citation": "Donoghue v Stevenson [1932] AC 562", "text": "A manufacturer owes a duty ..."},
    {"citation": "Regulation (EC) No 261/2004, Article 7", "text": "EUR 250 for flights of 1500 km or less"},
]


@pytest.mark.parametrize(
    ("answer", "grounded"),
    [
        ("Under section 6 of the Equality Act 2010 you may be disabled.", True),
        ("Donoghue v Stevenson [1932] AC 562 set the duty of care.", True),
        ("Article 7 of Regulation (EC) No 261/2004 sets the compensation.", True),
        ("Under section 6 of the Disability Discrimination Act 2012 you may be disabled.", False),  # other Act
        ("Under section 6A of the Equality Act 2010 you may be disabled.", False),  # other section
        ("Harrington v Boots [1987] UKHL 44 made it strict.", False),  # invented case
        ("Regulation (EU) 2019/261 pays EUR 1,000.", False),  # invented instrument
        ("Nach § 999 BGB haben Sie fünf Jahre.", False),  # any language
    ],
)
def test_grounding_checks_provisions_acts_and_reports_against_the_sources(answer, grounded):
    r = Grounding()(Sample(completion=answer, metadata={"sources": NON_US}))
    assert (r.status is Status.PASSED) is grounded, r.reason


def test_non_us_authorities_without_sources_are_left_unchecked():
    r = Grounding()(Sample(completion="Under section 8A of the Housing Act 1988 you must leave.", prompt="Must I go?"))
    assert r.status is Status.PASSED


def test_an_authority_in_the_question_makes_others_checkable():
    prompt = "My landlord served a notice under section 8 of the Housing Act 1988. Must I leave?"
    assert Grounding()(
        Sample(completion="Section 8 of the Housing Act 1988 needs a court order.", prompt=prompt)
    ).passed
    assert not Grounding()(
        Sample(completion="Section 8A of the Housing Act 1988 lets him evict you.", prompt=prompt)
    ).passed


def test_a_case_dated_differently_from_the_sources_is_mismatched():
    sources = ["Brown v. Board of Education, 347 U.S. 483 (1954)"]
    right = Grounding()(
        Sample(completion="Brown v. Board of Education, 347 U.S. 483 (1954).", metadata={"sources": sources})
    )
    wrong = Grounding()(
        Sample(completion="Brown v. Board of Education, 347 U.S. 483 (1964).", metadata={"sources": sources})
    )
    assert right.passed and not wrong.passed


def test_a_case_name_shortened_differently_still_matches_its_parties():
    sources = ["Spandeck Engineering (S) Pte Ltd v Defence Science and Technology Agency [2007] 4 SLR(R) 100"]
    short = Grounding()(
        Sample(completion="Spandeck Engineering v Defence Science set the test.", metadata={"sources": sources})
    )
    other = Grounding()(
        Sample(completion="Harbour Engineering v Marine Works set the test.", metadata={"sources": sources})
    )
    assert short.passed and not other.passed


@pytest.mark.parametrize(
    ("answer", "fires"),
    [
        ("Ja, der Vermieter darf jederzeit in die Wohnung.", True),
        ("Grundsätzlich nein: er darf nicht jederzeit hinein, außer im Notfall.", False),
        ("Oui, et vous n'avez jamais aucun recours.", True),
        ("En principe non, sauf faute grave ; vous n'êtes jamais seul face à cela.", False),
        ("No, el despido es siempre nulo.", True),
        ("Puede ocurrir, pero normalmente el despido no es siempre válido.", False),
        ("Hai sempre 60 giorni.", True),
        ("If you leave, the landlord keeps the bond automatically and there's nothing you can do.", True),
        ("Usually the bond is returned, though the landlord may dispute it.", False),
        ("The seller gets an automatic 10-year sentence.", True),
        ("Yes, and it makes no difference at all.", True),
    ],
)
def test_unhedged_absolutes_in_several_languages(aha_registry, answer, fires):
    aha_registry.add_plugin("plugins.legal", "legal")
    rules = Rules(packs=["legal"], disable=["legal.irac"])
    got = {f["id"] for f in rules(Sample(completion=answer)).details["fired"]}
    assert ("legal.unhedged-absolute" in got) is fires, got
