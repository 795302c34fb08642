import pytest

from verifiers import Sample, Status, create
from verifiers.answer_markers import boxed, boxed_all, extract_answer, final_answer_phrase, last_number, tag


# -- extraction -------------------------------------------------------------------------
def test_boxed_nested_braces_and_last():
    text = r"first \boxed{1} then \boxed{\frac{a}{b^{2}}} and \fbox{x}"
    assert boxed_all(text) == ["1", r"\frac{a}{b^{2}}", "x"]
    assert boxed(text) == "x" and boxed(text, which="first") == "1"


def test_boxed_unbalanced_is_ignored_and_deep_nesting_is_linear():
    assert boxed(r"\boxed{1 + {2") is None
    deep = r"\boxed{" + "{" * 10000 + "}" * 10000 + "}"
    assert boxed(deep) == "{" * 10000 + "}" * 10000


def test_tags_phrases_numbers():
    assert tag("<answer> 5 </answer> <answer>6</answer>") == "6"
    assert tag("<ANSWER>x</ANSWER>") == "x"
    assert final_answer_phrase("So the final answer is 3.5. Done") == "3.5"
    assert final_answer_phrase("Answer: $x^2$ as shown") == "x^2"
    assert final_answer_phrase("no phrase") is None
    assert last_number("costs 1,234.50 or \u22123 units") == "-3"
    assert last_number("x1 y2") is None
    assert last_number("we get 12.") == "12"


@pytest.mark.parametrize(
    "text, number",
    [
        ("1,2345", "2345"),  # not a thousands group: two numbers
        ("then - and + alone", None),  # a sign is not a number
        ("so e5", "e5"),  # an exponent alone counts, as it always has
        ("take .5 or -.25", "-.25"),
        ("1.5e-3 units", "1.5e-3"),
        ("v2 and 3x", None),  # digits inside words are not numbers
        ("2.5.6", "2.5"),
        ("a \u22124 b", "-4"),
    ],
)
def test_last_number_edge_cases(text, number):
    assert last_number(text) == number


def test_answer_phrases_in_any_case():
    assert final_answer_phrase("THE ANSWER IS 9") == "9"
    assert final_answer_phrase("Final Answer = 4. More") == "4"
    assert final_answer_phrase("reanswer: 5") == "5"  # as before: the phrase may end a longer word


def test_tag_pattern_is_compiled_once_per_name(monkeypatch):
    import re

    tag("<answer>1</answer>")
    calls = []
    real = re.compile
    monkeypatch.setattr(re, "compile", lambda *a, **k: calls.append(a) or real(*a, **k))
    for i in range(50):
        assert tag(f"<answer>{i}</answer>") == str(i)
    assert calls == []


def test_bare_boxed_and_text_without_markup():
    assert boxed("so \\boxed 7$ done") == "7"
    assert boxed("no box here") is None and tag("no tags here") is None


def test_extract_order_and_unknown_strategy():
    assert extract_answer(r"<answer>1</answer> \boxed{2}") == ("2", "boxed")
    assert extract_answer("answer: 4 but 5", ("tag", "phrase")) == ("4 but 5", "phrase")
    with pytest.raises(ValueError, match="unknown extraction strategy"):
        extract_answer("x", ("magic",))


# -- exact match -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "completion, gold, ok",
    [
        ("The answer is 0.50", ".5", True),
        (r"\boxed{1,000}", "1000", True),
        (r"so $\boxed{10{,}000}$", "10000", True),
        ("Answer: PARIS.", "Paris", True),
        ("<answer>ﬁnal</answer>", "final", True),  # NFKC ligature
        ("<answer>  new   york </answer>", "New York", True),
        ("The answer is 0.51", "0.5", False),
        ("Answer: Lyon", "Paris", False),
        ("I computed 12 then 13", "13", True),  # last number fallback for numeric gold
        ("I computed 13 then 12", "13", False),
        ("answer: 1e3", "1000", True),
        ("answer: -7", "\u22127", True),
        ("answer: 3/4", "0.75", True),
    ],
)
def test_exact_match_tricky(completion, gold, ok):
    r = create("exact_match")(Sample(completion, answer=gold))
    assert r.passed is ok, r.reason


def test_exact_match_multiple_golds_and_missing_gold():
    v = create("exact_match")
    assert v(Sample("answer: NYC", answer=["New York", "NYC"])).passed
    r = v(Sample("answer: 3", answer=None))
    assert r.status is Status.UNVERIFIABLE and "no gold" in r.reason
    assert v(Sample("", answer="3")).status is Status.FAILED


def test_exact_match_case_sensitive():
    assert not create("exact_match", case_sensitive=True)(Sample("answer: paris", answer="Paris")).passed


