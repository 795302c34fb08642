"""The spelling verifier: real dictionary, policies, vocabularies, suggestions, caps, adversarial text."""

from __future__ import annotations

import json
import pickle
import time

import pytest

from verifiers import RegistryError, Sample, Scorer, Status, hookimpl, load_reward
from verifiers.spelling import Spelling

CLINICAL = (
    "The patient presented with a persistent cough and a mild fever lasting three days. After reviewing the "
    "history, the clinician recommended rest, fluids and paracetamol at the usual adult dose, and advised the "
    "patient to return if the symptoms worsened or breathing became difficult."
)


def words(result) -> list[str]:
    return [m["word"] for m in result.details["misspelt"]]


@pytest.fixture(scope="module")
def spell() -> Spelling:
    return Spelling(vocabularies=None)


def test_clean_clinical_text_has_no_penalty(spell):
    r = spell(CLINICAL)
    assert r.status is Status.PASSED
    assert r.score == 0.0
    assert r.details["errors"] == 0
    assert r.details["words_checked"] > 35


def test_typos_are_listed_with_suggestions(spell):
    r = spell("We will recieve the results tomorow and it is definately a seperate issue.")
    assert r.status is Status.FAILED
    assert words(r) == ["recieve", "tomorow", "definately", "seperate"]
    suggestions = {m["word"]: m["suggestions"] for m in r.details["misspelt"]}
    assert suggestions["recieve"][0] == "receive"
    assert "tomorrow" in suggestions["tomorow"]
    assert suggestions["definately"] == ["definitely"]
    assert "'recieve' -> receive" in r.reason
    assert r.score == pytest.approx(-0.4)


def test_spans_point_at_the_misspelt_words(spell):
    text = "Teh dose was givne twice."
    r = spell(text)
    for m in r.details["misspelt"]:
        for start, end in m["spans"]:
            assert text[start:end] == m["word"]


def test_penalty_per_word_cap_output_and_count():
    text = "teh teh teh recieve"
    assert Spelling(vocabularies=None, penalty_per_word=0.25)(text).score == pytest.approx(-1.0)
    capped = Spelling(vocabularies=None, penalty_per_word=0.25, max_penalty=0.5)(text)
    assert capped.score == pytest.approx(-0.5)
    assert "(capped)" in capped.reason
    distinct = Spelling(vocabularies=None, penalty_per_word=0.1, count="distinct")(text)
    assert distinct.details["errors"] == 2
    assert distinct.score == pytest.approx(-0.2)
    unit = Spelling(vocabularies=None, penalty_per_word=0.1, output="score")(text)
    assert unit.score == pytest.approx(0.6)
    assert Spelling(vocabularies=None, output="score")(CLINICAL).score == 1.0


def test_code_latex_urls_markup_and_identifiers_are_ignored(spell):
    text = (
        "Run `pip instll aha` first.\n"
        "```python\ndef fooo_barr():\n    retrun 1\n```\n"
        "The identity $\\alpha + \\betaa = \\gammma$ holds, and \\[ \\frac{xyzzy}{qwrt} \\] too.\n"
        "See https://example.com/some_pathh?q=wrongg or mail adminn@exampel.org for details.\n"
        "<think>The variable my_varr and camelCaseThing and os.pathh.joinn are identifiers.</think>\n"
        "Values like 3rd, 10mg, 0x1F and v2 are numbers; NSAID and HIPAA are acronyms."
    )
    r = spell(text)
    assert r.status is Status.PASSED, r.reason
    assert r.details["skipped"]["identifiers"] >= 3
    assert r.details["skipped"]["numbers"] >= 4
    assert r.details["skipped"]["acronyms"] >= 2


def test_ignore_can_be_turned_off():
    r = Spelling(vocabularies=None, ignore=())("Run `pip instll aha` now.")
    assert "instll" in words(r)


def test_dollar_amounts_are_not_latex(spell):
    r = spell("It costs $5 or $6 and the recieve step is extra.")
    assert words(r) == ["recieve"]


