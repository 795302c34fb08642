"""Rules that read what came before the answer: the prompt and earlier chat turns (`scope`, `roles`)."""

from __future__ import annotations

import textwrap

import pytest

from verifiers import Sample
from verifiers.rules import RulePackError, RuleSet, loads_pack
from verifiers.rules.turns import context_text


def ruleset(rules_toml: str) -> RuleSet:
    return RuleSet(loads_pack('[pack]\nname = "t"\n\n' + textwrap.dedent(rules_toml)).rules)


def fired(rs: RuleSet, completion, prompt=None) -> dict[str, dict]:
    ev = rs.evaluate(Sample(completion=completion, prompt=prompt))
    assert not ev.errors
    return {f["id"]: f for f in ev.fired}


EMERGENCY = """
[[rule]]
id = "emergency"
type = "conditional"
message = "Emergencies need emergency care."
[rule.when]
scope = "{scope}"
{roles}
patterns = ["chest pain"]
[rule.then]
type = "must_include"
patterns = ["911", "emergency"]
"""


def emergency(scope: str, roles: str = "") -> RuleSet:
    return ruleset(EMERGENCY.format(scope=scope, roles=roles))


PROMPT = "I have crushing chest pain and my left arm is numb, what should I take?"
GOOD = "Call 911 now; this could be a heart attack."
BAD = "Take an antacid and lie down."


def test_condition_in_the_prompt_fires_on_an_answer_that_does_not_mention_it():
    rs = emergency("any")
    assert "emergency" in fired(rs, BAD, PROMPT)
    assert fired(rs, GOOD, PROMPT) == {}
    hit = fired(rs, BAD, PROMPT)["emergency"]
    assert "before the answer" in hit["detail"]
    assert hit["span"] is None  # the trigger is not in the answer, so no answer span is claimed


def test_default_scope_reads_the_answer_only():
    rs = emergency("answer")
    assert fired(rs, BAD, PROMPT) == {}
    hit = fired(rs, "Chest pain is usually muscular; rest.", "Why does my chest hurt?")["emergency"]
    assert hit["span"] == [0, 10]


def test_context_scope_ignores_the_answer():
    rs = emergency("context")
    assert fired(rs, "Chest pain is usually muscular; rest.", "Why do I feel tired?") == {}
    assert "emergency" in fired(rs, BAD, PROMPT)


def test_earlier_turns_of_a_chat_completion_are_context():
    chat = [
        {"role": "user", "content": "I've had chest pain since this morning."},
        {"role": "assistant", "content": "I'm sorry to hear that. What would you like to know?"},
        {"role": "user", "content": "What should I take?"},
        {"role": "assistant", "content": BAD},
    ]
    assert "emergency" in fired(emergency("any"), chat)
    chat[-1] = {"role": "assistant", "content": GOOD}
    assert fired(emergency("any"), chat) == {}


def test_roles_keep_a_system_prompt_out_of_the_condition():
    prompt = [
        {"role": "system", "content": "Always send anyone with chest pain to emergency care."},
        {"role": "user", "content": "How much ibuprofen can I take for a headache?"},
    ]
    answer = "Up to 400 mg every 6 hours."
    assert "emergency" in fired(emergency("any"), answer, prompt)
    assert fired(emergency("any", 'roles = ["user"]'), answer, prompt) == {}


def test_must_include_can_be_satisfied_by_the_context():
    rs = ruleset(
        """
        [[rule]]
        id = "jurisdiction"
        type = "must_include"
        scope = "any"
        patterns = ["California", "varies by state"]
        message = "Say which law applies."
        """
    )
    assert fired(rs, "The deposit is due back within 21 days.", "My landlord in California kept my deposit.") == {}
    assert "jurisdiction" in fired(rs, "The deposit is due back within 21 days.", "My landlord kept my deposit.")


def test_must_not_include_with_context_reports_only_answer_spans():
    rs = ruleset(
        """
        [[rule]]
        id = "no-ssn"
        type = "must_not_include"
        scope = "any"
        regex = true
        patterns = ['\\d{3}-\\d{2}-\\d{4}']
        message = "No social security numbers in the conversation."
        """
    )
    hit = fired(rs, "Noted.", "My SSN is 123-45-6789.")["no-ssn"]
    assert hit["span"] is None and "123-45-6789" in hit["detail"]
    hit = fired(rs, "Your SSN 123-45-6789 is noted.", "Hello")["no-ssn"]
    assert hit["span"] == [9, 20]
    assert fired(rs, "Noted.", "Hello") == {}


