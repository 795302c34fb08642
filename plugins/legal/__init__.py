"""The `legal` plugin for aha: US citation format, grounding in sources, IRAC structure, a rule pack, vocabulary."""

from __future__ import annotations

from pathlib import Path

from verifiers import hookimpl

HERE = Path(__file__).parent
RULE_PACK = HERE / "legal_rules.toml"
TERMS = HERE / "legal_terms.txt"

VERIFIERS = [
    (
        "plugins.legal.format_check:CitationFormat",
        "legal_citation_format",
        "US case citations (volume, reporter, page, court, year) and statutes (42 U.S.C. § 1983) are well formed.",
    ),
    (
        "plugins.legal.grounding:Grounding",
        "legal_grounding",
        "Every case, statute, section, Act and law report cited (any country) appears in the sources (nothing invented).",
    ),
    (
        "plugins.legal.irac:Irac",
        "legal_irac",
        "The answer has Issue, Rule, Application and Conclusion sections (headings or labels), in order.",
    ),
]


def legal_terms() -> list[str]:
    """The bundled legal vocabulary, one entry per line (comments dropped)."""
    lines = TERMS.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@hookimpl
def aha_register_verifiers(register):
    """Register the legal verifiers (imported on first use)."""
    for target, name, doc in VERIFIERS:
        register(target, name=name, doc=doc)


@hookimpl
def aha_register_rule_packs(register):
    """Register the `legal` rule pack."""
    register("legal", RULE_PACK)


@hookimpl
def aha_register_vocabularies(register):
    """Register legal terms for the spelling verifier."""
    register("legal", legal_terms())
