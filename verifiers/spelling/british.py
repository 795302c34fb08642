"""British spellings accepted by rewriting them to their American forms (favour, organise, paediatric)."""

from __future__ import annotations

import re

# Regular British -> American correspondences; each is tried alone and then in pairs.
REWRITES = [
    (re.compile(r"our(?=s?$|ed$|ing$|ite|able|ful|less|ism|er)"), "or"),  # colour, favourite, behaviour
    (re.compile(r"is(?=e$|es$|ed$|ing$|er$|ers$|ation|ational)"), "iz"),  # organise, randomisation
    (re.compile(r"ys(?=e$|es$|ed$|ing$)"), "yz"),  # analyse, paralysed
    (re.compile(r"tre(?=s?$|d$)"), "ter"),  # centre, litres
    (re.compile(r"ogue(?=s?$)"), "og"),  # catalogue
    (re.compile(r"ence(?=s?$)"), "ense"),  # defence, licence
    (re.compile(r"ae"), "e"),  # paediatric, anaemia, haemorrhage
    (re.compile(r"oe"), "e"),  # oesophagus, oestrogen, diarrhoea
    (re.compile(r"amme(?=s?$)"), "am"),  # programme
    (re.compile(r"ll(?=ed$|ing$|er$|ers$|ation)"), "l"),  # travelled, cancelling
    (re.compile(r"oeuvre"), "euver"),  # manoeuvre
    (re.compile(r"ould(?=s?$|ed$|ing$|er)"), "old"),  # mould, smouldering
    (re.compile(r"inium$"), "inum"),  # aluminium
    (re.compile(r"eque(?=s?$)"), "eck"),  # cheque
    (re.compile(r"ement(?=s?$)"), "ment"),  # judgement, acknowledgement
]


def american_forms(word: str) -> list[str]:
    """American spellings a (lowercase) British spelling could stand for; empty when no rule applies."""
    singles = []
    for pattern, repl in REWRITES:
        new = pattern.sub(repl, word)
        if new != word:
            singles.append(new)
    out = list(singles)
    for s in singles:
        for pattern, repl in REWRITES:
            new = pattern.sub(repl, s)
            if new != s and new not in out:
                out.append(new)
    return out
