"""A sample third-party aha plugin: a word-count verifier and a calculator-tool arithmetic environment."""

from __future__ import annotations

from verifiers import Result, Sample, Verifier, hookimpl


class WordCount(Verifier):
    """The completion's word count lies between min_words and max_words."""

    name = "word_count"

    def __init__(self, min_words: int = 1, max_words: int = 200):
        if min_words < 0 or max_words < min_words:
            raise ValueError(f"need 0 <= min_words <= max_words, got {min_words}, {max_words}")
        self.min_words = min_words
        self.max_words = max_words

    def check(self, sample: Sample) -> Result:
        """Count whitespace-separated words."""
        n = len(sample.text.split())
        if self.min_words <= n <= self.max_words:
            return self.passed(f"{n} words, within {self.min_words}-{self.max_words}", words=n)
        return self.failed(f"{n} words, outside {self.min_words}-{self.max_words}", words=n)


@hookimpl
def aha_register_verifiers(register):
    """Register the plugin's verifier."""
    register(WordCount)


@hookimpl
def aha_register_environments(register):
    """Register the plugin's environment (its module is imported only when it is first created)."""
    register(
        "aha_wordcount.calculator:CalculatorArithmetic",
        name="calculator_arithmetic",
        doc="Arithmetic questions the model may answer with the help of a calculator tool.",
    )
