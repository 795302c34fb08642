"""bench/results/*.json hold the same numbers as the tables of docs/benchmarks.md, with command, machine, date."""

from __future__ import annotations

import json

from bench_scripts import load_bench

results = load_bench("results")
run = load_bench("run")


def test_every_results_file_equals_its_tables_in_the_docs():
    docs = results.sections(results.DOCS.read_text())
    problems = [p for path in sorted(results.RESULTS.glob("*.json")) for p in results.differences(path, docs)]
    assert problems == [], "after changing a table in docs/benchmarks.md: python bench/results.py sync"


def test_every_results_file_names_a_runnable_benchmark_and_the_main_ones_have_a_file():
    named = {results.load(p)["benchmark"] for p in results.RESULTS.glob("*.json")} - {None}
    assert named <= set(run.BENCHMARKS)
    assert {"score-throughput", "maths-compare", "update-phase", "e2e", "rollout-vllm"} <= named


def test_a_changed_number_in_the_docs_is_found_and_sync_copies_it(tmp_path):
    markdown = "## Speed\n\nText.\n\n| workers | rows/s |\n|---|---|\n| 1 | 24,010 |\n| 2 | 43,058 |\n\n## Next\n"
    meta = {"section": "Speed", "index": 0, "caption": "c", "command": "python x.py", "machine": "m", "date": "d"}
    path = tmp_path / "speed.json"
    path.write_text(results.dump({"benchmark": None, "tables": [{**meta, "columns": [], "rows": []}]}))
    results.sync(path, results.sections(markdown))
    assert json.loads(path.read_text())["tables"][0]["rows"] == [[1, 24010], [2, 43058]]
    changed = results.sections(markdown.replace("43,058", "43,059"))
    assert results.differences(path, changed) == ["speed.json: 'Speed' table 1: row 2 differs from the docs"]
    results.sync(path, changed)
    assert results.differences(path, changed) == []
    assert results.differences(path, results.sections("## Other\n")) == [
        "speed.json: 'Speed' table 1: docs/benchmarks.md has no section '## Speed'"
    ]


def test_cells_are_numbers_only_when_plain():
    assert results.cell(" **43,058** ") == 43058
    assert results.cell("0.48") == 0.48 and results.cell("4.8e-7") == 4.8e-7
    assert results.cell("33.2 %") == "33.2 %" and results.cell("1.34 s") == "1.34 s"
    assert results.split_row("| a | `x | y` | 3 |") == [" a ", " `x | y` ", " 3 "]
