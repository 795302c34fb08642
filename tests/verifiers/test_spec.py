import pytest

from verifiers import Composite, SpecError, load_reward

SPEC = """
[reward]
combine = "sum"

[[reward.terms]]
name = "format"
verifier = "think_answer_format"
weight = 0.25
[reward.terms.params]
mode = "strict"

[[reward.terms]]
name = "correct"
verifier = "exact_match"
gate = "format"

[[reward.terms]]
verifier = "ngram_repetition"
weight = 0
"""

GOOD = "<think>\nsteps\n</think>\n<answer>\n12\n</answer>"


def write(tmp_path, text, name="r.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_toml_spec_builds_composite(tmp_path, aha_registry):
    reward = load_reward(str(write(tmp_path, SPEC)))
    assert isinstance(reward, Composite)
    assert [t.key for t in reward.terms] == ["format", "correct", "ngram_repetition"]
    r = reward({"completion": GOOD, "answer": "12"})
    assert r.score == pytest.approx(1.25) and r.passed
    bad = reward({"completion": "12", "answer": "12"})
    assert bad.score == 0.0 and bad.terms["correct"].details["gated_by"] == "format"


def test_name_with_parameters(aha_registry):
    v = load_reward("regex_match:pattern='^a+$',mode='fullmatch'")
    assert v("aaa").passed and not v("aab").passed


def test_single_verifier_table():
    v = load_reward({"verifier": "multiple_choice", "params": {"choices": "ABC"}})
    assert v({"completion": "Answer: C", "answer": "C"}).passed


def test_nested_terms():
    v = load_reward(
        {
            "combine": "min",
            "terms": [
                {"name": "inner", "combine": "sum", "terms": [{"verifier": "exact_match"}]},
                {"verifier": "ngram_repetition", "weight": 0},
            ],
        }
    )
    assert v({"completion": "<answer>3</answer>", "answer": "3"}).score == 1.0


@pytest.mark.parametrize(
    "text, message",
    [
        ("[reward\n", "invalid TOML"),
        ("[reward]\ncombine='sum'\n", "non-empty"),
        ("[[reward.terms]]\nverifier='nope'\n", "no verifier named 'nope'.*known: .*exact_match"),
        ("[[reward.terms]]\nverifier='exact_match'\nwieght=2\n", "unknown key.*wieght"),
        ("[[reward.terms]]\nverifier='exact_match'\nweight='x'\n", "weight must be a number"),
        ("[[reward.terms]]\nverifier='exact_match'\n[reward.terms.params]\nbogus=1\n", "bad parameters.*bogus"),
        ("[[reward.terms]]\nverifier='think_answer_format'\n[reward.terms.params]\nmode='loose'\n", "mode must be"),
        ("[reward]\ncombine='max'\n[[reward.terms]]\nverifier='exact_match'\n", "combine must be one of"),
        ("[[reward.terms]]\nverifier='exact_match'\ngate='fmt'\n", "not a term"),
    ],
)
def test_bad_specs_name_file_and_problem(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(SpecError, match=message) as info:
        load_reward(str(path))
    assert str(path) in str(info.value)


def test_missing_file():
    with pytest.raises(SpecError, match="not found"):
        load_reward("does/not/exist.toml")


def test_unknown_name():
    with pytest.raises(SpecError, match="no verifier named 'exactmatch'"):
        load_reward("exactmatch")
