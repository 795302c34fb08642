"""Clock times and percentages."""

from __future__ import annotations

import pytest
from maths_corpus import same

from verifiers.maths.clock_times import clock_time
from verifiers.maths.policy import Policy


@pytest.mark.parametrize(
    "text, expected",
    [
        ("19:05", "19:05:00"),
        ("19:05:00", "19:05:00"),
        ("7:05", "07:05:00"),
        ("07:05", "07:05:00"),
        ("7:05 pm", "19:05:00"),
        ("7:05 PM", "19:05:00"),
        ("07:05 P.M.", "19:05:00"),
        ("7:05p.m", "19:05:00"),
        ("7:05 a.m.", "07:05:00"),
        ("7.05pm", "19:05:00"),
        ("7.05 am", "07:05:00"),
        ("7 pm", "19:00:00"),
        ("11am", "11:00:00"),
        ("12:00 pm", "12:00:00"),
        ("12:30 am", "00:30:00"),
        ("12 am", "00:00:00"),
        ("12:00 noon", "12:00:00"),
        ("12 noon", "12:00:00"),
        ("noon", "12:00:00"),
        ("12:00 midnight", "00:00:00"),
        ("midnight", "00:00:00"),
        ("0:00", "00:00:00"),
        ("24:00", "00:00:00"),
        ("23:59:59", "23:59:59"),
    ],
)
def test_clock_times_have_one_spelling(text, expected):
    assert clock_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "7",
        "7.05",
        "19.05",
        "1.5",
        "13 pm",
        "0 am",
        "7:60",
        "25:00",
        "24:30",
        "9:05:61",
        "11:30 noon",
        "7:5",
        "x:05",
        "",
    ],
)
def test_numbers_and_impossible_times_are_no_times(text):
    assert clock_time(text) is None


@pytest.mark.parametrize(
    "pred, gold",
    [
        ("19:05:00", "19:05"),
        ("19:05", "19:05:00"),
        ("07:05 P.M.", "19:05"),
        ("7:05 pm", "19:05"),
        ("7:05 PM", "7:05 p.m."),
        ("7.05pm", "19:05"),
        ("7 pm", "19:00"),
        ("12:00 noon", "12:00"),
        ("noon", "12:00 pm"),
        ("12:00 a.m.", "00:00"),
        ("9:30 am", "09:30"),
        ("3:45", "03:45"),
    ],
)
def test_the_same_time_of_day(pred, gold):
    assert same(pred, gold) is True


@pytest.mark.parametrize(
    "pred, gold",
    [
        ("7:05", "19:05"),  # a 24-hour time without pm is the morning
        ("7:05 am", "19:05"),
        ("19:05:30", "19:05"),
        ("19.05", "19:05"),
        ("12:00 midnight", "12:00"),
        ("12:00 am", "12:00 pm"),
        ("1:30", "1.5"),  # a clock reading is not a number of hours
        ("2:30", "150"),
        ("7", "7 pm"),
        ("19:06", "19:05"),
    ],
)
def test_different_times_and_durations(pred, gold):
    assert same(pred, gold) is False


@pytest.mark.parametrize(
    "pred, gold, expected",
    [
        # Math-Verify's default: a percent equals its value and its number; plain 60 is not 0.6
        ("60\\%", "0.6", True),
        ("0.6", "60\\%", True),
        ("60", "60\\%", True),
        ("60\\%", "60", True),
        ("60", "0.6", False),
        ("0.6", "60", False),
        ("60 percent", "0.6", True),
        ("28 pct", "28\\%", True),
        ("12.5\\%", "\\frac{1}{8}", True),
        ("12.5\\%", "0.125", True),
        ("\\frac{25}{2}\\%", "0.125", True),
        ("50\\%", "\\frac12", True),
        ("33.3\\%", "\\frac13", True),
        ("33\\%", "\\frac13", False),
        ("150\\%", "1.5", True),
        ("0.5\\%", "0.005", True),
        ("60\\%", "0.06", False),
        ("60\\%", "6", False),
        ("-5\\%", "-0.05", True),
    ],
)
def test_percent_default(pred, gold, expected):
    assert same(pred, gold) is expected


@pytest.mark.parametrize(
    "mode, pred, gold, expected",
    [
        ("scaled", "60", "0.6", True),
        ("scaled", "0.6", "60", True),
        ("scaled", "12.5", "\\frac18", True),
        ("scaled", "60\\%", "0.6", True),
        ("scaled", "60", "60\\%", True),
        ("scaled", "6", "0.6", False),
        ("scaled", "60", "0.06", False),
        ("scaled", "60", "61", False),
        ("value", "60", "0.6", False),
        ("value", "60\\%", "0.6", True),
        ("value", "60", "60\\%", False),
        ("ignore", "60\\%", "60", True),
        ("ignore", "60\\%", "0.6", False),
        ("flexible", "60", "0.6", False),
    ],
)
def test_percent_policies(mode, pred, gold, expected):
    assert same(pred, gold, percent=mode) is expected


def test_a_bad_percent_policy_is_a_clear_error():
    with pytest.raises(ValueError, match="percent must be one of"):
        Policy(percent="sometimes")


@pytest.mark.parametrize(
    "completion, gold",
    [
        ("The train arrives at 7:05 PM.", "19:05"),
        ("The train arrives at 7:05 p.m. on Monday", "19:05"),
        ("It ends at 19:05:00.", "19:05"),
        ("He left at 7:05 and came back at 9:30 am.", "9:30"),
        ("The meeting starts at 12:00 noon.", "12:00"),
        ("He arrives at 3 pm.", "15:00"),
        ("He arrives at 3 p.m. sharp", "15:00"),
    ],
)
def test_a_clock_time_in_prose_is_extracted_whole(maths, completion, gold):
    result = maths({"completion": completion, "answer": gold})
    assert result.passed, (result.details.get("extracted"), result.reason)