def test_proper_noun_policies():
    text = "We met Okonkwo in Lagos. Dr. Adebayo agreed. Zorblax arrived late."
    default = Spelling(vocabularies=None)(text)
    assert words(default) == ["Zorblax"]  # a sentence-initial unknown word is checked
    assert Spelling(vocabularies=None, proper_nouns="skip")(text).status is Status.PASSED
    checked = words(Spelling(vocabularies=None, proper_nouns="check")(text))
    assert {"Okonkwo", "Adebayo", "Zorblax"} <= set(checked)


def test_sentence_initial_name_seen_mid_sentence_is_a_name(spell):
    r = spell("Okonkwo signed the lease. The landlord later sued Okonkwo for rent.")
    assert r.status is Status.PASSED


def test_british_spellings_are_accepted_by_default():
    text = "The colour of the oesophagus and the paediatric programme were analysed; behaviour was randomised."
    assert Spelling(vocabularies=None)(text).status is Status.PASSED
    strict = Spelling(vocabularies=None, british=False)(text)
    assert {"colour", "oesophagus", "paediatric", "programme"} <= set(words(strict))


def test_user_words_and_words_file(tmp_path):
    text = "Start lisinoprill and check the xyzalix level."
    assert {"lisinoprill", "xyzalix"} <= set(words(Spelling(vocabularies=None)(text)))
    assert Spelling(vocabularies=None, words=["lisinoprill", "xyzalix"])(text).status is Status.PASSED
    wf = tmp_path / "words.txt"
    wf.write_text("# my words\nlisinoprill\nXyzalix  # brand\n", encoding="utf-8")
    assert Spelling(vocabularies=None, words_file=str(wf))(text).status is Status.PASSED
    with pytest.raises(ValueError, match="cannot read words_file"):
        Spelling(words_file=str(tmp_path / "missing.txt"))


class VocabPlugin:
    @hookimpl
    def aha_register_vocabularies(self, register):
        register("pharma-test", ["Zorvatrel", "quixaprine hydrochloride"])


def test_registered_vocabularies_are_used(aha_registry):
    assert aha_registry.add_plugin(VocabPlugin(), "pharma-test-plugin")
    text = "Take quixaprine with food; Zorvatrel is the brand."
    assert Spelling()(text).status is Status.PASSED
    assert Spelling(vocabularies=["pharma-test"])(text).status is Status.PASSED
    assert "quixaprine" in words(Spelling(vocabularies=None)(text))
    with pytest.raises(ValueError, match="unknown vocabulary nope"):
        Spelling(vocabularies=["nope"])
    with pytest.raises(RegistryError, match="unknown vocabulary"):
        aha_registry.create("spelling", vocabularies=["nope"])


def test_bad_parameters_fail_at_construction():
    for kwargs in (
        {"output": "both"},
        {"count": "words"},
        {"proper_nouns": "maybe"},
        {"ignore": ["html"]},
        {"penalty_per_word": -1},
        {"suggest_distance": 3},
        {"ignore_patterns": ["(unclosed"]},
    ):
        with pytest.raises(ValueError):
            Spelling(vocabularies=None, **kwargs)


def test_ignore_patterns_mask_extra_text():
    text = "Order code ZX-qwrtp-77 refers to the recieve step."
    r = Spelling(vocabularies=None, ignore_patterns=[r"ZX-\S+"])(text)
    assert words(r) == ["recieve"]


def test_distance_two_suggestions():
    r = Spelling(vocabularies=None, suggest_distance=2)("the medicaiton list")
    assert "medication" in r.details["misspelt"][0]["suggestions"]


def test_mixed_scripts_are_skipped_and_foreign_only_is_unverifiable(spell):
    mixed = spell("The patient said Привет and 你好 then left; the recieve form was signed.")
    assert words(mixed) == ["recieve"]
    assert mixed.details["skipped"]["other_script"] == 2
    foreign = spell("Пациент принимает лекарство дважды в день. 患者每天服药两次。")
    assert foreign.status is Status.UNVERIFIABLE
    assert foreign.score == 0.0


