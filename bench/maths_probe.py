"""Probe: math_equivalence (default settings) on hand-written labelled pairs of the kinds real answers have.

Each row of bench/data/maths_probe.jsonl is {"kind", "pred", "gold", "equivalent", "note"?, "question"?, "area"?,
"base_kind"?, "fresh"?}: `pred` is a model output (a bare answer, a whole completion or a list of chat messages),
`gold` a reference answer as datasets write it, `equivalent` the label by mathematical truth and the common graders'
convention; `area` names the part of the verifier a miss of that row belongs to (EXTRACT, VALUES or RELATIONS).
Rows marked `"fresh": true` were written later than the others, in new wordings, and are also reported together.
Rows of kind `styled_completion` put the answer of a bare pair of `base_kind` inside a whole completion written in
one of the shapes reasoning models use (boxed, "Final Answer", think blocks, answer tags, ...).
The script prints the agreement with the label per kind and overall, and every miss.

Run:  python bench/maths_probe.py [--data bench/data/maths_probe.jsonl] [--kind KIND] [--failures out.txt] [--markdown]
      (--failures writes one line per miss, tagged with the part of the verifier that decides it, and
      REGRESSED when the pair was right in the previous run, NEW when the pair was added since; the ids of
      the pairs of each run are kept beside it, with the suffix .ids)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "data" / "maths_probe.jsonl"

# Which part of the verifier a miss of each kind most likely belongs to (a row's "area", set where the
# pair says more than its kind, overrides it):
# EXTRACT finds and cleans the final answer, VALUES reads and compares numbers and syntax,
# RELATIONS compares equations, inequalities, solution sets, named left sides and identities.
AREA_BY_KIND = {
    "whole_completion": "EXTRACT",
    "think_block": "EXTRACT",
    "self_correction": "EXTRACT",
    "remark_after_answer": "EXTRACT",
    "currency_in_prose": "EXTRACT",
    "gsm8k": "EXTRACT",
    "multiple_choice": "EXTRACT",
    "other_languages": "EXTRACT",
    "escaped_json": "EXTRACT",
    "boxed_content": "EXTRACT",
    "stray": "EXTRACT",
    "fullwidth": "EXTRACT",
    "input_shapes": "EXTRACT",
    "tool_output": "EXTRACT",
    "text_and_number_words": "EXTRACT",
    "styled_completion": "EXTRACT",
    "latex_values": "VALUES",
    "aime_integer": "VALUES",
    "tolerance": "VALUES",
    "units": "VALUES",
    "physics_units": "VALUES",
    "percent": "VALUES",
    "plain_cas": "VALUES",
    "matrix_vector": "VALUES",
    "several_answers": "VALUES",
    "notation": "VALUES",
    "decimal_comma": "VALUES",
    "times": "VALUES",
    "near_misses": "VALUES",
    "intervals_sets": "RELATIONS",
    "inequalities_solution_sets": "RELATIONS",
    "relations": "RELATIONS",
    "identities": "RELATIONS",
    "k12_chinese": "RELATIONS",
    "form_questions": "RELATIONS",
    "olympiad": "RELATIONS",
}


def load(path: Path) -> list[dict]:
    """The labelled rows of a probe file, checked for the fields every row needs."""
    rows = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            missing = {"kind", "pred", "gold", "equivalent"} - row.keys()
            if missing:
                raise ValueError(f"{path}:{n}: missing {sorted(missing)}")
            row["line"] = n
            rows.append(row)
    return rows


def run(rows: list[dict]) -> list[dict]:
    """Score every row with math_equivalence at its defaults; one outcome dict per row."""
    from verifiers import load_reward

    reward = load_reward("math_equivalence")
    samples = []
    for r in rows:
        sample = {"completion": r["pred"], "answer": r["gold"]}
        if r.get("question"):
            sample["question"] = r["question"]
        samples.append(sample)
    results = reward.batch(samples)
    out = []
    for r, res in zip(rows, results):
        got = res.score >= 1.0
        out.append(
            {
                "row": r,
                "got": got,
                "agree": got == bool(r["equivalent"]),
                "status": res.status.value,
                "reason": res.reason,
                "extracted": res.details.get("extracted"),
            }
        )
    return out


def _clip(text: object, n: int = 160) -> str:
    s = repr(text)
    return s if len(s) <= n else s[: n - 20] + " ... " + s[-15:]


def row_id(row: dict) -> str:
    """A short stable id of a pair (its text, not its line, which moves as rows are added)."""
    text = json.dumps([row["pred"], row["gold"]], ensure_ascii=False)
    return hashlib.sha1(text.encode()).hexdigest()[:8]


def miss_line(o: dict, tag: str = "") -> str:
    """One line describing a miss: area, kind, label, verdict, the pair and the verifier's reason."""
    r = o["row"]
    area = r.get("area") or AREA_BY_KIND.get(r.get("base_kind") or r["kind"], "EXTRACT")
    label = "EQ" if r["equivalent"] else "NEQ"
    kind_of_miss = "false-negative" if r["equivalent"] else "false-positive"
    parts = [
        f"{area} {tag}".strip(),
        f"{r['kind']}",
        f"line {r['line']} id={row_id(r)}",
        f"label {label} ({kind_of_miss}, status {o['status']})",
        f"pred={_clip(r['pred'])}",
        f"gold={_clip(r['gold'], 80)}",
        f"extracted={_clip(o['extracted'], 80)}",
        f"reason={_clip(o['reason'], 200)}",
    ]
    if r.get("note"):
        parts.append(f"note={r['note']}")
    return " | ".join(parts)


