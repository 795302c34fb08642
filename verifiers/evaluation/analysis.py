"""The analysis pass: input rows joined with their scores, folded into every statistic of the report."""

from __future__ import annotations

import hashlib
import heapq
import json
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from ..normalize import parse_number, strip_math_wrappers
from ..result import Status
from ..rows import json_line
from ..sample import Sample
from .config import EvalConfig
from .labels import parse_label
from .readers import InputError, InputRow
from .stats import binary_metrics, describe, equal_count_bins, majority_correct, pass_at_k, pearson, safe_div
from .store import StoreError

STATUSES = [s.value for s in Status]
PROBLEM_STATUSES = frozenset({"error", "timeout", "unverifiable"})
MAX_CATEGORIES = 1000
MAX_VOTES = 1024
OTHER = "(other values)"
MISSING = "(missing)"


def clip(text: Any, n: int) -> str | None:
    """Text cut to n characters with a marker saying how much was cut."""
    if text is None:
        return None
    if not isinstance(text, str):
        text = json.dumps(text, ensure_ascii=False, default=repr)
    return text if len(text) <= n else f"{text[:n]}… [{len(text) - n:,} more characters]"


def display_value(value: Any) -> str:
    """A column value as a category name."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return MISSING
    if isinstance(value, str):
        return value if len(value) <= 100 else value[:97] + "..."
    if isinstance(value, (bool, int, float)):
        return str(value)
    return clip(value, 100) or MISSING


def group_key(value: Any) -> str | int | bytes:
    """A compact key for grouping rows by a prompt or a prompt id (long texts are hashed)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)
    if len(text) <= 64:
        return text
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).digest()


def vote_key(value: Any) -> str | None:
    """The answer a completion votes for in maj@k: numbers by value (2/4 votes with 0.5), else the text without spaces."""
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)
    return _vote_text(text) if len(text) <= 200 else _vote_text.__wrapped__(text)


@lru_cache(maxsize=1 << 16)
def _vote_text(text: str) -> str | None:
    # Answers repeat a lot across completions, so the parse is cached.
    text = strip_math_wrappers(text)
    if not text:
        return None
    number = parse_number(text) if len(text) < 100 else None
    if number is not None:
        return sys.intern(f"{number.numerator}/{number.denominator}")
    return sys.intern("".join(text.split())[:200])


def find_detail(record: dict[str, Any], key: str) -> Any:
    """A detail of the result or, depth first, of its terms (e.g. the extracted answer)."""
    details = record.get("details")
    if details and key in details and details[key] is not None:
        return details[key]
    for term in (record.get("terms") or {}).values():
        found = find_detail(term, key)
        if found is not None:
            return found
    return None


