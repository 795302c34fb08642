"""The Markdown summary: the main numbers as tables, links to the plot files, a few examples."""

from __future__ import annotations

from typing import Any

from .formatting import num, pct

STATUSES = ("passed", "failed", "unverifiable", "error", "timeout")


def cell(value: Any, n: int = 120) -> str:
    """Text made safe for one Markdown table cell (pipes escaped, one line, clipped)."""
    text = " ".join(str(value).split())
    if len(text) > n:
        text = text[: n - 1] + "…"
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def table(header: list[str], rows: list[list[Any]]) -> list[str]:
    """A Markdown table."""
    out = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return out + [""]


def render_markdown(metrics: dict[str, Any], plot_files: dict[str, str], settings: dict[str, Any], timing: dict) -> str:
    """The summary document."""
    m = metrics
    lines = [f"# aha eval: {settings['input']}", ""]
    lines += [
        f"Reward `{settings['reward']}`"
        + (f", compared with `{settings['compare']}`" if settings.get("compare") else "")
    ]
    lines += [""]
    summary = [
        ["rows", num(m["rows"])],
        ["mean reward", f"{num(m['reward'].get('mean'))} (std {num(m['reward'].get('std'))})"],
        [f"correct ({m['correct']['definition']})", f"{num(m['correct']['count'])} ({pct(m['correct']['rate'])})"],
    ]
    summary += [[f"status {s}", num(n)] for s, n in m["statuses"].items()]
    if m["unreadable_rows"]:
        summary.append(["unreadable rows (error rows)", num(m["unreadable_rows"])])
    summary.append([f"prompts ({m['groups']['key']})", num(m["groups"]["count"])])
    if m["labels"]:
        lab = m["labels"]
        summary.append(
            [f"agreement with labels ({lab['column']})", f"{pct(lab['agreement'])} of {num(lab['labelled'])}"]
        )
    if m["compare"]:
        summary.append(["agreement with compare", f"{pct(m['compare']['agreement'])}"])
    scoring = timing.get("scoring")
    if scoring and scoring["scored_rows"]:
        summary.append(["scoring speed", f"{num(scoring['rows_per_second'])} rows/s"])
    lines += ["## Summary", ""] + table(["", "value"], summary)
    lines += _plots(plot_files, ["reward", "statuses"])

    if m["terms"]:
        lines += ["## Reward terms", ""]
        lines += table(
            ["term", "mean", "pass rate", "rows"] + list(STATUSES),
            [
                [n, num(t["mean"]), pct(t["pass_rate"]), num(t["count"])] + [num(t["statuses"][s]) for s in STATUSES]
                for n, t in m["terms"].items()
            ],
        )
        lines += _plots(plot_files, ["terms"])

    lines += ["## pass@k and maj@k", ""]
    lines += [
        f"{num(m['groups']['count'])} prompts grouped by {m['groups']['key']}; unbiased pass@k (Chen et al. 2021) over "
        f"prompts with at least k completions; maj@k votes over the first k completions' `{m['groups']['vote_key']}`.",
        "",
    ]
    maj = m["maj_at_k"]
    lines += table(
        ["k", "pass@k", "maj@k", "prompts", "prompts with fewer than k"],
        [
            [k, pct(v["value"]), pct(maj[k]["value"]) if k in maj else "–", num(v["groups"]), num(v["excluded_groups"])]
            for k, v in m["pass_at_k"].items()
        ],
    )
    if "unavailable" in maj:
        lines += [f"maj@k: {maj['unavailable']}", ""]
    lines += _plots(plot_files, ["pass_at_k"])

    length = m["length"]
    if length.get("count"):
        lines += ["## Completion length against reward", ""]
        lines += [
            f"Mean length {num(length['stats']['mean'])} {length['unit']}; correct {num(length['mean_correct'])}, "
            f"others {num(length['mean_incorrect'])}; Pearson r {num(length['pearson_r'])}.",
            "",
        ]
        lines += table(
            ["from", "to", "rows", "mean reward", "pass rate"],
            [
                [num(b["lo"]), num(b["hi"]), num(b["count"]), num(b["mean_reward"]), pct(b["pass_rate"])]
                for b in length["bins"]
            ],
        )
        lines += _plots(plot_files, ["length"])

    for i, (col, info) in enumerate(m["by"].items(), start=1):
        lines += [f"## By {col}", ""]
        lines += table(
            ["value", "rows", "mean reward", "pass rate"],
            [[v["value"], num(v["count"]), num(v["mean_reward"]), pct(v["pass_rate"])] for v in info["values"][:30]],
        )
        lines += _plots(plot_files, [f"by_{i}"])

    if m["labels"]:
        lab = m["labels"]
        lines += [f"## Verifier against labels ({lab['column']})", ""]
        lines += [
            f"{num(lab['labelled'])} labelled rows; left out: {num(lab['missing'])} missing, {num(lab['invalid'])} invalid, "
            f"{num(lab['unreadable_rows'])} unreadable.",
            "",
        ]
        keys = ["agreement", "precision", "recall", "f1", "specificity", "false_positive_rate"]
        lines += table(
            ["metric", "value"],
            [[k.replace("_", " "), pct(lab[k])] for k in keys] + [["Cohen's kappa", num(lab["cohen_kappa"])]],
        )
        lines += table(
            ["", "verifier: correct", "verifier: incorrect"],
            [["label: correct", num(lab["tp"]), num(lab["fn"])], ["label: incorrect", num(lab["fp"]), num(lab["tn"])]],
        )
        lines += _plots(plot_files, ["confusion"])
        lines += _examples("False positives", m["examples"]["false_positives"])
        lines += _examples("False negatives", m["examples"]["false_negatives"])

    if m["compare"]:
        c = m["compare"]
        lines += ["## Reward against compare", ""]
        lines += table(
            ["", "value"],
            [
                ["both correct", num(c["both_correct"])],
                ["only reward correct", num(c["only_reward_correct"])],
                ["only compare correct", num(c["only_compare_correct"])],
                ["both incorrect", num(c["both_incorrect"])],
                ["agreement", pct(c["agreement"])],
                ["disagreements", f"{num(c['disagreements'])} ({pct(c['disagreement_rate'])})"],
                ["mean reward (reward / compare)", f"{num(m['reward'].get('mean'))} / {num(c['reward'].get('mean'))}"],
            ],
        )
        lines += _plots(plot_files, ["crosstab"])
        lines += _examples("Rows where they disagree", m["examples"]["compare_disagreements"])

    lines += _examples("Lowest reward", m["examples"]["worst"])
    lines += _examples("Errors, timeouts and unverifiable rows", m["examples"]["problems"])
    lines += ["Every number is in `metrics.json`; the full report with examples is `report.html`.", ""]
    return "\n".join(lines)


def _plots(plot_files: dict[str, str], names: list[str]) -> list[str]:
    out = [f"![{name}]({plot_files[name]})" for name in names if name in plot_files]
    return out + [""] if out else []


def _examples(title: str, items: list[dict[str, Any]], n: int = 5) -> list[str]:
    if not items:
        return []
    rows = [[e["where"], num(e["score"]), e["status"], e.get("reason") or ""] for e in items[:n]]
    return [f"### {title}", ""] + table(["row", "reward", "status", "reason"], rows)
