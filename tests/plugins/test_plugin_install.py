"""The legal and medical plugins register through the `aha` entry points, as a third-party install would."""

from __future__ import annotations

import subprocess
import sys

import pytest

from verifiers import Registry

LEGAL = {"legal_citation_format", "legal_grounding", "legal_irac"}
MEDICAL = {"medical_dose_sanity", "medical_interactions"}


def test_entry_points_register_verifiers_packs_and_vocabularies(monkeypatch):
    monkeypatch.delenv("AHA_PLUGINS", raising=False)
    monkeypatch.delenv("AHA_BLOCK_PLUGINS", raising=False)
    reg = Registry.load()
    assert not [f for f in reg.failures if f.plugin in ("legal", "medical")]
    assert LEGAL | MEDICAL <= set(reg.names())
    assert {reg.info(n).plugin for n in LEGAL} == {"legal"}
    assert {reg.info(n).plugin for n in MEDICAL} == {"medical"}
    packs = reg.rule_packs()
    assert packs["legal"][0] == "legal" and packs["medical"][0] == "medical"
    vocab = reg.vocabularies()
    assert "certiorari" in vocab["legal"][1] and "lisinopril" in vocab["medical"][1]
    assert "Xarelto" in vocab["medical"][1]
    for name in LEGAL | MEDICAL:
        assert reg.info(name).doc
        assert reg.create(name).name == name


def test_block_and_allow_lists(monkeypatch):
    monkeypatch.setenv("AHA_BLOCK_PLUGINS", "legal")
    reg = Registry.load()
    assert not LEGAL & set(reg.names()) and MEDICAL <= set(reg.names())
    assert "legal" not in reg.rule_packs()
    monkeypatch.delenv("AHA_BLOCK_PLUGINS")
    monkeypatch.setenv("AHA_PLUGINS", "legal")
    reg = Registry.load()
    assert LEGAL <= set(reg.names()) and not MEDICAL & set(reg.names())


@pytest.mark.parametrize("module", ["plugins.legal", "plugins.medical"])
def test_add_plugin_to_the_test_registry(aha_registry, module):
    assert aha_registry.add_plugin(module, module.split(".")[1])
    assert aha_registry.failures == []
    assert module.split(".")[1] in aha_registry.rule_packs()


def test_loading_the_registry_stays_light():
    code = (
        "import sys; from verifiers import Registry; r = Registry.load(); r.vocabularies(); "
        "print(sorted(m for m in ('pint', 'spellchecker', 'plugins.legal.citations', 'plugins.medical.dosage') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