def reason_class(o: dict) -> str:
    """The verifier's reason without the quoted answers, to group misses by what went wrong."""
    reason = re.sub(
        r"(?s)(['\"]).*?(?<!\\)\1 (is not equivalent to|equals|vs) (['\"]).*?(?<!\\)\3:?", "", o["reason"] or ""
    )
    return re.sub(r"\s+", " ", reason).strip()[:70] or "(none)"


def markdown_table(outcomes: list[dict]) -> str:
    """Agreement per kind as a Markdown table: pairs, not-equivalent pairs, agreement, misses by direction."""
    by_kind: dict[str, list[dict]] = {}
    for o in outcomes:
        by_kind.setdefault(o["row"]["kind"], []).append(o)
    out = ["| kind | pairs | of which not equivalent | agree | % | false negatives | false positives |"]
    out.append("|---|---|---|---|---|---|---|")

    def row(name: str, group: list[dict]) -> str:
        agree = sum(o["agree"] for o in group)
        neq = sum(not o["row"]["equivalent"] for o in group)
        fn = sum(1 for o in group if not o["agree"] and o["row"]["equivalent"])
        fp = sum(1 for o in group if not o["agree"] and not o["row"]["equivalent"])
        pct = 100 * agree / max(1, len(group))
        return f"| {name} | {len(group)} | {neq} | {agree} | {pct:.1f} | {fn} | {fp} |"

    out += [row(k, by_kind[k]) for k in sorted(by_kind)]
    hand = [o for o in outcomes if o["row"]["kind"] != "styled_completion"]
    out.append(row("**all hand-written kinds**", hand))
    fresh = [o for o in outcomes if o["row"].get("fresh")]
    if fresh:
        out.append(row("**rows marked fresh**", fresh))
    out.append(row("**all**", outcomes))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Print agreement per kind and overall, then the misses."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--kind", action="append", help="only rows of this kind (repeatable)")
    ap.add_argument("--failures", type=Path, help="write the misses here, one per line, tagged by area")
    ap.add_argument("--markdown", action="store_true", help="also print the per-kind table in Markdown")
    args = ap.parse_args(argv)

    rows = load(args.data)
    if args.kind:
        rows = [r for r in rows if r["kind"] in args.kind]
    outcomes = run(rows)

    total, agree = Counter(), Counter()
    for o in outcomes:
        total[o["row"]["kind"]] += 1
        agree[o["row"]["kind"]] += o["agree"]
    labels = Counter(bool(r["equivalent"]) for r in rows)
    completions = sum(1 for r in rows if len(r["pred"]) > 200 or "\n" in r["pred"])
    print(
        f"{len(rows)} pairs ({labels[True]} equivalent, {labels[False]} not; "
        f"{completions} whole completions), {len(total)} kinds"
    )
    print(f"{'kind':<18} {'pairs':>5} {'agree':>5} {'%':>6}")
    for kind in sorted(total):
        print(f"{kind:<18} {total[kind]:>5} {agree[kind]:>5} {100 * agree[kind] / total[kind]:>6.1f}")
    n_agree = sum(agree.values())
    print(f"{'overall':<18} {len(rows):>5} {n_agree:>5} {100 * n_agree / max(1, len(rows)):>6.1f}")
    fresh = [o for o in outcomes if o["row"].get("fresh")]
    if fresh:
        n_fresh = sum(o["agree"] for o in fresh)
        print(
            f"{'overall, fresh':<18} {len(fresh):>5} {n_fresh:>5} {100 * n_fresh / len(fresh):>6.1f}  (rows marked fresh)"
        )
    hand = [o for o in outcomes if o["row"]["kind"] != "styled_completion"]
    if len(hand) != len(outcomes):
        n_hand = sum(o["agree"] for o in hand)
        print(
            f"{'overall, hand-written':<18} {len(hand):>5} {n_hand:>5} {100 * n_hand / max(1, len(hand)):>6.1f}  (without styled_completion)"
        )
    if args.markdown:
        print(markdown_table(outcomes))
    misses = [o for o in outcomes if not o["agree"]]
    fn = sum(1 for o in misses if o["row"]["equivalent"])
    print(f"misses: {len(misses)} ({fn} false negatives, {len(misses) - fn} false positives)")
    odd = Counter(o["status"] for o in outcomes if o["status"] not in ("passed", "failed"))
    if odd:
        print("statuses other than passed/failed:", dict(odd))
    # Compared with the previous list: a miss not in it is NEW, and REGRESSED when its pair was scored then.
    before, scored = None, set()
    if args.failures and args.failures.exists():
        before = set(re.findall(r"id=([0-9a-f]{8})", args.failures.read_text(encoding="utf-8")))
        ids_file = args.failures.with_suffix(".ids")
        if ids_file.exists():
            scored = set(ids_file.read_text(encoding="utf-8").split())
    lines = []
    for o in misses:
        rid = row_id(o["row"])
        tag = "" if before is None or rid in before else ("REGRESSED" if rid in scored else "NEW")
        lines.append(miss_line(o, tag))
    lines.sort()
    for line in lines:
        print(line)
    if args.failures:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        per_area = Counter(line.split(" | ")[0].split()[0] for line in lines)
        per_kind = Counter(o["row"]["kind"] for o in misses)
        per_reason = Counter(reason_class(o) for o in misses)
        head = (
            f"# {stamp}: {len(misses)} misses of {len(rows)} pairs ({n_agree} agree); "
            f"by area: {dict(sorted(per_area.items()))}; by kind: {dict(per_kind.most_common())}\n"
            f"# by the verifier's reason: {dict(per_reason.most_common())}\n# "
            "one per line: area (REGRESSED: passed in the previous run; NEW: a pair added since) | kind | line in the data file and pair id | label | "
            "pair | what the verifier extracted and said\n"
        )
        args.failures.write_text(head + "".join(line + "\n" for line in lines), encoding="utf-8")
        args.failures.with_suffix(".ids").write_text("\n".join(row_id(r) for r in rows) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
