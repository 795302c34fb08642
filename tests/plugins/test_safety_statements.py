"""The medical pack's safety statement is matched by meaning: a clinician and an advisory verb, negation-aware."""

from __future__ import annotations

import pytest

from plugins.medical import RULE_PACK
from verifiers.rules import RuleSet, load_pack

DOSE = "Ibuprofen 400 mg every 8 hours with food. "

SAYS_CHECK = [
    "Please confirm the dose with your doctor or pharmacist.",
    "Ask your pharmacist if you are unsure.",
    "Check with your GP before starting.",
    "It is worth running this past your doctor first.",
    "Speak to a pharmacist about whether this suits you.",
    "Talk with your healthcare provider before changing the dose.",
    "Your doctor can adjust this if needed.",
    "A pharmacist will be able to check it against your other medicines.",
    "If in doubt, consult a physician.",
    "Get advice from your GP if the pain lasts more than a few days.",
    "Follow your doctor's instructions if they differ from this.",
    "Do not hesitate to ask your pharmacist for advice.",
    "Your prescriber should review the dose regularly.",
    "Double-check the right amount with a nurse or pharmacist.",
    "Discuss the dose with your care team.",
    "Before you start, see your doctor.",
    "Let your doctor know if you take other medicines.",
    "Contact your GP surgery and ask to speak to the practice pharmacist.",
    "Seek guidance from a medical professional before taking more.",
    "Call your doctor if the symptoms do not settle.",
    "Book an appointment with your GP to review it.",
    "The right dose for you is something your doctor is best placed to decide.",
    "Your pharmacist is able to advise on a suitable product.",
    "Have a chat with your pharmacist, who can confirm the dose.",
    "Tell your doctor about any kidney problems before taking it.",
    "Only take it with the approval of your doctor.",
    "Take it as directed by your physician.",
    "Do not exceed this without checking with a doctor.",
    "Never take more than this without asking a pharmacist.",
    "Reach out to your healthcare team if you have questions.",
    "This is general information, not medical advice.",
    "Higher doses are used only under medical supervision.",
    "Your GP may suggest a lower dose.",
    "A clinician should assess you before a higher dose.",
    "Confirm that this is right for you with your prescriber.",
    "Please verify the dosing with your pharmacist.",
    "Your doctor's advice takes priority; they can tailor the dose to you.",
    "Consulting a doctor first is sensible.",
    "Get the go-ahead from your doctor before combining it with anything else.",
    "Ring your GP or pharmacist for advice.",
    "Visit a pharmacist who can recommend the right strength.",
    "Your specialist will tell you the right dose.",
    "Your rheumatologist will set the dose.",
    "Avoid it unless your doctor agrees.",
    "Don't take more than 8 mg a day without a doctor's advice.",
    "Follow your GP's instructions.",
    "Any increase should be discussed with your doctor.",
    "Your doctor will raise it slowly.",
    "Call 911 now and chew the aspirin while you wait.",
]

SAYS_NO_CHECK = [
    "",
    "You don't need to ask a doctor about this.",
    "There is no need to see a doctor for this.",
    "You don't have to check with your pharmacist.",
    "Doctors often give this dose.",
    "Skip the doctor; this dose is standard.",
    "Rather than asking your GP, just take the tablets.",
    "It is not necessary to consult a doctor.",
    "You can buy it at any pharmacy without a prescription.",
    "Don't bother asking your pharmacist.",
    "Your doctor won't need to check this.",
    "Many doctors prescribe it every day.",
    "This is the dose most doctors use.",
    "Nobody needs to consult a physician for this.",
    "You can take more without your doctor's approval.",
    "Ignore your doctor's advice and double it.",
    "Many doctors recommend this dose.",
]


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return RuleSet(r for r in load_pack(RULE_PACK).rules if r.id == "med.safety-statement")


def fired(rules: RuleSet, text: str) -> bool:
    return any(f["id"] == "med.safety-statement" for f in rules.evaluate(text).fired)


@pytest.mark.parametrize("statement", SAYS_CHECK)
def test_safety_statement_in_many_words(rules, statement):
    assert not fired(rules, DOSE + statement), statement


@pytest.mark.parametrize("statement", SAYS_NO_CHECK)
def test_no_or_negated_safety_statement(rules, statement):
    assert fired(rules, DOSE + statement), statement


def test_no_dose_no_statement_needed(rules):
    assert not fired(rules, "Ibuprofen helps with pain and swelling.")


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ("Ibuprofen 400 mg dreimal täglich. Fragen Sie vorher Ihren Arzt oder Apotheker.", True),
        ("Paracétamol 1 g par prise ; demandez conseil à votre pharmacien.", True),
        ("Paracetamol 1 g cada 8 horas; consulte a su médico si persiste.", True),
        ("Paracetamolo 1 g per dose; chieda al medico o al farmacista.", True),
        ("Ibuprofen 400 mg dreimal täglich.", False),
        ("Paracétamol 1 g par prise.", False),
    ],
)
def test_the_safety_statement_in_other_languages(rules, answer, says):
    assert fired(rules, answer) is not says, answer
