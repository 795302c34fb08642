"""Function names written as text, the ohm sign as a unit, Greek letters typed in Unicode."""

from __future__ import annotations

import pytest

from verifiers.maths.compare import judge
from verifiers.maths.policy import Policy
from verifiers.maths.symbolic import SympyBackend

P = Policy()
B = SympyBackend(P)


def same(pred: str, gold: str, policy: Policy = P) -> bool | None:
    return judge(pred, gold, policy, B if policy is P else SympyBackend(policy)).equal


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("\\text{lcm}(4, 6)", "12", True),
        ("\\text{LCM}(4, 6)", "12", True),
        ("\\mathrm{lcm}(4,6)", "12", True),
        ("\\operatorname{LCM}(4, 6)", "12", True),
        ("\\text{gcd}(12, 18)", "6", True),
        ("\\mathrm{GCD}(12,18)", "6", True),
        ("\\text{max}(3, 7)", "7", True),
        ("\\mathrm{sin}(0)", "0", True),
        ("\\text{lcm}(4, 6)", "24", False),
        ("\\text{gcd}(12, 18)", "3", False),
        ("\\text{lcm}", "12", False),  # a name alone is text
    ],
)
def test_function_names_written_as_text(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("4\\,\\Omega", "4", True),
        ("4 \\Omega", "4 \\text{ ohms}", True),
        ("4Ω", "4 \\text{ ohm}", True),
        ("12\\ \\Omega", "12", True),
        ("2\\,k\\Omega", "2000 \\text{ ohms}", True),
        ("1.5 k\\Omega", "1500 \\Omega", True),
        ("4\\,\\Omega", "5", False),
        ("2 k\\Omega", "2 \\text{ ohms}", False),
        ("2\\Omega + 1", "3", False),  # inside an expression Omega stays a letter
    ],
)
def test_the_ohm_sign_is_a_unit(pred, gold, expected):
    assert same(pred, gold) is expected


def test_ohms_convert_only_with_strict_units():
    strict = Policy(units="strict")
    assert same("2\\,k\\Omega", "2000 \\text{ ohms}", strict) is True
    assert same("4\\,\\Omega", "4", strict) is False


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("α + 1", "\\alpha + 1", True),
        ("2θ", "2\\theta", True),
        ("λ^2", "\\lambda^2", True),
        ("Δx", "\\Delta x", True),
        ("α + 1", "\\beta + 1", False),
    ],
)
def test_greek_letters_typed_in_unicode(pred, gold, expected):
    assert same(pred, gold) is expected
