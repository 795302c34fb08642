"""Play the `calculator_arithmetic` environment with a stand-in model and write the transcripts.

    python examples/environments/calculator_episodes.py -o transcripts.jsonl
    aha score -r exact_match -i transcripts.jsonl -o scored.jsonl

The stand-in model adds without carrying (`37+45` -> `72`) unless it calls the calculator tool,
which it does for every other question; swap `careless_adder` for a real model's chat call.
The environment comes from the sample plugin in examples/aha-plugin-wordcount (installed, or
found next to this script).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from verifiers import Registry, Sample
from verifiers.environments import format_tool_call, run_episode

PLUGIN_SRC = Path(__file__).resolve().parents[1] / "aha-plugin-wordcount"


def careless_adder(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> str:
    """A stand-in model: repeats a tool result, calls the calculator on even first operands, else adds digit-wise."""
    if messages[-1]["role"] == "tool":
        return messages[-1]["content"]
    a, b = (int(x) for x in re.findall(r"\d+", messages[-1]["content"])[:2])
    if a % 2 == 0:
        return format_tool_call("calculator", {"a": a, "b": b, "op": "+"})
    return str((a // 10 + b // 10) % 10 * 10 + (a + b) % 10)  # forgets the carry


def registry() -> Registry:
    """The registry with installed plugins, plus the sample plugin from this repository when it is not installed."""
    reg = Registry.load()
    if "calculator_arithmetic" not in reg.environment_names():
        sys.path.insert(0, str(PLUGIN_SRC))
        import aha_wordcount

        reg.add_plugin(aha_wordcount, "wordcount")
    return reg


def main() -> None:
    """Play one episode per question and write one transcript row per episode."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=Path("transcripts.jsonl"))
    parser.add_argument("-n", type=int, default=20, help="number of questions")
    args = parser.parse_args()
    env = registry().create_environment("calculator_arithmetic")
    total = 0.0
    with args.output.open("w", encoding="utf-8") as f:
        for i in range(args.n):
            a, b = 10 + (7 * i) % 90, 10 + (13 * i + 5) % 90
            sample = Sample("", prompt=f"{a}+{b}=", answer=str(a + b))
            episode = run_episode(env, sample, careless_adder)
            total += episode.reward
            f.write(json.dumps(episode.to_row(sample), ensure_ascii=False) + "\n")
    print(f"{args.n} episodes, mean reward {total / args.n:.2f}, transcripts in {args.output}")


if __name__ == "__main__":
    main()
