"""Domain rule packs in TOML: required and forbidden content, sections, conditions, quantities, citations."""

from .base import SEVERITIES, Context, Hit, Rule, fired_record
from .citation_rule import FORMATS as CITATION_FORMATS
from .citation_rule import CitationRule
from .conditional import Condition, Conditional
from .engine import Evaluation, RuleSet
from .errors import RulePackError, RuleTimeout, SchemaError
from .loader import RULE_TYPES, RulePack, build_pack, load_pack, load_pack_source, loads_pack
from .patterns import Pattern
from .quantities import Quantity, find_quantities
from .quantity_rule import QuantityRule
from .scope import SCOPES
from .sources import source_texts
from .substances import SubstanceIndex
from .text_rules import MaxLength, MustInclude, MustNotInclude, Sections
from .turns import context_text
from .units import Amount, unit_info
from .verifier import Rules, resolve_pack

__all__ = [
    "CITATION_FORMATS",
    "RULE_TYPES",
    "SCOPES",
    "SEVERITIES",
    "Amount",
    "CitationRule",
    "Condition",
    "Conditional",
    "Context",
    "Evaluation",
    "Hit",
    "MaxLength",
    "MustInclude",
    "MustNotInclude",
    "Pattern",
    "Quantity",
    "QuantityRule",
    "Rule",
    "RulePack",
    "RulePackError",
    "RuleSet",
    "RuleTimeout",
    "Rules",
    "SchemaError",
    "Sections",
    "SubstanceIndex",
    "build_pack",
    "context_text",
    "find_quantities",
    "fired_record",
    "load_pack",
    "load_pack_source",
    "loads_pack",
    "resolve_pack",
    "source_texts",
    "unit_info",
]
