"""Sets of real numbers in the spellings answers use: named subsets of R, differences, words, conditions."""

from __future__ import annotations

import pytest
from maths_corpus import same


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        # the positive, negative and non-negative reals, in English and French conventions of writing them
        ("(0, \\infty)", "\\mathbb{R}^+", True),
        ("(0, +\\infty)", "\\mathbb{R}^{+}", True),
        ("x > 0", "\\mathbb{R}_{>0}", True),
        ("[0, +\\infty)", "\\mathbb{R}_{\\ge 0}", True),
        ("x \\ge 0", "\\mathbb{R}_0^+", True),
        ("[0, \\infty)", "\\mathbb{R}^+_0", True),
        ("(0, \\infty)", "\\mathbb{R}_+^*", True),
        ("(-\\infty, 0)", "\\mathbb{R}^-", True),
        ("(-\\infty, 0]", "\\mathbb{R}_{\\le 0}", True),
        ("(-\\infty, 5)", "\\mathbb{R}_{<5}", True),
        ("x \\ne 0", "\\mathbb{R}^*", True),
        ("(-\\infty,0)\\cup(0,\\infty)", "\\mathbb{R}_{\\ne 0}", True),
        ("x \\in \\mathbb{R}^+", "(0, \\infty)", True),
        ("[0, \\infty)", "\\mathbb{R}^+", False),  # R^+ leaves 0 out
        ("(0, \\infty)", "\\mathbb{R}_{\\ge 0}", False),
        ("(0, \\infty)", "\\mathbb{R}^-", False),
        ("\\mathbb{R}^2", "(-\\infty, \\infty)", False),  # the plane is not the line
    ],
)
def test_named_subsets_of_the_reals(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("(-\\infty,1)\\cup(1,\\infty)", "\\mathbb{R}\\setminus\\{1\\}", True),
        ("\\mathbb{R}\\setminus\\{1\\}", "(-\\infty,1)\\cup(1,+\\infty)", True),
        ("\\mathbb{R}\\backslash\\{0\\}", "x \\ne 0", True),
        ("x \\ne 1, x \\ne 2", "\\mathbb{R}\\setminus\\{1,2\\}", True),
        ("\\mathbb{R}\\setminus[0,1]", "x<0 \\text{ or } x>1", True),
        ("[0,5]\\setminus\\{2\\}", "[0,2)\\cup(2,5]", True),
        ("[0,5]\\cap(1,9)", "(1,5]", True),
        ("(-\\infty, -2) \\cup (-2, 2) \\cup (2, \\infty)", "x \\ne \\pm 2", True),
        ("x \\ne \\pm 3", "\\mathbb{R}\\setminus\\{-3, 3\\}", True),
        ("\\mathbb{R}\\setminus\\{1\\}", "(-\\infty,1)\\cup[1,\\infty)", False),
        ("\\mathbb{R}\\setminus\\{1\\}", "\\mathbb{R}\\setminus\\{-1\\}", False),
        ("x \\ne \\pm 2", "x \\ne 2", False),
        ("[0,5]\\setminus\\{2\\}", "[0,5]", False),
    ],
)
def test_differences_and_intersections_of_sets(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("\\text{all real numbers}", "\\mathbb{R}", True),
        ("\\text{All real numbers}", "(-\\infty, \\infty)", True),
        ("\\text{all reals}", "\\mathbb{R}", True),
        ("\\text{x can be any real number}", "\\mathbb{R}", True),
        ("\\text{every real number}", "x \\in \\mathbb{R}", True),
        ("\\mathbb{R}", "\\text{the set of real numbers}", True),
        ("\\text{tous les réels}", "\\mathbb{R}", True),
        ("\\text{todos los números reales}", "\\mathbb{R}", True),
        ("\\text{all real numbers}", "x > 0", False),
        ("\\text{all real numbers}", "\\mathbb{R}^+", False),
        ("\\text{all real numbers}", "\\emptyset", False),
    ],
)
def test_the_real_line_in_words(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        # a comma between conditions that together leave a proper subset means "and"
        ("-1<x<1, x\\ne0", "(-1,0)\\cup(0,1)", True),
        ("x > 0, x \\ne 1", "(0,1)\\cup(1,\\infty)", True),
        ("x>0, x<5", "(0,5)", True),
        ("x \\ge -2, x \\ne 1, x \\ne 3", "[-2,1)\\cup(1,3)\\cup(3,\\infty)", True),
        # pieces of a solution listed with a comma stay a union
        ("x < 1, x > 3", "(-\\infty,1)\\cup(3,\\infty)", True),
        ("x \\le -1, x \\ge 3", "x \\le -1 \\text{ or } x \\ge 3", True),
        # "and" joins any number of conditions
        ("x > 0 \\text{ and } x \\ne 1", "(0,1)\\cup(1,\\infty)", True),
        ("x > -3 \\text{ and } x < 3 \\text{ and } x \\ne 0", "(-3,0)\\cup(0,3)", True),
        ("-1<x<1, x\\ne0", "(-1,1)", False),
        ("-1<x<1, x\\ne0", "\\mathbb{R}", False),
        ("x>0, x<5", "(0,5]", False),
    ],
)
def test_conditions_joined_by_a_comma_or_and(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("\\{x \\in \\mathbb{Z} : 1 \\le x \\le 3\\}", "\\{1,2,3\\}", True),
        ("\\{x \\in \\mathbb{Z} \\mid -2 < x < 2\\}", "\\{-1,0,1\\}", True),
        ("\\{n \\in \\mathbb{Z}^+ : n < 4\\}", "\\{1,2,3\\}", True),
        ("\\{n \\in \\mathbb{N} : 2 \\le n < 5\\}", "\\{2, 3, 4\\}", True),
        ("\\{k \\in \\mathbb{Z} : -\\frac{5}{2} \\le k < 0\\}", "\\{-2, -1\\}", True),
        ("\\{x \\in \\mathbb{Z} : 1 \\le x \\le 3\\}", "\\{1,2\\}", False),
        ("\\{x \\in \\mathbb{Z} : 1 \\le x \\le 3\\}", "[1,3]", False),  # integers, not an interval
        ("\\{n \\in \\mathbb{N} : n < 4\\}", "\\{1,2,3\\}", False),  # is 0 natural? not decided for the answer
    ],
)
def test_set_builder_over_the_integers(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("(-\\infty,1)\\cup(3,+\\infty)", "\\{x|x<1或x>3\\}", True),
        ("(-\\infty,1)\\cup(3,+\\infty)", "x<1或x>3", True),
        ("(-\\infty,-1]\\cup[3,+\\infty)", "x \\le -1 或 x \\ge 3", True),
        ("(0,1)\\cup(1,+\\infty)", "\\{x|x>0且x\\neq1\\}", True),
        ("(0,2)", "x>0并且x<2", True),
        ("|m|>2", "m>2或m<-2", True),
        ("\\{1, 2\\}", "x = 1 或者 x = 2", True),
        ("(0,1)\\cup(1,+\\infty)", "\\{x|x>0且x\\neq2\\}", False),
        ("(-\\infty,1)\\cup(3,+\\infty)", "x<1且x>3", False),
    ],
)
def test_chinese_or_and_between_conditions(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("y>2", "x>2", False),
        ("t \\ge 1", "x \\ge 1", False),
        ("1 < y < 3", "1 < x < 3", False),
        ("y \\in (2, \\infty)", "x > 2", False),
        ("a < 0 \\text{ or } a > 1", "x < 0 \\text{ or } x > 1", False),
        ("x>2", "(2,\\infty)", True),  # an interval names no variable
        ("(2, \\infty)", "y > 2", True),
        ("x \\in (2, \\infty)", "x > 2", True),
        ("2 < x", "x > 2", True),
    ],
)
def test_a_different_variable_is_a_different_answer(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("x \\in \\mathbb{R}, x \\ne 1", "(-\\infty,1)\\cup(1,\\infty)", True),
        ("\\mathbb{R} - \\{1\\}", "(-\\infty,1)\\cup(1,\\infty)", True),
        ("\\text{all real numbers except } 1", "(-\\infty,1)\\cup(1,\\infty)", True),
        ("\\text{all reals except } x = 1", "x \\ne 1", True),
        ("\\text{all real numbers except } 1 \\text{ and } 2", "\\mathbb{R}\\setminus\\{1,2\\}", True),
        ("\\text{all reals except } x = \\pm 2", "x \\ne \\pm 2", True),
        ("\\text{all positive real numbers}", "(0,\\infty)", True),
        ("\\text{all non-negative real numbers}", "[0,\\infty)", True),
        ("\\text{all negative reals}", "(-\\infty, 0)", True),
        ("\\text{all real numbers except } 1", "(-\\infty,1)\\cup[1,\\infty)", False),
        ("x \\in \\mathbb{R}, x \\ne 1", "\\mathbb{R}", False),
        ("\\mathbb{R} - \\{1\\}", "\\mathbb{R}", False),
        ("\\text{all positive real numbers}", "[0,\\infty)", False),
    ],
)
def test_the_reals_without_some_points(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("(-\\infty, -1), (3, \\infty)", "(-\\infty,-1)\\cup(3,\\infty)", True),
        ("(-\\infty, -1) \\text{ and } (3, \\infty)", "(-\\infty,-1)\\cup(3,\\infty)", True),
        ("(1,2), (3,4)", "(1,2)\\cup(3,4)", True),
        ("[0,1), [2,3)", "[0,1)\\cup[2,3)", True),
        ("(-\\infty, -1), (3, \\infty)", "(-\\infty,-1)\\cup(2,\\infty)", False),
        ("(1,2), (3,4)", "(1,2)\\cup(3,5)", False),
        # two pairs against two pairs stay points
        ("(1,2), (3,4)", "(3,4), (1,2)", True),
        ("(1,2), (3,4)", "(1,2), (4,3)", False),
    ],
)
def test_a_list_of_intervals_against_their_union(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        ("\\text{empty}", "\\emptyset", True),
        ("\\text{The solution set is empty}", "\\emptyset", True),
        ("\\text{there are no real roots}", "x^2+1=0", True),
        ("\\text{ensemble vide}", "\\emptyset", True),
        ("\\text{no such x}", "\\emptyset", True),
        ("\\text{empty}", "\\text{no solution}", True),
        ("\\text{empty}", "\\{1\\}", False),
        ("\\text{there are no real roots}", "x^2=1", False),
        ("\\text{empty}", "\\text{none of them is true}", False),
    ],
)
def test_the_empty_set_in_words(pred, gold, expected):
    assert same(pred, gold) is expected
