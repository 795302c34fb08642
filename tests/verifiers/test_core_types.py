import pickle

import pytest

from verifiers import Result, Sample, Status, Verifier, verifier
from verifiers.base import FunctionVerifier


def test_sample_text_from_messages_uses_assistant_turns():
    s = Sample(
        completion=[
            {"role": "user", "content": "ignored"},
            {"role": "assistant", "content": "first"},
            {"role": "assistant", "content": [{"type": "text", "text": "second"}, {"type": "image"}]},
        ]
    )
    assert s.text == "first\nsecond"


def test_sample_from_row_keeps_other_columns_as_metadata():
    s = Sample.from_row({"completion": "x", "answer": "1", "prompt": "p", "category": "alg", "id": 3})
    assert (s.completion, s.answer, s.prompt) == ("x", "1", "p")
    assert s.metadata == {"category": "alg", "id": 3}


def test_sample_from_row_without_completion_names_the_field():
    with pytest.raises(KeyError, match="'completion'"):
        Sample.from_row({"answer": "1"})
    with pytest.raises(TypeError, match="must be a string"):
        Sample.from_row({"completion": 5})


def test_result_round_trip_keeps_terms():
    inner = Result(1.0, Status.PASSED, "ok", {"x": 1}, "a", 0.1)
    outer = Result(0.5, "failed", "mixed", {}, "reward", 0.2, terms={"a": inner})
    back = Result.from_dict(outer.to_dict())
    assert back == outer
    assert back.status is Status.FAILED
    assert [n for n, _ in back.iter_terms()] == ["a"]


class Boom(Verifier):
    """Always raises."""

    name = "boom"

    def check(self, sample):
        raise ZeroDivisionError("nope")


def test_exception_becomes_error_result_with_reason():
    r = Boom()("anything")
    assert r.status is Status.ERROR
    assert "ZeroDivisionError: nope" in r.reason
    assert r.verifier == "boom" and r.elapsed >= 0


def test_check_returning_wrong_type_is_an_error():
    class Bad(Verifier):
        name = "bad"

        def check(self, sample):
            return 1.0

    r = Bad()("x")
    assert r.status is Status.ERROR and "not Result" in r.reason


def test_function_verifier_maps_bool_and_numbers():
    @verifier(name="has_x")
    def has_x(sample):
        """Contains an x."""
        return "x" in sample.text

    assert has_x("axe").passed and not has_x("abc").passed
    assert has_x.doc == "Contains an x."
    nan = FunctionVerifier(lambda s: float("nan"), name="nan")("a")
    assert nan.status is Status.ERROR and "NaN" in nan.reason


def test_doc_is_first_docstring_line():
    assert Boom().doc == "Always raises."


def test_builtin_verifiers_pickle(aha_registry):
    for name in ["exact_match", "multiple_choice", "think_answer_format", "ngram_repetition", "overlong_penalty"]:
        v = aha_registry.create(name)
        clone = pickle.loads(pickle.dumps(v))
        assert clone("<answer>42</answer>").to_dict()["status"] == v("<answer>42</answer>").status.value
    rx = aha_registry.create("regex_match", pattern=r"\d+")
    assert pickle.loads(pickle.dumps(rx))("abc 12").passed


def test_a_non_finite_score_is_an_error_on_every_path():
    from reliability_plugin import NanScore

    from verifiers import Scorer, compose
    from verifiers.summary import ScoreStats

    direct = NanScore()("x")
    assert direct.status is Status.ERROR and direct.score == 0.0
    assert direct.details["non_finite_score"] == "nan" and "non-finite score" in direct.reason
    inf = NanScore()("INF")
    assert inf.status is Status.ERROR and inf.details["non_finite_score"] == "inf"
    assert Result(float("-inf"), Status.PASSED).status is Status.ERROR
    composite = compose(NanScore(), FunctionVerifier(lambda s: 1.0, name="one"))
    batch = composite.batch(["x", "INF"])
    assert [r.score for r in batch] == [1.0, 1.0] and all(r.status is Status.ERROR for r in batch)
    stats = ScoreStats()
    for r in [*batch, direct, *Scorer(NanScore(), workers=2, chunk_size=1).score(["x", "y"])]:
        stats.add(r)
    assert stats.mean_reward == stats.mean_reward and stats.statuses == {"error": 5}
