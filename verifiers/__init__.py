"""aha verifiers: composable, plugin-discoverable reward functions that say why they scored."""

from .answer_markers import boxed, extract_answer, final_answer_phrase, last_number, tag
from .base import FunctionVerifier, Verifier, verifier
from .compose import Composite, Term, compose
from .hookspecs import hookimpl, hookspec
from .registry import (
    EnvironmentInfo,
    PluginFailure,
    PluginWarning,
    Registry,
    RegistryError,
    UnknownVerifier,
    VerifierInfo,
    VerifierNameClash,
    create,
    get_registry,
    set_registry,
)
from .result import Result, Status
from .sample import Sample
from .scoring import Scorer, score
from .spec import SpecError, build_reward, load_reward, load_reward_file

# The one place the version is written: pyproject.toml reads it, everything else imports it or asks importlib.metadata.
__version__ = "0.1.0"

# Submodules reachable as attributes (`verifiers.trl.reward_function`) but imported only when first used,
# so `import verifiers` stays light.
_LAZY_SUBMODULES = frozenset({"environments", "evaluation", "isolation", "maths", "rules", "spelling", "trl"})


def __getattr__(name: str):
    """Import a lazy submodule on first attribute access."""
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Composite",
    "EnvironmentInfo",
    "FunctionVerifier",
    "PluginFailure",
    "PluginWarning",
    "Registry",
    "RegistryError",
    "Result",
    "Sample",
    "Scorer",
    "SpecError",
    "Status",
    "Term",
    "UnknownVerifier",
    "Verifier",
    "VerifierInfo",
    "VerifierNameClash",
    "boxed",
    "build_reward",
    "compose",
    "create",
    "extract_answer",
    "final_answer_phrase",
    "get_registry",
    "hookimpl",
    "hookspec",
    "last_number",
    "load_reward",
    "load_reward_file",
    "score",
    "set_registry",
    "tag",
    "verifier",
]