def iter_terms(record: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(dotted name, stored term) for every nested term of a stored result."""
    for name, term in (record.get("terms") or {}).items():
        yield prefix + name, term
        yield from iter_terms(term, prefix + name + ".")


class _Category:
    __slots__ = ("count", "total", "correct", "statuses", "confusion", "compare_correct")

    def __init__(self) -> None:
        self.count = 0
        self.total = 0.0
        self.correct = 0
        self.statuses: Counter = Counter()
        self.confusion = [0, 0, 0, 0]  # tp, fp, fn, tn
        self.compare_correct = 0


class Analysis:
    """Accumulates every statistic over (input row, score record, compare record) triples in row order."""

    def __init__(self, cfg: EvalConfig, has_compare: bool = False, output: Path | None = None):
        self.cfg = cfg
        self.has_compare = has_compare
        self.output = output
        self.k_examples = cfg.examples
        self.rows = 0
        self.unreadable = 0
        self.scores = array("d")
        self.statuses: Counter = Counter()
        self.correct = 0
        self.terms: dict[str, list[Any]] = {}  # name -> [sum, count, passed, Counter]
        self.lengths = array("d")
        self.length_scores = array("d")
        self.length_correct = array("b")
        # groups: key -> [n, correct, compare_correct, votes, first row's categories]
        self.groups: dict[Any, list[Any]] = {}
        self.group_missing = 0
        self.votes_found = 0
        self.max_votes = max(cfg.ks) if cfg.ks else MAX_VOTES
        self.by: dict[str, dict[str, _Category]] = {c: {} for c in cfg.by}
        # labels
        self.label_seen = False
        self.confusion = [0, 0, 0, 0]
        self.label_missing = 0
        self.label_invalid = 0
        self.label_unreadable = 0
        self.label_by_status: dict[str, Counter] = {s: Counter() for s in STATUSES}
        self.compare_confusion = [0, 0, 0, 0]
        # compare
        self.compare_scores = array("d")
        self.compare_statuses: Counter = Counter()
        self.compare_correct = 0
        self.crosstab: dict[str, Counter] = {s: Counter() for s in STATUSES}
        self.agree = [0, 0, 0, 0]  # both correct, only primary, only compare, neither
        self.score_diff_total = 0.0
        # examples
        self._worst: list[tuple[float, int, dict[str, Any]]] = []
        self.problems: list[dict[str, Any]] = []
        self.false_positives: list[dict[str, Any]] = []
        self.false_negatives: list[dict[str, Any]] = []
        self.invalid_labels: list[dict[str, Any]] = []
        self.compare_examples: list[dict[str, Any]] = []
        self.compare_disagreements = 0
        self._files: dict[str, IO[str]] = {}

    # -- per row -----------------------------------------------------------------------
    def is_correct(self, record: dict[str, Any]) -> bool:
        """Whether a stored result counts as correct: status passed, or score >= the threshold."""
        if self.cfg.threshold is None:
            return record["status"] == "passed"
        return record["score"] >= self.cfg.threshold

    def add(self, item: InputRow, record: dict[str, Any], compare: dict[str, Any] | None = None) -> None:
        """Fold one row in."""
        if record.get("i") != item.index:
            raise StoreError(f"scores are out of step with the input at {item.where} (index {item.index})")
        self.rows += 1
        score = float(record["score"])
        status = record["status"]
        correct = self.is_correct(record)
        unreadable = bool(record.get("unreadable")) or item.row is None
        self.unreadable += unreadable
        self.scores.append(score)
        self.statuses[status] += 1
        self.correct += correct
        for name, term in iter_terms(record) if "terms" in record else ():
            acc = self.terms.get(name)
            if acc is None:
                acc = self.terms[name] = [0.0, 0, 0, Counter()]
            acc[0] += term["score"]
            acc[1] += 1
            acc[2] += term["status"] == "passed"
            acc[3][term["status"]] += 1
        row = None if unreadable else item.row
        sample = None
        if row is not None:
            sample = self._sample(row)
            text = sample.text
            self.lengths.append(len(text) if self.cfg.length_unit == "chars" else len(text.split()))
            self.length_scores.append(score)
            self.length_correct.append(correct)
        c_correct = self.is_correct(compare) if compare is not None else False
        cats = tuple(display_value(row.get(c)) if row is not None else MISSING for c in self.cfg.by)
        self._add_group(row, sample, record, correct, c_correct, cats)
        label = self._add_label(item, row, record, correct, compare, c_correct)
        for col, value in zip(self.cfg.by, cats):
            self._add_category(col, value, score, status, correct, label, c_correct)
        if compare is not None:
            self._add_compare(item, row, sample, record, compare, correct, c_correct, label)
        if status in PROBLEM_STATUSES:
            if len(self.problems) < self.k_examples:
                self.problems.append(self._example(item, sample, record, compare))
        elif row is not None:
            self._add_worst(item, sample, record, compare, score)

    def _add_group(self, row, sample, record, correct: bool, c_correct: bool, cats: tuple) -> None:
        if row is None:
            self.group_missing += 1
            return
        if self.cfg.group_by:
            value = row.get(self.cfg.group_by)
            if value is None or (isinstance(value, str) and not value.strip()):
                self.group_missing += 1
                return
        else:
            value = sample.prompt_text if sample.prompt is not None else ""
            if not value.strip():
                self.group_missing += 1
                return
        key = group_key(value)
        entry = self.groups.get(key)
        if entry is None:
            entry = self.groups[key] = [0, 0, 0, [], cats]
        entry[0] += 1
        entry[1] += correct
        entry[2] += c_correct
        if len(entry[3]) < self.max_votes:
            vote = vote_key(find_detail(record, self.cfg.vote_key))
            self.votes_found += vote is not None
            entry[3].append((vote, correct))

    def _add_label(self, item, row, record, correct: bool, compare, c_correct: bool) -> bool | None:
        if not self.cfg.label:
            return None
        if row is None:
            self.label_unreadable += 1
            return None
        if self.cfg.label in row:
            self.label_seen = True
        parsed = parse_label(row.get(self.cfg.label))
        if parsed.invalid:
            self.label_invalid += 1
            if len(self.invalid_labels) < self.k_examples:
                self.invalid_labels.append({"index": item.index, "where": item.where, "problem": parsed.invalid})
            return None
        if parsed.value is None:
            self.label_missing += 1
            return None
        label = parsed.value
        by_status = self.label_by_status.get(record["status"])
        if by_status is None:
            by_status = self.label_by_status[record["status"]] = Counter()
        by_status["true" if label else "false"] += 1
        _tally(self.confusion, correct, label)
        if compare is not None:
            _tally(self.compare_confusion, c_correct, label)
        if correct != label:
            bucket = self.false_positives if correct else self.false_negatives
            if len(bucket) < self.k_examples:
                bucket.append(self._example(item, None, record, compare, label=label))
            self._write(
                "label_disagreements.jsonl",
                {
                    "index": item.index,
                    "where": item.where,
                    "kind": "false positive" if correct else "false negative",
                    "label": label,
                    "score": record["score"],
                    "status": record["status"],
                    "reason": record.get("reason", ""),
                },
            )
        return label

    def _add_category(self, col, value, score, status, correct, label, c_correct) -> None:
        table = self.by[col]
        cat = table.get(value)
        if cat is None:
            if len(table) >= MAX_CATEGORIES:
                value = OTHER
                cat = table.get(OTHER)
            if cat is None:
                cat = table[value] = _Category()
        cat.count += 1
        cat.total += score
        cat.correct += correct
        cat.statuses[status] += 1
        cat.compare_correct += c_correct
        if label is not None:
            _tally(cat.confusion, correct, label)

    def _add_compare(self, item, row, sample, record, compare, correct, c_correct, label) -> None:
        if compare.get("i") != item.index:
            raise StoreError(f"compare scores are out of step with the input at {item.where}")
        c_score = float(compare["score"])
        self.compare_scores.append(c_score)
        self.compare_statuses[compare["status"]] += 1
        self.compare_correct += c_correct
        row_counts = self.crosstab.get(record["status"])
        if row_counts is None:
            row_counts = self.crosstab[record["status"]] = Counter()
        row_counts[compare["status"]] += 1
        self.score_diff_total += abs(float(record["score"]) - c_score)
        self.agree[(0 if correct else 2) + (0 if c_correct else 1)] += 1
        if correct != c_correct:
            self.compare_disagreements += 1
            if len(self.compare_examples) < self.k_examples:
                self.compare_examples.append(self._example(item, sample, record, compare, label=label))
            self._write(
                "compare_disagreements.jsonl",
                {
                    "index": item.index,
                    "where": item.where,
                    "label": label,
                    "reward": {k: record.get(k) for k in ("score", "status", "reason")},
                    "compare": {k: compare.get(k) for k in ("score", "status", "reason")},
                },
            )

    def _add_worst(self, item, sample, record, compare, score: float) -> None:
        key = (-score, -item.index)
        if len(self._worst) < self.k_examples:
            heapq.heappush(self._worst, (*key, self._example(item, sample, record, compare)))
        elif key > self._worst[0][:2]:
            heapq.heapreplace(self._worst, (*key, self._example(item, sample, record, compare)))

    def _sample(self, row: dict[str, Any]) -> Sample:
        # Sample.from_row without the metadata copy; the row was already accepted by the scoring pass.
        f = self.cfg.fields
        completion = row[f.completion] if f.completion in row else row.get(f.messages)
        if isinstance(completion, list) and f.completion not in row:
            try:  # a transcript: show the turn that was scored, the rest as its prompt
                return Sample.from_transcript(completion, row.get(f.prompt), row.get(f.answer))
            except ValueError:
                pass
        return Sample(completion if completion is not None else "", row.get(f.prompt), row.get(f.answer))

    def _example(self, item: InputRow, sample, record, compare, label: bool | None = None) -> dict[str, Any]:
        if sample is None and item.row is not None and not record.get("unreadable"):
            sample = self._sample(item.row)
        out: dict[str, Any] = {
            "index": item.index,
            "where": item.where,
            "score": record["score"],
            "status": record["status"],
            "reason": clip(record.get("reason", ""), 1500),
            "prompt": clip(sample.prompt_text, 600) if sample is not None else None,
            "completion": clip(sample.text, 2000) if sample is not None else None,
            "answer": clip(sample.answer, 300) if sample is not None and sample.answer is not None else None,
            "terms": [
                {"name": n, "score": t["score"], "status": t["status"], "reason": clip(t.get("reason", ""), 300)}
                for n, t in iter_terms(record)
            ],
        }
        if self.cfg.label and item.row is not None:
            out["label"] = label if label is not None else item.row.get(self.cfg.label)
        if compare is not None:
            out["compare"] = {
                "score": compare["score"],
                "status": compare["status"],
                "reason": clip(compare.get("reason", ""), 1500),
            }
        return out

    def _write(self, name: str, data: dict[str, Any]) -> None:
        if self.output is None:
            return
        f = self._files.get(name)
        if f is None:
            f = self._files[name] = (self.output / name).open("w", encoding="utf-8")
        f.write(json_line(data) + "\n")

    # -- results -----------------------------------------------------------------------
    def length_points(self, max_points: int = 4000) -> tuple[list[float], list[float]]:
        """An evenly spaced sample of (length, reward) pairs for the scatter plot."""
        step = max(1, len(self.lengths) // max_points)
        return list(self.lengths[::step]), list(self.length_scores[::step])

    def finish(self) -> dict[str, Any]:
        """Every number of the evaluation (and the examples), JSON-ready."""
        for f in self._files.values():
            f.close()
        self._files.clear()
        if self.output is not None:
            for name in ("label_disagreements.jsonl", "compare_disagreements.jsonl"):
                stale = self.output / name
                used = (name.startswith("label") and self.cfg.label) or (
                    name.startswith("compare") and self.has_compare
                )
                if used and not stale.exists():
                    stale.write_text("")
                elif not used and stale.exists():
                    stale.unlink()
        n = self.rows
        threshold = self.cfg.threshold
        out: dict[str, Any] = {
            "rows": n,
            "unreadable_rows": self.unreadable,
            "reward": describe(self.scores),
            "statuses": {s: self.statuses.get(s, 0) for s in STATUSES}
            | {s: c for s, c in self.statuses.items() if s not in STATUSES},
            "correct": {
                "definition": "status is passed" if threshold is None else f"score >= {threshold:g}",
                "count": self.correct,
                "rate": safe_div(self.correct, n),
            },
            "terms": {
                name: {
                    "mean": safe_div(acc[0], acc[1]),
                    "count": acc[1],
                    "pass_rate": safe_div(acc[2], acc[1]),
                    "statuses": {s: acc[3].get(s, 0) for s in STATUSES},
                }
                for name, acc in self.terms.items()
            },
        }
        out["groups"], out["pass_at_k"], out["maj_at_k"] = self._groups()
        out["length"] = self._length()
        out["by"] = self._by()
        out["labels"] = self._labels()
        out["compare"] = self._compare()
        worst = sorted(self._worst, key=lambda t: (-t[0], -t[1]))
        out["examples"] = {
            "worst": [e for _, _, e in worst],
            "problems": self.problems,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
            "invalid_labels": self.invalid_labels,
            "compare_disagreements": self.compare_examples,
        }
        return out

    def _ks(self, max_size: int) -> list[int]:
        if self.cfg.ks:
            return sorted(set(self.cfg.ks))
        ks, k = [], 1
        while k <= max_size:
            ks.append(k)
            k *= 2
        return ks or [1]

    def _groups(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        sizes = [g[0] for g in self.groups.values()]
        info: dict[str, Any] = {
            "key": f"column {self.cfg.group_by!r}" if self.cfg.group_by else "prompt text",
            "count": len(sizes),
            "rows_without_key": self.group_missing,
            "size_min": min(sizes) if sizes else None,
            "size_max": max(sizes) if sizes else None,
            "size_mean": safe_div(sum(sizes), len(sizes)),
            "vote_key": self.cfg.vote_key,
            "rows_with_vote": self.votes_found,
        }
        ks = self._ks(max(sizes) if sizes else 0)
        pass_k: dict[str, Any] = {}
        maj_k: dict[str, Any] = {}
        for k in ks:
            eligible = [g for g in self.groups.values() if g[0] >= k]
            entry: dict[str, Any] = {"groups": len(eligible), "excluded_groups": len(sizes) - len(eligible)}
            p = dict(entry, value=safe_div(sum(pass_at_k(g[0], g[1], k) for g in eligible), len(eligible)))
            if self.has_compare:
                p["compare_value"] = safe_div(sum(pass_at_k(g[0], g[2], k) for g in eligible), len(eligible))
            if self.cfg.by:
                p["by"] = self._pass_at_k_by(eligible, k)
            pass_k[str(k)] = p
            if self.votes_found and k <= self.max_votes:
                maj_k[str(k)] = dict(
                    entry, value=safe_div(sum(majority_correct(g[3], k) for g in eligible), len(eligible))
                )
        if not self.votes_found:
            maj_k = {"unavailable": f"no result has details[{self.cfg.vote_key!r}] to vote on; set --vote-key"}
        return info, pass_k, maj_k

    def _pass_at_k_by(self, groups: list[list[Any]], k: int) -> dict[str, dict[str, float | None]]:
        out: dict[str, dict[str, float | None]] = {}
        for i, col in enumerate(self.cfg.by):
            sums: dict[str, list[float]] = {}
            for g in groups:
                acc = sums.setdefault(g[4][i], [0.0, 0])
                acc[0] += pass_at_k(g[0], g[1], k)
                acc[1] += 1
            out[col] = {v: safe_div(s, c) for v, (s, c) in sorted(sums.items(), key=lambda kv: -kv[1][1])[:50]}
        return out

    def _length(self) -> dict[str, Any]:
        if not self.lengths:
            return {"unit": self.cfg.length_unit, "count": 0}
        correct_lengths = [x for x, c in zip(self.lengths, self.length_correct) if c]
        wrong_lengths = [x for x, c in zip(self.lengths, self.length_correct) if not c]
        return {
            "unit": self.cfg.length_unit,
            "count": len(self.lengths),
            "stats": describe(self.lengths, max_distinct=0),
            "mean_correct": safe_div(sum(correct_lengths), len(correct_lengths)),
            "mean_incorrect": safe_div(sum(wrong_lengths), len(wrong_lengths)),
            "pearson_r": pearson(self.lengths, self.length_scores),
            "bins": equal_count_bins(self.lengths, self.length_scores, self.length_correct),
        }

    def _by(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for col, table in self.by.items():
            rows = []
            for value, cat in sorted(table.items(), key=lambda kv: (-kv[1].count, kv[0])):
                entry: dict[str, Any] = {
                    "value": value,
                    "count": cat.count,
                    "mean_reward": safe_div(cat.total, cat.count),
                    "pass_rate": safe_div(cat.correct, cat.count),
                    "statuses": {s: cat.statuses.get(s, 0) for s in STATUSES},
                }
                if self.cfg.label:
                    entry["labels"] = binary_metrics(*cat.confusion)
                if self.has_compare:
                    entry["compare_pass_rate"] = safe_div(cat.compare_correct, cat.count)
                rows.append(entry)
            out[col] = {"distinct": len(table), "capped": len(table) >= MAX_CATEGORIES, "values": rows}
        return out

    def _labels(self) -> dict[str, Any] | None:
        if not self.cfg.label:
            return None
        metrics = binary_metrics(*self.confusion)
        out: dict[str, Any] = {
            "column": self.cfg.label,
            "found": self.label_seen,
            "labelled": metrics["n"],
            "missing": self.label_missing,
            "invalid": self.label_invalid,
            "unreadable_rows": self.label_unreadable,
            "excluded": self.label_missing + self.label_invalid + self.label_unreadable,
            "disagreements": metrics["fp"] + metrics["fn"],
            **{k: v for k, v in metrics.items() if k != "n"},
            "by_status": {
                s: {"true": c.get("true", 0), "false": c.get("false", 0)} for s, c in self.label_by_status.items()
            },
        }
        if self.has_compare:
            out["compare"] = binary_metrics(*self.compare_confusion)
        return out

    def _compare(self) -> dict[str, Any] | None:
        if not self.has_compare:
            return None
        n = len(self.compare_scores)
        both, only_a, only_b, neither = self.agree
        return {
            "rows": n,
            "reward": describe(self.compare_scores),
            "statuses": {s: self.compare_statuses.get(s, 0) for s in STATUSES},
            "correct": {"count": self.compare_correct, "rate": safe_div(self.compare_correct, n)},
            "both_correct": both,
            "only_reward_correct": only_a,
            "only_compare_correct": only_b,
            "both_incorrect": neither,
            "agreement": safe_div(both + neither, n),
            "disagreements": self.compare_disagreements,
            "disagreement_rate": safe_div(self.compare_disagreements, n),
            "cohen_kappa": binary_metrics(both, only_a, only_b, neither)["cohen_kappa"],
            "score_pearson_r": pearson(self.scores, self.compare_scores) if n == len(self.scores) else None,
            "mean_abs_score_difference": safe_div(self.score_diff_total, n),
            "status_crosstab": {a: {b: row.get(b, 0) for b in STATUSES} for a, row in self.crosstab.items()},
        }


def _tally(confusion: list[int], predicted: bool, label: bool) -> None:
    # order: tp, fp, fn, tn
    confusion[(0 if label else 1) if predicted else (2 if label else 3)] += 1


def analyse(
    cfg: EvalConfig,
    rows: Iterable[InputRow],
    records: Iterable[dict[str, Any]],
    compare: Iterable[dict[str, Any]] | None = None,
    output: Path | None = None,
    advance: Any = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Join input rows with their stored scores (and compare scores): every statistic, and data for the plots."""
    analysis = Analysis(cfg, has_compare=compare is not None, output=output)
    records_it = iter(records)
    compare_it = iter(compare) if compare is not None else None
    done = 0
    for item in rows:
        record = next(records_it, None)
        if record is None:
            raise StoreError(f"no score for {item.where} (row {item.index}); the scoring pass did not finish")
        cmp = None
        if compare_it is not None:
            cmp = next(compare_it, None)
            if cmp is None:
                raise StoreError(f"no compare score for {item.where} (row {item.index})")
        analysis.add(item, record, cmp)
        done += 1
        if advance is not None and done % 4096 == 0:
            advance(4096)
    if advance is not None:
        advance(done % 4096)
    if cfg.label and analysis.rows and not analysis.label_seen:
        raise InputError(f"{cfg.input}: label column {cfg.label!r} is in no row")
    return analysis.finish(), {"length_points": analysis.length_points()}
