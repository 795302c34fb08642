"""Adversarial text for the rule engine: very long, binary junk, mixed scripts, random input."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verifiers import Status
from verifiers.rules import Rules, find_quantities

PACK = """\
[pack]
name = "adv"

[[rule]]
id = "safety"
type = "conditional"
message = "m"
[rule.when]
quantity = ["mass", "volume"]
[rule.then]
type = "must_include"
patterns = ["pharmacist"]

[[rule]]
id = "forbidden"
type = "must_not_include"
patterns = ["guaranteed", "完全安全"]
message = "m"

[[rule]]
id = "apap"
type = "quantity"
substances = ["paracetamol", "парацетамол"]
max = "4 g"
basis = "daily"
message = "m"

[[rule]]
id = "layout"
type = "sections"
sections = ["Summary", "Dosing"]
message = "m"

[[rule]]
id = "cite"
type = "citation"
format = "numeric"
grounded = true
message = "m"

[[rule]]
id = "len"
type = "max_length"
max_words = 500
message = "m"
"""


def rules(tmp_path: Path) -> Rules:
    p = tmp_path / "adv.toml"
    p.write_text(PACK, encoding="utf-8")
    return Rules(packs=[str(p)])


def test_very_long_answer_is_checked_quickly(tmp_path):
    r = rules(tmp_path)
    text = "## Summary\nRest.\n## Dosing\n" + "Take paracetamol 500 mg every 6 hours [1]. " * 20_000 + "guaranteed"
    start = time.perf_counter()
    res = r(text)
    assert time.perf_counter() - start < 20
    ids = {f["id"] for f in res.details["fired"]}
    assert ids == {"safety", "forbidden", "len"}
    assert [u["id"] for u in res.details["unchecked"]] == ["cite"]  # no sources given
    forbidden = next(f for f in res.details["fired"] if f["id"] == "forbidden")
    assert text[slice(*forbidden["span"])] == "guaranteed"


def test_binary_junk_gives_a_result(tmp_path):
    r = rules(tmp_path)
    junk = "".join(chr(i) for i in range(0, 0x3000, 7)) + "\x00" * 100 + "5 mg\x00paracetamol\ufeff"
    res = r(junk)
    assert res.status in (Status.PASSED, Status.FAILED)
    assert isinstance(res.details["fired"], list)


def test_mixed_scripts(tmp_path):
    r = rules(tmp_path)
    text = "## Summary\nПарацетамол: принимать 6 g в день. 完全安全!\n## Dosing\nSee [1]."
    res = r(text)
    ids = {f["id"]: f for f in res.details["fired"]}
    assert ids["apap"]["kind"] == "above_max"
    assert text[slice(*ids["forbidden"]["span"])] == "完全安全"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=400)
    | st.from_regex(r"(?:(?:take|paracetamol|mg|g|mcg|every|\d{1,5}|[,.\-/]| |\n|#|\[\d\]))*", fullmatch=True)
)
def test_random_text_never_crashes(tmp_path, text):
    res = rules(tmp_path)(text) if text else rules(tmp_path)("")
    assert res.status in (Status.PASSED, Status.FAILED)
    for f in res.details["fired"]:
        if f["span"] is not None:
            s, e = f["span"]
            assert 0 <= s <= e <= len(text)
    for q in find_quantities(text):
        assert 0 <= q.start < q.end <= len(text)
        assert q.low <= q.high
