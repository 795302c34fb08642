"""The published benchmark results in machine-readable form: bench/results/*.json, one per benchmark.

Each file holds the tables of docs/benchmarks.md for one benchmark, cell for cell (plain numbers as numbers,
everything else as its text), each with the command, machine and date it was measured with:

    {"benchmark": "score-throughput",            # its name in bench/run.py, or null
     "tables": [{"section": "...", "index": 0,   # the docs section (## heading) and which table in it
                 "caption": "...", "command": "...", "machine": "...", "date": "...",
                 "columns": [...], "rows": [[...], ...]}]}

    python bench/results.py check          # every JSON table equals its table in docs/benchmarks.md
    python bench/results.py sync [NAME]    # after editing a table in the docs: copy it into the JSON
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
RESULTS = ROOT / "bench" / "results"
NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?(?:e-?\d+)?")


def cell(text: str) -> str | int | float:
    """A table cell: a plain number as a number (thousands commas dropped), anything else as text, bold removed."""
    text = text.strip().replace("**", "")
    if NUMBER.fullmatch(text):
        plain = text.replace(",", "")
        return float(plain) if any(c in plain for c in ".e") else int(plain)
    return text


def split_row(line: str) -> list[str]:
    """The cells of a Markdown table line (a `|` inside backticks does not split)."""
    cells, current, code = [], "", False
    for char in line.strip().strip("|"):
        if char == "`":
            code = not code
        if char == "|" and not code:
            cells.append(current)
            current = ""
        else:
            current += char
    return [*cells, current]


def sections(markdown: str) -> dict[str, str]:
    """The text under each `## ` heading, by heading."""
    out: dict[str, str] = {}
    heading = ""
    for line in markdown.splitlines(keepends=True):
        if line.startswith("## "):
            heading = line[3:].strip()
            out[heading] = ""
        elif heading:
            out[heading] += line
    return out


def tables(text: str) -> list[dict]:
    """The Markdown tables in a text, in order: columns and rows of cells."""
    found, block = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if len(block) >= 2 and set(block[1].replace("|", "").strip()) <= set("-: "):
            rows = [[cell(c) for c in split_row(r)] for r in block[2:]]
            found.append({"columns": [str(cell(c)) for c in split_row(block[0])], "rows": rows})
        block = []
    return found


def docs_table(docs: dict[str, str], section: str, index: int) -> dict:
    """Table number `index` of a docs section; a clear error if either is gone."""
    if section not in docs:
        raise KeyError(f"docs/benchmarks.md has no section '## {section}'")
    found = tables(docs[section])
    if index >= len(found):
        raise KeyError(f"section '{section}' has {len(found)} tables, not {index + 1}")
    return found[index]


def load(path: Path) -> dict:
    """One results file."""
    return json.loads(path.read_text())


def differences(path: Path, docs: dict[str, str]) -> list[str]:
    """How a results file differs from the docs' tables (empty: they agree)."""
    problems = []
    for t in load(path)["tables"]:
        where = f"{path.name}: '{t['section']}' table {t['index'] + 1}"
        for key in ("command", "machine", "date"):
            if not t.get(key):
                problems.append(f"{where} has no {key}")
        try:
            expected = docs_table(docs, t["section"], t["index"])
        except KeyError as e:
            problems.append(f"{where}: {e.args[0]}")
            continue
        if t["columns"] != expected["columns"]:
            problems.append(f"{where}: columns {t['columns']} != docs {expected['columns']}")
        elif t["rows"] != expected["rows"]:
            bad = next(
                i for i, (a, b) in enumerate(zip(t["rows"] + [None] * 99, expected["rows"] + [None] * 99)) if a != b
            )
            problems.append(f"{where}: row {bad + 1} differs from the docs")
    return problems


def dump(data: dict) -> str:
    """A results file's text: indented, one table row a line."""
    rows = {}
    for t in data["tables"]:
        for i, row in enumerate(t["rows"]):
            key = f"@row{len(rows)}@"
            rows[key] = json.dumps(row, ensure_ascii=False)
            t["rows"][i] = key
    text = json.dumps(data, indent=1, ensure_ascii=False)
    for key, row in rows.items():
        text = text.replace(f'"{key}"', row)
    return text + "\n"


def sync(path: Path, docs: dict[str, str]) -> None:
    """Copy the docs' tables into a results file, keeping its captions, commands, machines and dates."""
    data = load(path)
    for t in data["tables"]:
        t.update(docs_table(docs, t["section"], t["index"]))
    path.write_text(dump(data))


def main(argv: list[str] | None = None) -> int:
    """Entry point: check or sync; 1 when a check finds a difference."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", choices=["check", "sync"])
    p.add_argument("names", nargs="*", help="results files by name (default: all)")
    args = p.parse_args(argv)
    docs = sections(DOCS.read_text())
    paths = [RESULTS / f"{n.removesuffix('.json')}.json" for n in args.names] or sorted(RESULTS.glob("*.json"))
    problems = []
    for path in paths:
        if args.action == "sync":
            sync(path, docs)
        problems += differences(path, docs)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems and args.action == "check":
        print("after changing a table in docs/benchmarks.md: python bench/results.py sync", file=sys.stderr)
    print(f"{len(paths)} results files, {len(problems)} differences from docs/benchmarks.md")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
