"""The `medical` plugin for aha: dose sanity, interaction warnings, a safety rule pack, drug-name vocabulary."""

from __future__ import annotations

from pathlib import Path

from verifiers import hookimpl

HERE = Path(__file__).parent
RULE_PACK = HERE / "medical_rules.toml"

VERIFIERS = [
    (
        "plugins.medical.dosage:DoseSanity",
        "medical_dose_sanity",
        "Doses of common drugs stay within adult daily maxima (sourced table, units through pint); mg/mcg mix-ups caught.",
    ),
    (
        "plugins.medical.interactions:DrugInteractions",
        "medical_interactions",
        "Well-known dangerous drug pairs (warfarin with NSAIDs, SSRIs with MAOIs...) are not recommended without a warning.",
    ),
]


@hookimpl
def aha_register_verifiers(register):
    """Register the medical verifiers (imported on first use)."""
    for target, name, doc in VERIFIERS:
        register(target, name=name, doc=doc)


@hookimpl
def aha_register_rule_packs(register):
    """Register the `medical` rule pack."""
    register("medical", RULE_PACK)


@hookimpl
def aha_register_vocabularies(register):
    """Register drug names (generic and brand) for the spelling verifier (the tables load on first use)."""
    register("medical", "plugins.medical.tables:drug_vocabulary")
