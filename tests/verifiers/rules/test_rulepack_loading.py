"""Rule packs load from files, text and plugins; bad packs fail at load time naming the file, line and problem."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import regex

from verifiers import SpecError, hookimpl, load_reward
from verifiers.rules import RulePackError, Rules, load_pack, loads_pack

GOOD = textwrap.dedent(
    """\
    [pack]
    name = "demo"
    description = "a demo pack"
    version = "2"

    [[rule]]
    id = "demo.disclaimer"
    type = "must_include"
    patterns = ["not legal advice"]
    message = "Say it is not legal advice."

    [[rule]]
    id = "demo.no-guarantee"
    type = "must_not_include"
    patterns = ["guaranteed"]
    severity = "warning"
    weight = 0.25
    message = "Never promise an outcome."
    """
)


def write(tmp_path: Path, text: str, name: str = "pack.toml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def load_error(tmp_path: Path, text: str) -> RulePackError:
    path = write(tmp_path, text)
    with pytest.raises(RulePackError) as info:
        load_pack(path)
    assert info.value.source == str(path)
    assert str(info.value).startswith(f"{path}:")
    return info.value


def test_good_pack_loads_with_its_metadata(tmp_path):
    pack = load_pack(write(tmp_path, GOOD))
    assert pack.name == "demo" and pack.version == "2" and pack.description == "a demo pack"
    assert [r.id for r in pack.rules] == ["demo.disclaimer", "demo.no-guarantee"]
    assert pack.rules[1].weight == 0.25 and pack.rules[1].severity == "warning"
    assert pack.rules[0].severity == "error" and pack.rules[0].weight == 1.0
    assert all(r.pack == "demo" for r in pack.rules)


def test_pack_name_defaults_to_the_file_stem(tmp_path):
    pack = load_pack(write(tmp_path, GOOD.replace('name = "demo"\n', ""), "house-style.toml"))
    assert pack.name == "house-style"


def test_toml_syntax_error_names_line_and_column(tmp_path):
    err = load_error(tmp_path, GOOD.replace('patterns = ["guaranteed"]', 'patterns = ["guaranteed"'))
    assert err.line == 16
    assert err.column is not None
    assert "invalid TOML" in err.problem


@pytest.mark.parametrize(
    ("old", "new", "line", "problem"),
    [
        ('type = "must_not_include"', 'type = "must_not_contain"', 14, "'type' must be one of"),
        ('message = "Never promise an outcome."', "", 12, "missing required key 'message'"),
        ('patterns = ["guaranteed"]', 'pattern = ["guaranteed"]', 15, "unknown key 'pattern'"),
        ("weight = 0.25", "weight = -1", 17, "'weight' must be at least 0"),
        ("weight = 0.25", 'weight = "high"', 17, "'weight' must be a number"),
        ('severity = "warning"', 'severity = "fatal"', 16, "'severity' must be one of"),
        ('id = "demo.no-guarantee"', 'id = "demo.disclaimer"', 13, "duplicate rule id"),
        ('id = "demo.no-guarantee"', 'id = "bad id!"', 13, "rule id 'bad id!'"),
        ('patterns = ["guaranteed"]', "patterns = []", 15, "non-empty list"),
        ('version = "2"', 'versoin = "2"', 4, "unknown key 'versoin' for [pack]"),
    ],
)
def test_schema_errors_name_the_line(tmp_path, old, new, line, problem):
    assert old in GOOD
    err = load_error(tmp_path, GOOD.replace(old, new))
    assert err.line == line, str(err)
    assert problem in err.problem, str(err)
    if "\n" not in new:  # the named line is the offending one
        text = GOOD.replace(old, new).splitlines()
        assert new.split("=")[0].strip() in text[line - 1] or "[[rule]]" in text[line - 1]


def test_regex_flag_makes_patterns_regexes(tmp_path):
    err = load_error(tmp_path, GOOD.replace('patterns = ["guaranteed"]', 'patterns = ["a(b"]\nregex = true'))
    assert err.line == 15 and "invalid regex 'a(b'" in err.problem
    # without regex = true the same text is a literal keyword and loads
    load_pack(write(tmp_path, GOOD.replace('patterns = ["guaranteed"]', 'patterns = ["a(b"]'), "ok.toml"))


def test_errors_inside_sub_tables_name_the_key_line(tmp_path):
    text = """\
    [pack]
    name = "cond"

    [[rule]]
    id = "c1"
    type = "conditional"
    message = "m"
    [rule.when]
    patterns = ["dose"]
    quantity = ["weight"]
    [rule.then]
    type = "must_include"
    patterns = ["doctor"]
    """
    err = load_error(tmp_path, text)
    assert err.line == 10 and "unknown dimension 'weight'" in err.problem
    err = load_error(
        tmp_path, text.replace('quantity = ["weight"]', "").replace('type = "must_include"', 'type = "conditional"')
    )
    assert err.line == 12 and "cannot itself be conditional" in err.problem
    err = load_error(tmp_path, text.replace('quantity = ["weight"]', "").replace('type = "must_include"\n', ""))
    assert "missing required key 'type'" in err.problem and err.line == 11


def test_quantity_rule_errors(tmp_path):
    base = """\
    [pack]
    name = "q"

    [[rule]]
    id = "q1"
    type = "quantity"
    substances = ["acetaminophen"]
    min = "10 mg"
    max = "4 gz"
    message = "m"
    """
    err = load_error(tmp_path, base)
    assert err.line == 9 and "unknown unit '4 gz'" in err.problem or "unknown unit 'gz'" in err.problem
    err = load_error(tmp_path, base.replace('"4 gz"', '"5 mg"'))
    assert err.line == 9 and "is above max" in err.problem
    err = load_error(tmp_path, base.replace('"4 gz"', '"5 mL"'))
    assert "different dimensions" in err.problem
    err = load_error(tmp_path, base.replace('min = "10 mg"\n', "").replace('max = "4 gz"\n', ""))
    assert err.line == 4 and "needs 'min', 'max'" in err.problem
    err = load_error(tmp_path, base.replace('"4 gz"', "4"))
    assert "not a number followed by a unit" in err.problem or "must be a string" in err.problem


def test_structural_errors(tmp_path):
    err = load_error(tmp_path, '[pack]\nname = "x"\n')
    assert "no [[rule]] tables" in err.problem
    err = load_error(tmp_path, '[pack]\nname = "x"\n[rule]\nid = "a"\n')
    assert "write [[rule]], not [rule]" in err.problem and err.line == 3
    err = load_error(tmp_path, '[pack]\nname = "x"\n[[rules]]\nid = "a"\n')
    assert "unknown key 'rules'" in err.problem and err.line == 3
    err = load_error(
        tmp_path,
        GOOD.replace('type = "must_include"\n', 'type = "max_length"\n').replace(
            'patterns = ["not legal advice"]\n', ""
        ),
    )
    assert "max_length needs max_words" in err.problem and err.line == 6


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(RulePackError, match="rule pack file not found"):
        load_pack(tmp_path / "nope.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'[pack]\nname = "caf\xe9"\n')
    with pytest.raises(RulePackError, match="cannot read rule pack"):
        load_pack(bad)


def test_text_packs_name_their_source():
    with pytest.raises(RulePackError) as info:
        loads_pack("[pack]\nname='t'\n[[rule]]\nid='a'\ntype='nope'\nmessage='m'\n", source="<rule pack t>")
    assert str(info.value).startswith("<rule pack t>:5:")


def test_multiline_strings_and_arrays_do_not_confuse_line_numbers(tmp_path):
    text = '''\
    [pack]
    name = "ml"

    [[rule]]
    id = "a"
    type = "must_include"
    message = """
    id = "fake"
    [[rule]]
    """
    patterns = [
      "x = 1",
      "y",
    ]

    [[rule]]
    id = "b"
    type = "must_include"
    patterns = ["z"]
    message = "m"
    weight = -2
    '''
    err = load_error(tmp_path, text)
    assert err.line == 21 and "'weight' must be at least 0" in err.problem


def test_bad_pack_fails_when_the_reward_spec_is_loaded(tmp_path, aha_registry):
    pack = write(tmp_path, GOOD.replace("weight = 0.25", "weight = -1"))
    spec = write(
        tmp_path,
        f"""\
    [reward]
    [[reward.terms]]
    verifier = "rules"
    [reward.terms.params]
    packs = ["{pack.as_posix()}"]
    """,
        "reward.toml",
    )
    with pytest.raises(SpecError) as info:
        load_reward(spec)
    assert f"{pack}:17:" in str(info.value)


def test_inline_rule_errors_name_the_rule(aha_registry):
    with pytest.raises(RulePackError, match=r"rule 2 \('b'\), key patterns: 'patterns' must be"):
        Rules(
            rules=[
                {"id": "a", "type": "must_include", "patterns": ["x"], "message": "m"},
                {"id": "b", "type": "must_include", "patterns": 5, "message": "m"},
            ]
        )


class PackPlugin:
    def __init__(self, source):
        self.source = source

    @hookimpl
    def aha_register_rule_packs(self, register):
        register("house", self.source)


def test_packs_from_plugins_as_path_or_text(tmp_path, aha_registry):
    aha_registry.add_plugin(PackPlugin(write(tmp_path, GOOD)), "house-plugin")
    assert Rules(packs="house").packs == ["demo"]
    assert list(aha_registry.rule_packs()) == ["house"]


def test_broken_plugin_pack_fails_on_use_naming_the_pack(aha_registry):
    aha_registry.add_plugin(PackPlugin(GOOD.replace('type = "must_include"', 'type = "nope"')), "bad-pack-plugin")
    with pytest.raises(RulePackError) as info:
        Rules(packs=["house"])
    assert str(info.value).startswith("<rule pack house>:8:")


def test_unknown_pack_lists_the_registered_ones(aha_registry):
    aha_registry.add_plugin(PackPlugin(GOOD), "house-plugin")
    with pytest.raises(RulePackError, match=r"registered packs: house"):
        Rules(packs=["housee"])


BOMB_PACK = """\
    [pack]
    name = "bomb"

    [[rule]]
    id = "ok.rule"
    type = "must_include"
    patterns = ["fine"]
    message = "m"

    [[rule]]
    id = "bomb.rule"
    type = "must_not_include"
    regex = true
    patterns = ['((((a{100}){100}){100}){100})']
    message = "m"
    """


def test_regex_that_would_blow_up_when_compiled_names_file_rule_and_problem(tmp_path, monkeypatch):
    real = regex.compile

    def guarded(pattern, *args, **kwargs):
        assert "{100}){100}){100}" not in pattern, "the bomb reached regex.compile"
        return real(pattern, *args, **kwargs)

    monkeypatch.setattr(regex, "compile", guarded)
    err = load_error(tmp_path, BOMB_PACK)
    assert err.line == 14
    assert "rule 'bomb.rule'" in err.problem
    assert "100,000,000 items" in err.problem and "limit is" in err.problem


def test_memory_error_inside_regex_is_a_pack_error_naming_the_rule(tmp_path, monkeypatch):
    real = regex.compile

    def out_of_memory(pattern, *args, **kwargs):
        if "boom" in pattern:
            raise MemoryError
        return real(pattern, *args, **kwargs)

    monkeypatch.setattr(regex, "compile", out_of_memory)
    err = load_error(tmp_path, BOMB_PACK.replace("((((a{100}){100}){100}){100})", "boom"))
    assert err.line == 14
    assert "rule 'bomb.rule'" in err.problem and "ran out of memory while compiling" in err.problem


def test_inline_rule_bomb_is_refused(aha_registry):
    bomb = {"id": "b", "type": "must_include", "regex": True, "patterns": ["(x{1000}){1000}"], "message": "m"}
    with pytest.raises(RulePackError, match=r"rule 1 \('b'\).*1,000,000 items"):
        Rules(rules=[bomb])


@pytest.mark.parametrize("value, problem", [("1e9", "at most 5"), ("0", "at least 0.001"), ('"1"', "a number")])
def test_regex_timeout_has_a_documented_range(tmp_path, value, problem):
    err = load_error(tmp_path, GOOD.replace('version = "2"', f"regex_timeout = {value}"))
    assert err.line == 4 and problem in err.problem


def test_regex_timeout_at_the_maximum_is_accepted(tmp_path):
    pack = load_pack(write(tmp_path, GOOD.replace('version = "2"', "regex_timeout = 5.0")))
    assert pack.rules[0].patterns[0].timeout == 5.0
