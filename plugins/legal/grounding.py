"""The `legal_grounding` verifier: every authority the answer cites appears in the sources given with the prompt."""

from __future__ import annotations

import functools
from typing import Any

from verifiers import Result, Sample, Verifier
from verifiers.rules import fired_record, source_texts
from verifiers.rules.citation_rule import normalise

from ..chat_context import context_text
from .citations import Citation, case_names, find_citations
from .provisions import find_authorities, grounded, source_keys

UNSOURCED = ("neutral", "ungrounded")


class Grounding(Verifier):
    """Every case, statute, section, Act and law report cited (any country) appears in the sources (nothing invented)."""

    name = "legal_grounding"

    def __init__(
        self,
        sources_key: str = "sources",
        check_case_names: bool = True,
        min_citations: int = 0,
        use_context: bool = True,
        unsourced: str = "neutral",
    ):
        if min_citations < 0:
            raise ValueError("min_citations must be >= 0")
        if unsourced not in UNSOURCED:
            raise ValueError(f"unsourced must be one of {', '.join(UNSOURCED)}, not {unsourced!r}")
        self.unsourced = unsourced
        self.sources_key = sources_key
        self.use_context = use_context
        self.check_case_names = check_case_names
        self.min_citations = min_citations

    def params(self) -> dict[str, Any]:
        """Settings, for repr."""
        return {
            "sources_key": self.sources_key,
            "check_case_names": self.check_case_names,
            "use_context": self.use_context,
            "unsourced": self.unsourced,
        }

    def check(self, sample: Sample) -> Result:
        """Match citations by (volume, reporter, page) or (title, code, section); case names by their parties.

        The sources are metadata's sources (or the prompt), and also the prompt and earlier chat turns: an
        authority quoted by the user, or cited in an earlier answer, may be cited again. When the row gives no
        sources and nothing before the answer cites any authority, there is nothing to ground against: a
        well-formed citation is left unchecked (`unsourced="neutral"`, the default) rather than counted as
        invented; a malformed one still counts as ungrounded. `unsourced="ungrounded"` counts them all.
        """
        sources = source_texts(sample, self.sources_key)
        before = context_text(sample) if self.use_context else ""
        if before.strip() and sources is not None and before not in sources:
            sources = [*sources, before]
        elif before.strip() and sources is None:
            sources = [before]
        if sources is None:
            return self.unverifiable(f"no sources: give metadata '{self.sources_key}' or a prompt that contains them")
        source_text = "\n".join(sources)
        source_cites, keys, years, subsections, volumes, names, normed = _source_index(source_text)
        other_keys = source_keys(source_text)
        unsourced = (
            self.unsourced == "neutral"
            and sample.metadata.get(self.sources_key) is None
            and not source_cites
            and not names
            and not any(other_keys.values())
        )
        items: list[tuple[str, str, list[int], bool]] = []
        left: list[Citation] = []
        cites = find_citations(sample.text)
        for c in cites:
            if unsourced and not c.problems:
                left.append(c)
                continue
            if c.kind == "short_case":
                ok = c.key in volumes
            elif c.key[0] == "?":
                ok = normalise(c.text) in normed
            else:
                ok = c.key in keys and _same_subsection(c, subsections) and _same_year(c, years)
            items.append(("citation", c.text, [c.start, c.end], ok))
        # provisions, named Acts, EU instruments and non-US law reports: unchecked without sources, like US citations
        if not unsourced:
            for a in find_authorities(sample.text, [(c.start, c.end) for c in cites]):
                items.append((a.kind, a.text, [a.start, a.end], grounded(a, other_keys)))
        if self.check_case_names and not unsourced:
            for first, second, start, end in case_names(sample.text):
                ok = (first, second) in names or _same_parties(first, second, names, normed)
                items.append(("case_name", sample.text[start:end], [start, end], ok))
        details: dict[str, Any] = {
            "checked": [{"kind": k, "text": t, "span": s, "grounded": ok} for k, t, s, ok in items[:200]],
            "sources": len(sources),
        }
        if left:
            details["unsourced"] = [{"text": c.text, "span": [c.start, c.end]} for c in left[:200]]
        bad = [i for i in items if not i[3]]
        details["fired"] = [
            fired_record(
                f"legal.grounding.ungrounded_{kind}",
                "Cite only authorities that appear in the sources.",
                span=span,
                kind="ungrounded",
                detail=f"{text!r} is not in the sources",
            )
            for kind, text, span, _ in bad
        ]
        n_cites = sum(1 for i in items if i[0] == "citation")
        if n_cites < self.min_citations:
            details["fired"].append(
                fired_record(
                    "legal.grounding.too_few",
                    "Cite the sources that support the answer.",
                    kind="too_few",
                    detail=f"{n_cites} citation(s), need {self.min_citations}",
                )
            )
            return self.failed(f"{n_cites} citation(s), need at least {self.min_citations}", **details)
        if not items:
            if left:
                return self.passed(f"no sources given: {len(left)} well-formed citation(s) left unchecked", **details)
            return self.passed("no citations or case names to ground", **details)
        score = (len(items) - len(bad)) / len(items)
        if not bad:
            return self.passed(f"all {len(items)} authorities appear in the sources", score=score, **details)
        listed = ", ".join(repr(t) for _, t, _, _ in bad[:10])
        return self.failed(
            f"{len(bad)} of {len(items)} authorities not in the sources: {listed}", score=score, **details
        )