def test_substance_amount_condition_reads_the_prompt():
    rs = ruleset(
        """
        [[rule]]
        id = "weekly"
        type = "conditional"
        message = "Methotrexate is weekly."
        [rule.when]
        scope = "context"
        substances = ["methotrexate"]
        [rule.then]
        type = "must_include"
        patterns = ["weekly", "once a week"]
        """
    )
    assert "weekly" in fired(rs, "Yes, that is a usual dose.", "Is methotrexate 15 mg OK?")
    assert fired(rs, "Yes, 15 mg once a week is usual.", "Is methotrexate 15 mg OK?") == {}
    assert fired(rs, "Yes, that is a usual dose.", "Is methotrexate OK for me?") == {}  # no amount


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('scope = "prompt"', "'scope' must be one of"),
        ('scope = "any"\nroles = ["customer"]', "chat roles"),
        ('roles = ["user"]', "needs scope"),
        ('scope = "sources"\nroles = ["user"]', "sources has no roles"),
    ],
)
def test_bad_scope_settings_are_schema_errors(body, problem):
    text = f'[pack]\nname = "t"\n[[rule]]\nid = "r"\ntype = "must_include"\npatterns = ["x"]\nmessage = "m"\n{body}\n'
    with pytest.raises(RulePackError, match=problem):
        loads_pack(text)


def test_context_text_roles_and_string_prompts():
    chat = Sample(
        completion=[
            {"role": "assistant", "content": "Earlier."},
            {"role": "user", "content": "Again?"},
            {"role": "assistant", "content": "Now."},
        ],
        prompt=[{"role": "system", "content": "Be careful."}, {"role": "user", "content": "Hi."}],
    )
    assert context_text(chat) == "Be careful.\nHi.\nEarlier.\nAgain?"
    assert context_text(chat, ("user",)) == "Hi.\nAgain?"
    assert context_text(Sample(completion="x", prompt="Question?"), ("user",)) == "Question?"
    assert context_text(Sample(completion="x", prompt="Question?"), ("system",)) == ""
    assert context_text(Sample(completion="x")) == ""


def test_sources_scope_reads_metadata_sources_or_the_prompt():
    rs = ruleset(
        """
        [[rule]]
        id = "cite"
        type = "conditional"
        message = "Cite the sources."
        [rule.when]
        scope = "sources"
        patterns = ["U.S.C."]
        [rule.then]
        type = "must_include"
        patterns = ["U.S.C."]
        """
    )
    with_sources = Sample(completion="Dispute it.", metadata={"sources": ["15 U.S.C. § 1666"]})
    assert "cite" in {f["id"] for f in rs.evaluate(with_sources).fired}
    assert fired(rs, "Dispute it.", "Is 15 U.S.C. § 1666 relevant?")["cite"]["span"] is None
    assert fired(rs, "Dispute it.", "Can I get my money back?") == {}
    assert fired(rs, "Dispute it.") == {}


def test_parts_of_a_condition_may_be_met_in_different_places():
    rs = ruleset(
        """
        [[rule]]
        id = "by-weight"
        type = "conditional"
        message = "Dose children by weight."
        [rule.when]
        scope = "any"
        patterns = ["year old"]
        quantity = ["mass"]
        [rule.then]
        type = "must_include"
        patterns = ["kg", "weight"]
        """
    )
    prompt = "How much ibuprofen can I give my 4 year old?"
    hit = fired(rs, "Give 200 mg every 6 hours.", prompt)["by-weight"]
    assert hit["span"] == [5, 11]  # the amount, the part met in the answer
    assert fired(rs, "Give 10 mg per kg of body weight.", prompt) == {}
    assert fired(rs, "Give 200 mg every 6 hours.", "How much ibuprofen can I take?") == {}
    assert fired(rs, "Ask the pharmacist.", prompt) == {}  # no amount anywhere
    assert "by-weight" in fired(rs, "That's fine.", "My 4 year old took 200 mg of ibuprofen.")
