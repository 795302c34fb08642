"""The comparison policies of the maths verifier, as one hashable settings object."""

from __future__ import annotations

from dataclasses import asdict, dataclass

PERCENT_POLICIES = ("flexible", "value", "ignore", "scaled")
TOLERANCE_POLICIES = ("precision", "relative", "rounding", "exact")
DEGREE_POLICIES = ("flexible", "value", "ignore")
UNIT_POLICIES = ("auto", "strip", "strict")
ORDER_POLICIES = ("auto", "ordered", "unordered")
RELATION_POLICIES = ("solution_set", "solved")
DOMAIN_POLICIES = ("real", "complex")
FORM_POLICIES = ("auto", "ignore")
DECIMAL_COMMA_POLICIES = ("auto", "never", "always")


@dataclass(frozen=True, slots=True)
class Policy:
    """How answers are read and compared.

    rel_tol: relative tolerance for numeric comparison (0: exact; values within
        `rel_tol * max(|a|, |b|)` are equal; never an absolute tolerance).
    tolerance: how a written decimal (`2.236`, `4.17e-2`, `33.3%`) compares with another value:
        "rounding" (both agree rounded to `float_rounding` decimal places, as Math-Verify),
        "relative" (within `decimal_rel_tol`, as the Qwen/DeepSeek graders), "precision" (either
        of those, or: the decimal has at least 3 significant digits and the other value, which
        has no finite decimal expansion, rounds to it: `0.333` is 1/3, `3.14` is pi), "exact"
        (no tolerance). Values written without a decimal point are compared exactly.
    decimal_rel_tol: the relative tolerance of "precision" and "relative".
    float_rounding: the decimal places of "precision" and "rounding".
    percent: "flexible" (50% equals 0.5 and 50), "value" (50% is 0.5 only), "ignore" (50% is 50),
        "scaled" (as flexible, and a plain number also equals its hundredfold: 60 equals 0.6).
    degrees: "flexible" (30° equals 30 and pi/6), "value" (30° is pi/6 only), "ignore" (30° is 30).
    units: "auto" (both sides with known units: converted with pint; otherwise units stripped),
        "strip" (units always dropped), "strict" (units must be present on both or neither,
        and convertible).
    order: "auto" (tuples and brackets ordered; sets and bare lists unordered), "ordered", "unordered".
    thousands: read `1,000` and `10{,}000` as thousands separators.
    decimal_comma: "auto" (`3,25` is 3.25 when the answer is one number whose comma is no
        thousands separator; `10,000`, `(3,25)` and `1,2,3` keep their reading), "never", "always".
    mixed_numbers: read `2\\frac{1}{2}` and `2 1/2` as 5/2.
    imaginary_unit: read `i` as the imaginary unit.
    match_gold_precision: a decimal gold with k decimals accepts any value that rounds to it.
    vector_as_tuple: a one-row or one-column matrix equals a tuple of the same entries.
    relations: "solution_set" (an equation or inequality in one variable equals any answer with the
        same real solution set: `x^2 = 9` is `x = \\pm 3`, `3 < 3x` is `x > 1`), "solved" (the
        prediction must state the solution: `2x = 6` is not `x = 3`).
    domain: "real" (variables are real: two expressions are equal when they agree wherever both are
        real and defined, so `\\sqrt{x^2}` is `|x|` and `\\frac{1}{\\sqrt{y}}` is `\\sqrt{1/y}`),
        "complex" (principal complex values at sample points of both signs: an identity that
        needs positive variables, such as `\\log(p^3 q) = 3\\log p + \\log q`, fails).
    form: "auto" (when the question asks to factor or expand and the gold answer has that form, the
        prediction must have it too), "ignore" (the form never matters).
    """

    rel_tol: float = 0.0
    tolerance: str = "precision"
    decimal_rel_tol: float = 1e-4
    float_rounding: int = 6
    percent: str = "flexible"
    degrees: str = "flexible"
    units: str = "auto"
    order: str = "auto"
    thousands: bool = True
    decimal_comma: str = "auto"
    mixed_numbers: bool = True
    imaginary_unit: bool = True
    match_gold_precision: bool = False
    vector_as_tuple: bool = True
    relations: str = "solution_set"
    domain: str = "real"
    form: str = "auto"

    def __post_init__(self) -> None:
        for name, allowed in (
            ("percent", PERCENT_POLICIES),
            ("tolerance", TOLERANCE_POLICIES),
            ("degrees", DEGREE_POLICIES),
            ("units", UNIT_POLICIES),
            ("order", ORDER_POLICIES),
            ("relations", RELATION_POLICIES),
            ("domain", DOMAIN_POLICIES),
            ("form", FORM_POLICIES),
            ("decimal_comma", DECIMAL_COMMA_POLICIES),
        ):
            value = getattr(self, name)
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
        if not (0.0 <= float(self.rel_tol) < 1.0):
            raise ValueError(f"rel_tol must be in [0, 1), got {self.rel_tol!r}")
        object.__setattr__(self, "rel_tol", float(self.rel_tol))
        if not (0.0 <= float(self.decimal_rel_tol) < 1.0):
            raise ValueError(f"decimal_rel_tol must be in [0, 1), got {self.decimal_rel_tol!r}")
        object.__setattr__(self, "decimal_rel_tol", float(self.decimal_rel_tol))
        if int(self.float_rounding) != self.float_rounding or not 0 <= self.float_rounding <= 30:
            raise ValueError(f"float_rounding must be an integer from 0 to 30, got {self.float_rounding!r}")
        object.__setattr__(self, "float_rounding", int(self.float_rounding))

    def to_dict(self) -> dict:
        """The settings as a plain dict."""
        return asdict(self)
