"""A sample environment: two-number arithmetic with a calculator tool, rewarded by `exact_match`."""

from __future__ import annotations

from typing import Literal

from verifiers.environments import ToolEnvironment


def calculator(a: int, b: int, op: Literal["+", "-", "*"] = "+") -> int:
    """Compute a op b exactly.

    Args:
        a: The left operand.
        b: The right operand.
        op: The operation: "+", "-" or "*".
    """
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    return a * b


class CalculatorArithmetic(ToolEnvironment):
    """Arithmetic questions the model may answer with the help of a calculator tool."""

    name = "calculator_arithmetic"
    default_tools = (calculator,)
    reward_spec = "exact_match"
    default_max_turns = 4
    system_prompt = "Answer with the number only."

    def __init__(self, tools_in_prompt: bool = True, **options):
        super().__init__(tools_in_prompt=tools_in_prompt, **options)