# -- multiple choice ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "completion, gold, ok",
    [
        ("I pick (B).", "B", True),
        ("Answer: b", "B", True),
        ("Reasoning... the answer is B.", "(B)", True),
        (r"\boxed{C}", "C", True),
        ("A good start. Answer: D", "D", True),  # article "A" is not an answer
        ("The answer is option C", "C", True),
        ("C", "C", True),
        ("B) because", "B", True),
        ("Either (A) or (C), hard to say", "A", False),  # ambiguous
        ("I have no idea", "A", False),
        ("Answer: E", "B", False),
    ],
)
def test_multiple_choice(completion, gold, ok):
    r = create("multiple_choice", choices="ABCDE")(Sample(completion, answer=gold))
    assert r.passed is ok, r.reason


def test_multiple_choice_bad_gold_is_unverifiable():
    r = create("multiple_choice", choices="ABCD")(Sample("Answer: A", answer="Z"))
    assert r.status is Status.UNVERIFIABLE


# -- regex -------------------------------------------------------------------------------
def test_regex_modes_and_gold_pattern():
    assert create("regex_match", pattern=r"\d{3}")("code 123").passed
    assert not create("regex_match", pattern=r"\d{3}", mode="fullmatch")("code 123").passed
    assert create("regex_match", flags=["ignorecase"], pattern="yes")("YES").passed
    assert create("regex_match")(Sample("id-42", answer=r"id-\d+")).passed
    assert create("regex_match", target="answer", pattern="^7$", mode="fullmatch")("blah <answer>7</answer>").passed


def test_regex_bad_pattern_and_catastrophic_backtracking():
    with pytest.raises(Exception, match="invalid regex"):
        create("regex_match", pattern="(")
    r = create("regex_match", pattern=r"^(a+)+$", timeout=0.2)("a" * 40 + "b")
    assert r.status in (Status.TIMEOUT, Status.FAILED)
    assert create("regex_match")(Sample("x", answer="(")).status is Status.ERROR


# -- reasoning format ----------------------------------------------------------------------
GOOD = "<think>\nstep one\n</think>\n<answer>\n42\n</answer>"


@pytest.mark.parametrize(
    "mode, text, ok",
    [
        ("strict", GOOD, True),
        ("strict", "<think>step</think><answer>42</answer>", False),
        ("soft", "<think>step</think> <answer>42</answer>", True),
        ("soft", "<think>a</think><think>b</think><answer>1</answer>", False),
        ("soft", "<answer>1</answer><think>a</think>", False),
        ("soft", "<think>a</think><answer>1</answer> trailing", False),
        ("soft", "no tags", False),
    ],
)
def test_think_answer_format(mode, text, ok):
    r = create("think_answer_format", mode=mode)(text)
    assert r.passed is ok, r.reason


def test_partial_credit_per_tag():
    v = create("think_answer_format", mode="partial")
    assert v(GOOD).score == 1.0
    assert v("<think>a</think> 42").score == pytest.approx(0.5)
    assert v("<think>a</think><answer>1").score == pytest.approx(0.75)
    assert v("<answer>1</answer><think>a</think>").score == pytest.approx(0.75)  # out of order
    assert v("").score == 0.0


def test_prompt_opens_think():
    v = create("think_answer_format", mode="soft", prompt_opens_think=True)
    assert v("reasoning</think><answer>1</answer>").passed


# -- length and repetition ----------------------------------------------------------------
def test_overlong_penalty_dapo_shape():
    v = create("overlong_penalty", max_length=100, buffer=20)
    tok = lambda n: Sample("x", metadata={"completion_tokens": n})  # noqa: E731
    assert v(tok(80)).score == 0.0 and v(tok(80)).passed
    assert v(tok(90)).score == pytest.approx(-0.5)
    assert v(tok(100)).score == pytest.approx(-1.0)
    assert v(tok(150)).score == -1.0
    words = create("overlong_penalty", max_length=4, buffer=2, unit="words")
    assert words("a b c").score == pytest.approx(-0.5)
    with pytest.raises(Exception, match="buffer"):
        create("overlong_penalty", max_length=10, buffer=20)


def test_cosine_length_prefers_short_correct_and_long_wrong():
    v = create("cosine_length", max_length=100)
    right = lambda n: v(Sample("<answer>5</answer>", answer="5", metadata={"completion_tokens": n}))  # noqa: E731
    wrong = lambda n: v(Sample("<answer>6</answer>", answer="5", metadata={"completion_tokens": n}))  # noqa: E731
    assert right(0).score == pytest.approx(1.0) and right(100).score == pytest.approx(0.5)
    assert right(10).score > right(90).score
    assert wrong(0).score == pytest.approx(-1.0) and wrong(100).score == pytest.approx(-0.5)
    assert wrong(10).score < wrong(90).score
    assert v(Sample("x", answer=None)).status is Status.UNVERIFIABLE


def test_ngram_repetition():
    v = create("ngram_repetition", ngram_size=2)
    assert v("a b c d").score == 0.0
    rep = v("go go go go go")  # 4 bigrams, 1 distinct
    assert rep.score == pytest.approx(-0.75) and not rep.passed
    assert v("short").score == 0.0