def test_empty_and_binary_junk(spell):
    assert spell("").status is Status.PASSED
    junk = bytes(range(256)).decode("latin-1") * 20 + "\x00\ufffd\ud7ff" * 50
    r = spell(junk)
    assert r.status in (Status.PASSED, Status.FAILED, Status.UNVERIFIABLE)
    json.dumps(r.to_dict())


def test_one_enormous_word(spell):
    r = spell("x" + "qz" * 100_000)
    assert r.status is Status.FAILED and r.details["errors"] == 1
    assert r.details["misspelt"][0]["suggestions"] == []
    assert len(r.reason) < 300 and r.details["misspelt"][0]["spans"] == [[0, 200_000]]  # max_chars
    assert len(spell.dictionary._cache) < 10_000


def test_very_long_text_is_truncated_with_a_note():
    text = (CLINICAL + " teh ") * 2000  # ~ 500 kB
    sp = Spelling(vocabularies=None, max_chars=100_000)
    start = time.perf_counter()
    r = sp(text)
    assert time.perf_counter() - start < 5
    assert r.details["truncated_at"] == 100_000
    assert "checked the first 100000" in r.reason
    assert r.score == -1.0  # capped


def test_pickles_and_scores_in_worker_processes():
    sp = Spelling(vocabularies=None, words=["zorvatrel"])
    clone = pickle.loads(pickle.dumps(sp))
    text = "Zorvatrel helps but teh dose matters."
    assert clone(text).to_dict()["details"] == sp(text).to_dict()["details"]
    samples = [Sample(completion=t) for t in (CLINICAL, text, "recieve")]
    with Scorer(sp, workers=2, chunk_size=1) as scorer:
        results = scorer.score(samples)
    assert [r.details["errors"] for r in results] == [0, 1, 1]


def test_reward_spec_with_spelling_term(aha_registry):
    reward = load_reward({"terms": [{"verifier": "spelling", "weight": 0.5, "params": {"penalty_per_word": 0.2}}]})
    r = reward("teh answer")
    assert r.score == pytest.approx(-0.1)
    assert r.terms["spelling"].details["misspelt"][0]["word"] == "teh"


@pytest.mark.parametrize(
    ("text", "misspelt"),
    [
        ("We flew to Frnace and then to Pariss.", {"Frnace", "Pariss"}),
        ("She moved from Londn to Germny last year.", {"Londn", "Germny"}),
        ("Pariss is lovely. We went back to Pariss in May.", {"Pariss"}),
        ("We met Okonkwo in Lagos, and Dr. Adebayo agreed.", set()),
        ("Chancellor Merkel met Zhang and Kowalski in Kyiv.", set()),
        ("In Monroe v. Pape the Court cited Harlow and Twombly.", set()),
        ("We flew to France and then to Paris.", set()),
    ],
)
def test_capitalised_words_near_well_known_places_are_misspellings(text, misspelt):
    r = Spelling(vocabularies=None)(text)
    assert set(words(r)) == misspelt, r.reason
    if misspelt:
        assert not Spelling(vocabularies=None, near_names=False)(text).details["misspelt"]


def test_units_after_per_and_case_names_at_sentence_start():
    s = Spelling(vocabularies=None)
    assert s("Give 5 to 10 mg per kg every 6 hours.").status is Status.PASSED
    assert s("Marbury v. Madison, 5 U.S. 137 (1803). Engel v. Vitale followed.").status is Status.PASSED
    assert words(s("Zorblax arrived late.")) == ["Zorblax"]


def test_ignore_patterns_are_compiled_within_the_regex_limits():
    with pytest.raises(ValueError, match="ignore pattern"):
        Spelling(ignore_patterns=["((((a{100}){100}){100}){100})"])
    with pytest.raises(ValueError, match="invalid ignore pattern"):
        Spelling(ignore_patterns=["(unclosed"])