@functools.lru_cache(maxsize=512)
def _source_index(source_text: str) -> tuple:
    """What the sources cite, read once per source text (the rollouts of one prompt share their sources)."""
    cites = find_citations(source_text)
    return (
        cites,
        {c.key for c in cites},
        _years(cites),
        _subsections(cites),
        {(c.key[0], c.key[1]) for c in cites if c.kind == "case"},
        {(a, b) for a, b, _, _ in case_names(source_text)},
        normalise(source_text),
    )


def _same_parties(first: str, second: str, names: set[tuple[str, str]], normed: str) -> bool:
    """A case name shortened differently from the sources ("Spandeck Engineering v Defence" for their
    "Spandeck Engineering (S) Pte Ltd v Defence"): the same second party, and the first word in the sources."""
    return any(b == second for _, b in names) and f" {first} " in normed


def _years(cites: list[Citation]) -> dict[tuple, set[int]]:
    """The years the sources give for each case citation."""
    out: dict[tuple, set[int]] = {}
    for c in cites:
        if c.kind == "case" and c.parts.get("year"):
            out.setdefault(c.key, set()).add(c.parts["year"])
    return out


def _same_year(cite: Citation, years: dict[tuple, set[int]]) -> bool:
    """A case the sources date differently ("347 U.S. 483 (1964)" for their "(1954)") is a mismatched citation."""
    given = years.get(cite.key)
    year = cite.parts.get("year")
    return cite.kind != "case" or not given or year is None or year in given


def _subsections(cites: list[Citation]) -> dict[tuple, set[str] | None]:
    """For each statute section in the sources, the subsections cited there (None: the whole section)."""
    out: dict[tuple, set[str] | None] = {}
    for c in cites:
        if c.kind != "statute":
            continue
        section = str(c.parts.get("section", "")).lower()
        if "(" not in section:
            out[c.key] = None
        elif out.get(c.key, set()) is not None:
            out.setdefault(c.key, set()).add(section)  # type: ignore[union-attr]
    return out


def _same_subsection(cite: Citation, subsections: dict[tuple, set[str] | None]) -> bool:
    """A subsection the sources do not cite ("§ 206(z)" when they give only "§ 206(d)") is not grounded."""
    if cite.kind != "statute":
        return True
    given = subsections.get(cite.key)
    section = str(cite.parts.get("section", "")).lower()
    if given is None or "(" not in section:
        return True
    return any(section.startswith(g) or g.startswith(section) for g in given)
