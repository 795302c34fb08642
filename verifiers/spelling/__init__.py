"""Spelling penalties with a real dictionary, vocabularies from plugins, and suggestions."""

from .dictionary import Dictionary, load_checker, vocabulary_words
from .masking import mask_text
from .tokens import Policy, Word, split_words
from .verifier import Spelling

__all__ = ["Dictionary", "Policy", "Spelling", "Word", "load_checker", "mask_text", "split_words", "vocabulary_words"]
