import pytest

from verifiers import Composite, Result, Sample, Status, Term, Verifier


class Fixed(Verifier):
    """Returns a fixed score and status."""

    def __init__(self, name, score, status=Status.PASSED):
        self._name, self.score, self.status = name, score, status

    @property
    def name(self):
        return self._name

    def check(self, sample):
        return Result(self.score, self.status, f"{self._name} says {self.score}")


S = Sample("text")


def test_weighted_sum_and_metric_terms():
    c = Composite([Term(Fixed("a", 1.0), 0.3), Term(Fixed("b", 0.5), 2.0), Term(Fixed("m", 7.0), 0.0)])
    r = c(S)
    assert r.score == pytest.approx(0.3 * 1.0 + 2.0 * 0.5)
    assert set(r.terms) == {"a", "b", "m"}
    assert r.terms["m"].score == 7.0  # reported, not counted
    assert "metrics: m=7" in r.reason


def test_mean_min_product():
    terms = [Term(Fixed("a", 0.5), 2.0), Term(Fixed("b", 1.0), 1.0)]
    assert Composite(terms, "mean")(S).score == pytest.approx((2 * 0.5 + 1.0) / 3)
    assert Composite(terms, "min")(S).score == pytest.approx(min(2 * 0.5, 1.0))
    assert Composite(terms, "product")(S).score == pytest.approx((2 * 0.5) * 1.0)
    assert Composite([Term(Fixed("a", 0.5)), Term(Fixed("b", 0.2))], "product")(S).score == pytest.approx(0.1)


def test_gate_zeroes_term_when_gate_fails():
    fmt_fail = Fixed("format", 0.0, Status.FAILED)
    c = Composite([Term(fmt_fail, 0.2), Term(Fixed("correct", 1.0), 1.0, gate="format", gate_score=-0.5)])
    r = c(S)
    assert r.score == pytest.approx(0.2 * 0.0 + 1.0 * -0.5)
    assert r.terms["correct"].details["gated_by"] == "format"
    assert "gated" in r.reason
    ok = Composite([Term(Fixed("format", 1.0), 0.2), Term(Fixed("correct", 1.0), 1.0, gate="format")])(S)
    assert ok.score == pytest.approx(1.2) and ok.status is Status.PASSED


def test_status_is_worst_counted_status_and_metric_ignored():
    c = Composite([Term(Fixed("a", 1.0)), Term(Fixed("b", 0.0, Status.FAILED)), Term(Fixed("m", 0, Status.ERROR), 0)])
    assert c(S).status is Status.FAILED
    c2 = Composite([Term(Fixed("a", 1.0)), Term(Fixed("t", 0.0, Status.TIMEOUT))])
    assert c2(S).status is Status.TIMEOUT


def test_pass_threshold():
    terms = [Term(Fixed("a", 1.0)), Term(Fixed("b", 0.0, Status.FAILED))]
    assert Composite(terms, pass_threshold=0.5)(S).status is Status.PASSED
    assert Composite(terms, pass_threshold=1.5)(S).status is Status.FAILED


def test_non_finite_term_becomes_error_and_counts_zero():
    r = Composite([Term(Fixed("a", float("inf"))), Term(Fixed("b", 1.0))])(S)
    assert r.score == 1.0 and r.status is Status.ERROR
    assert r.terms["a"].status is Status.ERROR


def test_erroring_term_does_not_crash_composite():
    class Boom(Verifier):
        name = "boom"

        def check(self, sample):
            raise RuntimeError("bad")

    r = Composite([Term(Boom()), Term(Fixed("b", 1.0))])(S)
    assert r.status is Status.ERROR and r.score == 1.0
    assert "RuntimeError: bad" in r.terms["boom"].reason


def test_batch_equals_one_by_one():
    c = Composite([Term(Fixed("format", 1.0), 0.2), Term(Fixed("x", 0.5), 1.0, gate="format")])
    samples = [Sample(str(i)) for i in range(5)]
    assert [r.score for r in c.batch(samples)] == [c(s).score for s in samples]


@pytest.mark.parametrize(
    "terms, message",
    [
        ([], "at least one term"),
        ([Term(Fixed("a", 1)), Term(Fixed("a", 1))], "unique"),
        ([Term(Fixed("a", 1), gate="zzz")], "not a term"),
        ([Term(Fixed("a", 1), gate="b"), Term(Fixed("b", 1))], "must come before"),
        ([Term(Fixed("a", 1), 0)], "weight 0"),
    ],
)
def test_invalid_compositions_are_clear_errors(terms, message):
    with pytest.raises(ValueError, match=message):
        Composite(terms)


def test_unknown_combine():
    with pytest.raises(ValueError, match="combine must be one of"):
        Composite([Fixed("a", 1)], combine="max")
