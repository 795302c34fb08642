"""Finding the final answer in a completion, by strategies tried in a configurable priority order.

Strategies (default order): `boxed` (the last `\\boxed{}`/`\\fbox{}`, nested braces matched),
`answer_tag` (`<answer>...</answer>`), `final_answer` ("the final answer is ...", "Answer: ..."),
`math_span` (the last `$...$`, `$$...$$`, `\\(...\\)`, `\\[...\\]`), `last_expression` (the last
line if it is mathematics, else the right side of its last `=`, else the last number). `whole`
takes the whole text; gold answers use it in place of the last two. When a completion has a
`</think>` block, the text after it is searched first.

Answers in other languages are found by their own phrases ("答案是", "Ответ:", "la réponse est",
...), after digits of other scripts and full-width punctuation are read as ASCII; a number is never
taken from inside a word (`BQX7Z3`, `H2O`, `COVID-19`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .cleaning import script_digits, undouble_backslashes, unglue_list_words
from .parser import FUNCTIONS

STRATEGIES = ("boxed", "answer_tag", "final_answer", "math_span", "last_expression", "whole")
DEFAULT_PRIORITY = ("boxed", "answer_tag", "final_answer", "math_span", "last_expression")
_GOLD_FALLBACK = ("whole",)

# Phrases that introduce the final answer, English first, then other languages (a copula or a colon
# is required where the bare word is common in running text).
# A choice letter: upper case, or lower case in brackets, not the start of a word or an equation.
_CHOICE_LETTER = r"(?-i:\([A-Ea-e]\)|[A-E](?![\w']|\s*[=+\-*/^<>]))"
_PHRASE = re.compile(
    r"(?:final\s+answer|the\s+answer|answer|the\s+result)\s*(?:is|:|=|\*\*\s*:?)\s*:?"
    r"|final\s+answer(?=[\s*#]*\n)|(?:^|(?<=\s))####|(?:correct|right|best)\s+(?:option|choice)\s*(?:is|:)"
    # a choice stated in other words, where a choice letter follows: "I choose B", "Option C: 12", "故选B", 【答案】C
    r"|(?:choose|chose|pick|picked|select|selected|go\s+with)\s+(?:option\s+|choice\s+|answer\s+)?(?=_CHOICE_)"
    r"|(?<!\w)(?:option|choice)\s*(?=_CHOICE_(?:\s*:|\s+is\s+(?:the\s+)?(?:correct|right|best|answer)|[.!]?\s*$))"
    r"|选(?:择)?\s*:?\s*(?=_CHOICE_)|答案\s*】"
    # Chinese, Japanese, Korean
    r"|(?:最终|最終|最后|最後)答案\s*(?:应该|應該|应|應|就)?\s*(?:是|为|為|:|=)?"
    r"|答案\s*(?:应该|應該|应|應|就)?\s*(?:是|为|為|:|=)|(?<![解回])答\s*:|(?:结果|結果)\s*(?:是|为|為|:)"
    r"|答え\s*(?:は|が|:)|(?:解答|正解)\s*(?:は|が)"  # 解答：heads a whole solution in Chinese
    r"|(?:최종\s*)?(?:정답|(?<![\uac00-\ud7af])답)\s*(?:은|는|:)"  # not 해답 (solution) or 대답 (reply)
    # Arabic, Persian, Hindi, Bengali
    r"|(?:ال)?(?:إجابة|اجابة|جواب)(?:\s+(?:ال)?(?:نهائية|نهائي|صحيحة|صحيح))?\s*(?:هي|هو|:|=)"
    r"|پاسخ(?:\s+نهایی)?\s*(?:است|:)"
    r"|(?:अंतिम\s+)?(?:उत्तर|जवाब)(?![\u0900-\u097f])\s*(?:है|:|=)?"
    r"|উত্তর(?![\u0980-\u09ff])\s*(?:হল|হলো|:)?"
    # Russian, Ukrainian, Polish
    r"|(?<!\w)(?:окончательный\s+|итоговый\s+)?ответ\s*(?::|=|—|–|-|равен|будет)"
    r"|(?<!\w)відповідь\s*(?::|=|—|–|-|дорівнює)|(?<!\w)odpowied[źz]\s*(?::|=|to\b)"
    # French, Spanish, Portuguese, Italian
    r"|(?<!\w)(?:la\s+)?réponse(?:\s+finale)?\s*(?:est|:|=)"
    r"|(?<!\w)(?:la\s+)?respuesta(?:\s+final)?\s*(?:es|:|=)"
    r"|(?<!\w)(?:a\s+)?resposta(?:\s+final)?\s*(?:é|:|=)"
    r"|(?<!\w)(?:la\s+)?risposta(?:\s+finale)?\s*(?:è|:|=)"
    r"|(?<!\w)(?:le|el|o|il)\s+(?:résultat|resultado|risultato)(?:\s+finale?)?\s*(?:est|es|é|è|:)"
    # German, Dutch
    r"|(?<!\w)(?:die\s+)?(?:endgültige\s+)?antwort\s*(?:ist|lautet|:|=)"
    r"|(?<!\w)(?:das\s+)?ergebnis\s*(?:ist|lautet|:)|(?<!\w)(?:het\s+)?antwoord\s*(?:is|:)"
    # Turkish, Vietnamese, Indonesian and Malay, Swahili, Thai
    r"|(?<!\w)(?:cevap|yanıt)(?!\w)\s*:?|(?<!\w)sonuç\s*:"
    r"|(?<!\w)(?:đáp\s+án|đáp\s+số|câu\s+trả\s+lời)(?:\s+cuối\s+cùng)?\s*(?:là|:|=)?"
    r"|(?<!\w)kết\s+quả\s*(?:là|:|=)"
    r"|(?<!\w)jawap?an(?:nya)?(?:\s+akhir(?:nya)?)?\s*(?:adalah|ialah|:|=)"
    r"|(?<!\w)jibu\s*(?:ni\b|:)|คำตอบ(?:สุดท้าย)?\s*(?:คือ|:)?",
    re.IGNORECASE | re.MULTILINE,
)
_PHRASE = re.compile(_PHRASE.pattern.replace("_CHOICE_", _CHOICE_LETTER), _PHRASE.flags)
_CHOICE_AT = re.compile(_CHOICE_LETTER + r"(?=\s*(?:[,;.!:)]|$|\s(?:not|is|or)\b|\$|\\\())")
_CHOICE_ONLY = re.compile(_CHOICE_LETTER)
_CHOICE_WORD = re.compile(r"choose|chose|pick|select|go\s+with|option|choice|选", re.IGNORECASE)
_DISPLAY_CLOSE = re.compile(r"\$|\\\]|\\\)")
# A value made precise later in the sentence: "between 10 and 20; precisely, it is 15".
_REFINED = re.compile(
    r"[;,.]\s*(?:more\s+)?(?:precisely|exactly|specifically|in fact|actually|to be (?:exact|precise))\b[\s,:]*",
    re.IGNORECASE,
)
# A duration in two units: "2 hours and 30 minutes", "2 h 15 min".
_DURATION = re.compile(
    r"\d+(?:\.\d+)?\s*(?:hours?|hrs?|h)\s*(?:,\s*)?(?:and\s+)?\d+(?:\.\d+)?\s*(?:minutes?|mins?|min)\b",
    re.IGNORECASE,
)
_REFERS_BACK = {"which", "this", "that", "it"}
# A last sentence that states a number ("The larger number is 12."): it answers after the working.
_STATES_NUMBER = re.compile(r"\b(?:is|are|equals|was)\s+\$?[-\d][\d,.]*(?:\s+[A-Za-z]+){0,2}\s*[.!]?\s*$")
_NEGATED = re.compile(r"not\s", re.IGNORECASE)
_NEGATION_END = re.compile(r"[;,]|\s(?:but|rather|instead)\b", re.IGNORECASE)
_BOXED_PROSE = re.compile(r"\\(?:text|textrm|textnormal|mbox)\s*\{([^{}]{1,300})\}\s*\.?")
_CHOICE_IN_PROSE = re.compile(r"\(([A-E])\)|([\u2460-\u2473])")
# A remark in \text{} after an expression: `f(x) = x \\text{ for all } x`.
_QUALIFIER = re.compile(r"\s*,?\s*\\(?:text|textrm|mbox)\s*\{\s*(?:for|where|when|if|since|because)\b")
_YES_NO = re.compile(r"\**(yes|no)\b\**(?=\s*(?:[,.:;!\u2014-]|$))", re.IGNORECASE)
# A unit after a number in prose ("2.5 kJ", "340 m/s", "3 μC", "2.5 hours"), as the parser reads units.
_CORRECTION = re.compile(r"\b(?:correct(?:ed|ion)?|actually|wait|mistake|wrong|instead it)\b", re.IGNORECASE)
_PI_AFTER = re.compile(r"\s?(?:π|\\pi)(?![A-Za-z])")  # a multiple of pi written in prose: "9π", "12 \pi"
_UNIT_AFTER = re.compile(
    r"\s?(?:[kMGmμnc]?(?:J|W|V|A|C|Hz|N|Pa|g|m|s|L|mol)|km/h|mph|ms|cm|mm|km|kg|mg|mL|ml|nm|"
    r"(?:second|minute|hour|day|week|month|year)s?)(?:\^?[23])?(?:/[A-Za-z]{1,4}(?:\^?[23])?)?(?=[.,;]?(?:\s|$))"
)
_NUMBER_WORD = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million)"
)
# A run of English number words ("twelve", "twenty-four", "one hundred"), not "one" after "no"/"any"/"some"/"the".
_NUMBER_WORDS = re.compile(
    rf"(?<![\w-])(?<!no )(?<!any )(?<!some )(?<!the )(?:{_NUMBER_WORD}(?:[- ](?:and )?{_NUMBER_WORD})*)(?![\w-])",
    re.IGNORECASE,
)
# The thing a short sentence names after its verb: "The shape is a rhombus.", "It falls on a Wednesday."
_NAMED_ANSWER = re.compile(
    r"\b(?:is|are|was|were|on)\s+(?:an?\s+|the\s+)?([A-Za-z][A-Za-z-]*(?:\s+[A-Za-z][A-Za-z-]*){0,2})\s*[.!]?$"
)
_DELIMITER = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\\$|\$")
_CLOSER = {"$$": "$$", "\\(": "\\)", "\\[": "\\]", "$": "$"}
_SPAN_LIMIT = {"$$": 2000, "\\(": 2000, "\\[": 2000, "$": 500}
# "and"/"or" in the languages of _PHRASE, between items of a list.
_LIST_WORD = (
    r"\b(?:and|or|et|ou|y|o|e|und|oder|и|или|ve|veya|và|hoặc|dan|atau)\b|和|与|與|及|或|且|と|및|또는|و|أو|और|या"
)
# "and on", "or in": the same statement about a second span ("increasing on $(a, b)$ and on $(c, d)$").
_CONNECTOR = re.compile(rf"\s*(?:,|;|(?:,\s*)?(?:{_LIST_WORD})(?:\s+(?:on|in|at)\b)?)\s*", re.IGNORECASE)
_COPULA = re.compile(r"\s(?:is|are|equals|was)\s", re.IGNORECASE)
_BOX = re.compile(r"\\(?:boxed|fbox)(?:\s*\{|\s+([^\s${}]+))")
_BOX_GAP = re.compile(
    r"(?:\s|\$|\*|,|;|\\[()\[\]]|\\quad|\\qquad|\\text\{[^{}$\d]{0,40}\}|\b[a-zA-Z](?:_\{?\w{1,3}\}?)?\s*="
    rf"|{_LIST_WORD})*",
    re.IGNORECASE,
)
# A unit word then "and"/"or" between two boxes: "\\boxed{1} papers and \\boxed{2} bins".
_BOX_GAP_UNIT = re.compile(rf"[\s$*]*[A-Za-z]{{1,12}}\.?\s*(?:,\s*)?(?:{_LIST_WORD})[\s$*]*", re.IGNORECASE)
_BOX_GAP_LIMIT = 200
# Words that open a conclusion, in the languages of _PHRASE.
_CONCLUSION = re.compile(
    r"\b(?:therefore|thus|hence|so|consequently|finally|in total|in all|altogether|overall|donc|ainsi|"
    r"por lo tanto|entonces|also|daher|somit|insgesamt|quindi|portanto|logo|vậy|do đó|jadi|dolayısıyla|"
    r"поэтому|итак|значит)\b|所以|因此|因而|综上|故|よって|したがって|따라서|لذلك|إذن|अतः|इसलिए",
    re.IGNORECASE,
)
_QA_PREFIX = re.compile(r"^(?:A|Ans)\s*[:.]\s+")
_BULLET = re.compile(r"^[-*+\u2022][ \t]+")
_STRONG_FINAL = re.compile(r"final\s+answer\s*(?:is|:)", re.IGNORECASE)
# Words every phrase of _PHRASE contains (lower case), and how far before one a phrase may start.
_TRIGGERS = tuple(
    (
        "answer|result|option|choice|choose|chose|pick|select|go with|选|####|答|结果|結果|正解|답|إجابة|اجابة|جواب|پاسخ|उत्तर|जवाब|উত্তর|ответ|"
        "відповідь|odpowied|réponse|respuesta|resposta|risposta|résultat|resultado|risultato|antwort|ergebnis|"
        "antwoord|cevap|yanıt|sonuç|đáp|câu trả lời|kết quả|jawa|jibu|คำตอบ"
    ).split("|")
)
_TRIES_PER_TRIGGER = 16
_PHRASE_LEAD = 24
_TRAILING_CLAUSE = re.compile(
    r"\s(?:because|since|as|which|so|when|where|if|for|but|and\s+(?:this|that|it))\s|,\s*not\s|\s\u2014\s"
    r"|,?\s+(?:i\.e\b|e\.g\b|that is\b|namely\b)"
    # a bracket after the value: a remark in any script, or a computation ("45 (9 × 5)")
    r"|\s\((?=[^\W\d_]{2,})|\s\((?=\d[\d\s.,]*[×·*+=/-])",
    re.IGNORECASE,
)
_BRACE = re.compile(r"[{}\\]")
_PHRASE_AFTER = re.compile(
    r"(?:\$([^$\n]{1,100})\$|([^\s$]{1,60}))\s+is\s+(?:the|our|my)\s+(?:final\s+)?answer", re.IGNORECASE
)
# A clause that justifies an answer stated before it, a word that resumes the conclusion after one, a word
# that states a value just before it, a sentence that is a remark after the conclusion.
_JUSTIFY = re.compile(
    r"(?<![\w\\])(?:since|because|as|where|whereas|for|from|with|using|indeed|check(?:ing)?|"
    r"verif(?:y|ied|ying)|attained|achieved|at|when|whenever|given|approximately|roughly|appearing|occurring|"
    # German, French, Spanish, Portuguese, Italian, Russian
    r"denn|weil|da|car|puisque|porque|pues|ya\s+que|perch[ée]|poiché|так\s+как|потому\s+что|поскольку)(?![\w])"
    r"|\s\u2014\s|,\s*not\s|因为|因為|由于|由於|なぜなら"
    # a follow-on value after a semicolon: "$x = \\frac{\\pi}{6}$; the next one is ..."
    r"|;\s+(?:the\s+)?(?:next|other|another|second|following)\b"
    # a comparison with another value after the stated one: ", which is 20 km/h faster than", ", an increase of"
    r"|,\s*(?=which\s+is\s[^.,;\n]{0,60}\bthan\b)"
    r"|,\s*an?\s+(?:increase|decrease|rise|drop|gain|loss|difference)\s+of\b"
    # a bracket after the value: a remark in any script ("(проверка: ...)", "（检验：...）"), a computation, a span
    r"|(?<=[\s#])\((?![ivxIVX]{1,4}\))(?=[^\W\d_]{2,}|#|\d[\d\s.,]*[×·*+=/-])",
    re.IGNORECASE,
)
_RESUME = re.compile(r"\b(?:so|thus|hence|therefore|giving|the answer|we get|we obtain)\b|所以|因此", re.IGNORECASE)
_STATING = re.compile(
    r"(?:\b(?:is|are|was|were|equals?|be|becomes?|to|gives?|get|gets|got|obtain|yields?|attains?|reaches|"
    r"value|answer|conclude|find|have|has|ist|sind|est|es|é|è|равн[ао]|равен)|[=:是为為])[\s*$]*$",
    re.IGNORECASE,
)
# For a number in prose, also a verb a few words before it: "beträgt der Umfang 18", "needs 14 more".
_STATING_NUMBER = re.compile(
    r"\b(?:is|are|was|were|equals|beträgt|ergibt|vaut|needs?|costs?|takes?|makes?)(?:\s+[^\W\d]+){1,3}\s*[$€£¥]?$",
    re.IGNORECASE,
)
_RELATION = re.compile(r"[=<>]|\\(?:le|ge|leq|geq|ne|neq|in)\b")
_REMARK = re.compile(
    r"[\s*#]*(?:\((?![A-Za-z]\)|[ivxIVX]{1,4}\))|(?:check|verif\w*|sanity|note|indeed)\b|for comparison|as a check|"
    r"substitut\w* back|this (?:is consistent|agrees|matches|checks)|for (?:larger|smaller|other|example|instance)\b|"
    r"by symmetry|similarly|likewise|in the same way|"
    r"(?:this|that)(?:'s|\s+is)\s+(?:well|within|less|more|faster|slower|larger|smaller|greater|cheaper|"
    r"consistent|reasonable|plausible|expected)\b|проверка|检验|验证|"
    # a named remark or check in other words and languages: "Remark: ...", "Probe: ...", "Observación: ..."
    r"(?:remark|comment|double[- ]check\w*|alternative(?:ly)?|zum vergleich|probe|observaci[óo]n|"
    r"comprobaci[óo]n|verificaci[óo]n|observe que|nota|it(?:'s|\s+is)\s+worth)\b|検算|なお)",
    re.IGNORECASE,
)
_SENTENCE_WINDOW = 3000
_TRAILS_OFF = re.compile(r"\d\.\d+\s*(?:\.{3}|\u2026)$")  # a line ending in a decimal that trails off: 0.1666...
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)(?!\d)|\n")
# A clock time (7:05 PM, 19:05:00, 3 pm) is one number; then numbers with thousands, decimals, fractions, percents.
_NUMBER = re.compile(
    r"\d{1,2}(?::\d{2}(?::\d{2})?(?:\s*[AaPp]\.?\s?[Mm]\.?(?![A-Za-z]))?|\s*[AaPp]\.?\s?[Mm]\.?(?![A-Za-z]))(?!\d)|"
    r"[-+\u2212]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d++)?(?![\d,])"
    r"|(?<!\d,)\d++,\d++(?![\d,])|\d++)(?:\.\d++)?(?:\s*/\s*\d++(?:\.\d++)?)?"
    r"(?:\s*(?:\\?%|percent))?"
)
# Possessive digits and no start inside a number: a long run of digits is one failed attempt, not n.
_LIST_ITEM = r"(?:[A-Za-z](?:_\{?\w{1,3}\}?)?\s*=\s*)?[-+]?(?<![\d.])\d++(?:\.\d++)?"
_LIST_OF_NUMBERS = re.compile(
    rf"{_LIST_ITEM}(?:\s*(?:,(?:\s*(?:and|or)\b)?|;|{_LIST_WORD})\s*{_LIST_ITEM})+", re.IGNORECASE
)
_TOKEN = re.compile(r"\\[A-Za-z]+|[^\W\d_]+|\d+|[^\w\s]")
_UNIT_WORDS = re.compile(r"\s*[A-Za-z]+(?:[ /][A-Za-z]+)?(?:\^\d)?")
_BOLD = re.compile(r"\*\*([^*\n]{1,80})\*\*")
_SCRIPTS_WITHOUT_SPACES = ((0x0E00, 0x0E7F), (0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF))
_WORD = re.compile(r"[A-Za-z]{3,}")
_KNOWN_WORDS = set(
    "frac dfrac tfrac sqrt sin cos tan cot sec csc log exp text pi infty cdot times left right boxed "
    "begin end pmatrix bmatrix matrix mathrm circ arcsin arccos arctan sinh cosh tanh cup cap leq geq "
    "neq pm emptyset varnothing mathbf quad binom lfloor rfloor lceil rceil langle rangle displaystyle "
    "approx infinity textbf gcd lcm mod max min ceil floor det operatorname alpha beta gamma delta theta "
    "lambda sigma omega phi mathbb setminus vert lvert rvert dots ldots cdots and "
    # sympy's printing: Rational(3, 4), Union(Interval.open(-oo, -1), ...), FiniteSet(1, 2)
    "rational integer float interval union intersection finiteset complement open lopen ropen matrix "
    "piecewise emptyset reals integers naturals symbol tuple".split()
) | {name.lower() for name in FUNCTIONS}  # and plain-CAS names: atan(1), factorial(5), abs(x)
_THINK_END = "</think>"
# Short words of prose that are never mathematics between spaces (longer words are checked one by one).
_SHORT_PROSE = re.compile(r"(?:^|(?<=\s))(?:is|it|be|of|to|we|so|are|was|has)(?=\s)", re.IGNORECASE)
_FENCE = re.compile(r"`{3,}[\w-]*")
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\{[A-Za-z*]+\}")
_COMMAND = re.compile(r"\\[A-Za-z]+")


def answer_tag(text: str, name: str = "answer") -> str | None:
    """Content of the last `<answer>...</answer>` (linear time), or None."""
    close = text.lower().rfind(f"</{name}>")
    if close < 0:
        return None
    lower = text.lower()
    open_at = lower.rfind(f"<{name}", 0, close)
    if open_at < 0:
        return None
    start = text.find(">", open_at)
    if start < 0 or start >= close:
        return None
    return text[start + 1 : close].strip()


def final_answer(text: str) -> str | None:
    """The answer stated after the last answer phrase ("the final answer is", "Answer:", "答案是",
    "Ответ:", "la réponse est", ...), or None.

    Within that sentence, a lead-in without numbers ("The volume of $V$ is 120") is skipped.
    "X is the answer" is read too.
    """
    last = _last_phrase(text)
    if last is None:
        if "answer" not in text.lower():
            return None
        before = None
        for m in _PHRASE_AFTER.finditer(text):
            before = m
        if before is None:
            return None
        if (before.group(2) or "").lower() in _REFERS_BACK:  # "we get $\\frac{x+1}{x-1}$, which is the answer"
            head = text[max(0, before.start() - 2000) : before.start()]
            return _connected_spans(head, first=False) or (numbers(head) or [None])[-1]
        return (before.group(1) or before.group(2)).strip() or None
    rest = text[last.end() : last.end() + 2000].lstrip(" \t*:")
    if rest.startswith("}") and "\\text" in text[max(0, last.start() - 16) : last.start()]:
        rest = _DISPLAY_CLOSE.split(rest[1:], 1)[0]  # $$\\text{Answer: } 0.35$$: the phrase is inside the math
    if rest.startswith("\n") or "\n" in last.group(0):
        rest = _BULLET.sub("", rest.lstrip(), count=1)  # "**Answer:**\n\n- 12"
    letter = (_CHOICE_ONLY if _CHOICE_WORD.search(last.group(0)) else _CHOICE_AT).match(rest)
    if letter is not None:
        return _choice_answer(rest, letter)
    if _NEGATED.match(rest):
        rest = _after_negation(rest)  # "The answer is not 5; it is 6."
    yes_no = _YES_NO.match(rest)
    if yes_no:
        return yes_no.group(1).capitalize()  # "The answer is yes: take $a = 1$."
    refined = _last_match(_REFINED, rest, len(rest.split("\n", 1)[0]))
    after = rest[refined.end() :].split("\n", 1)[0] if refined is not None else ""
    if any(c.isdigit() or c in "$\\" for c in after):
        rest = rest[refined.end() :]  # "between 10 and 20; precisely, it is 15"; not "5, exactly as expected"
    spans = math_spans(rest)
    if spans and spans[0][0] == 0 and "\n" in spans[0][2]:
        return _connected_spans(rest, first=True, spans=spans)  # a display span over several lines
    line = rest.split("\n", 1)[0]
    masked = list(line)
    for a, b, _ in math_spans(line):
        masked[a:b] = "#" * (b - a)
    masked = "".join(masked)
    end = _SENTENCE_END.search(masked)
    if end is not None:
        line, masked = line[: end.start()], masked[: end.start()]
    start = 0
    for m in _COPULA.finditer(masked):
        if not any(c.isdigit() for c in masked[: m.start()]):
            start = m.end()
    line = line[start:]
    masked = masked[start:]
    tail = _TRAILING_CLAUSE.search(masked)
    if tail is not None and tail.start() > 0:
        line = line[: tail.start()]
    spans = _connected_spans(line, first=True)
    if spans:
        return spans
    out = _answer_core(line.strip().strip("*").strip())
    if not any(c.isalnum() for c in out):
        return None  # "The answer is $": nothing stated
    if len(out.split()) > 6 and not any(c.isdigit() or c == "\\" for c in out):
        return None  # "Answer:\nTo solve this, we first ...": a solution follows, not an answer
    return out


def _last_match(pattern: re.Pattern, text: str, end: int, start: int = 0) -> re.Match | None:
    """The last match of `pattern` in text[start:end], or None."""
    last = None
    for last in pattern.finditer(text, start, end):  # noqa: B007 (the loop keeps the last one)
        pass
    return last


def _after_negation(rest: str) -> str:
    """What follows a negated value on its line ("not 5; it is 6" -> "it is 6"), or "" when nothing does."""
    line = rest.split("\n", 1)[0]
    m = _NEGATION_END.search(_masked(line, math_spans(line)))
    return line[m.end() :] if m else ""


def _choice_answer(rest: str, letter: re.Match) -> str:
    """A choice letter and, where one follows on its line, its value: "C, not B" -> `C`, "C) 12" -> `C) 12`,
    "(A) $\\frac{3}{4}$" -> `(A) \\frac{3}{4}`, "Choice C: 12" -> `(C) 12`."""
    mark = letter.group(0)
    after = rest[letter.end() : letter.end() + 300].split("\n", 1)[0]
    value = after.lstrip(" :).").rstrip().rstrip(".").strip()
    spans = math_spans(value)
    if spans and spans[0][0] == 0:
        value = spans[0][2]
    if value and after[:1] in ":). $" and looks_like_expression(value) and any(c.isdigit() or c == "\\" for c in value):
        return f"({mark.strip('()').upper()}) {value}"
    return f"({mark[1].upper()})" if mark.startswith("(") else mark


def _last_phrase(text: str) -> re.Match | None:
    """The last answer phrase of `text`.

    Each phrase holds a trigger word; its occurrences are found from the end with `str.rfind` and the
    full pattern is tried only around them (a scan of the whole text with the full pattern costs
    microseconds a character).
    """
    lower = text.replace("\u0130", "I").lower()  # Turkish İ is the common letter whose lower case is longer
    if len(lower) != len(text):  # another such letter: positions would shift
        last = None
        for m in _PHRASE.finditer(text):
            last = m
        return last
    best: re.Match | None = None
    for word in [w for w in _TRIGGERS if w in lower]:
        end = len(lower)
        for _ in range(_TRIES_PER_TRIGGER):
            at = lower.rfind(word, 0, end)
            if at < 0 or (best is not None and at < best.start()):
                break
            found = _phrase_around(text, at)
            if found is not None:
                if best is None or found.start() > best.start():
                    best = found
                break
            end = at + len(word) - 1
    return best


def _phrase_around(text: str, at: int) -> re.Match | None:
    """A phrase match that starts at most `_PHRASE_LEAD` characters before `at` and reaches past it."""
    for start in range(max(0, at - _PHRASE_LEAD), at + 1):
        if start < at - 2 and start > 0 and not text[start - 1].isspace():
            continue  # a phrase starts at a word ("the final answer") or just before its trigger (最终答案, الإجابة)
        m = _PHRASE.match(text, start)
        if m is not None and m.end() > at:
            return m
    return None


def _answer_core(out: str) -> str:
    """The answer inside a sentence of prose: `57` in "57个" is left to cleaning, but "that there are 5
    apples" gives `5`, a bold `**57**` wins, and a number followed by a few words keeps them (units)."""
    if not out or looks_like_expression(out):
        return out
    found = numbers(out)
    if not found:
        return out  # a text answer: "Monday", "星期一"
    for m in reversed(list(_BOLD.finditer(out))):
        inner = m.group(1).strip()
        if _answer_like(inner):
            return inner
    if _LIST_OF_NUMBERS.fullmatch(out):
        return out
    head = _math_prefix(out)
    if head and any(c.isdigit() or c == "\\" for c in head):
        if _UNIT_WORDS.fullmatch(out, len(head)):
            return out  # "10 dollars", "3 hours", "\\frac{1}{2} cup": the parser reads the unit
        return head  # "\\frac{1}{2} of the cake", "x = 5 when y = 2"
    return found[0]


def _math_prefix(text: str) -> str:
    """The leading words of `text` that are mathematics (numbers, LaTeX, operators, one-letter names)."""
    end = 0
    for m in _TOKEN.finditer(text):
        token = m.group(0)
        letter = len(token) == 1 and (token.isascii() or "\u0370" <= token <= "\u03ff")  # x, π
        if token[0].isalpha() and not letter and token.lower() not in _KNOWN_WORDS:
            break  # a word of prose
        if m.start() > 200:
            break
        end = m.end()
    return text[:end].rstrip(" ,;'")


def _answer_like(text: str) -> bool:
    """Bold text that states an answer: a digit, no trailing colon, mathematics or a number and a unit."""
    if not any(c.isdigit() for c in text) or text.endswith(":"):
        return False
    if looks_like_expression(text):
        return True
    first = _NUMBER.match(text)
    return first is not None and len(text[first.end() :].split()) <= 2


def _letter_in_word(c: str) -> bool:
    """A letter of a script written with spaces between words (a digit glued to it is part of the word)."""
    if not c.isalpha():
        return False
    code = ord(c)
    return not any(a <= code <= b for a, b in _SCRIPTS_WITHOUT_SPACES)


def numbers(text: str) -> list[str]:
    """The numbers in prose, in order; never digits from inside a word (`BQX7Z3`, `abc123`, `H2O`, `COVID-19`)."""
    return [value for _, _, value in _number_spans(text)]


def _number_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each number in prose that stands as a word of its own."""
    out = []
    n = len(text)
    for m in _NUMBER.finditer(text):
        value = m.group(0)
        start = m.start()
        before = text[start - 1] if start else " "
        if value[0] in "+-\u2212":
            if _letter_in_word(before):
                continue  # "COVID-19"
            if before.isdigit() or before in ")]}":
                value = value[1:].lstrip()  # "5-3": a minus between numbers, not a sign
        elif _letter_in_word(before) or before in "_^":
            continue
        j = end = m.end()
        while j < n and j - end < 20 and text[j].isascii() and text[j].isalpha():
            j += 1
        if j > end and j < n and "0" <= text[j] <= "9":
            continue  # "7Z3": a code
        out.append((m.start(), end, value.replace("\u2212", "-")))
    return out


def math_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, content) of the `$...$`, `$$...$$`, `\\(...\\)`, `\\[...\\]` spans, in one linear pass.

    An opener left unclosed for too long (a stray dollar sign) is dropped and scanning goes on.
    """
    out: list[tuple[int, int, str]] = []
    open_kind: str | None = None
    open_at = 0
    for m in _DELIMITER.finditer(text):
        d = m.group(0)
        if d == "\\$":
            continue  # an escaped dollar sign
        if open_kind is not None:
            content = text[open_at + len(open_kind) : m.start()] if m.start() - open_at < 3000 else None
            too_long = (
                content is None or len(content) > _SPAN_LIMIT[open_kind] or (open_kind == "$" and "\n" in content)
            )
            if d == _CLOSER[open_kind] and not too_long:
                if content.strip():
                    out.append((open_at, m.end(), content.strip()))
                open_kind = None
                continue
            if not too_long:
                continue  # some other delimiter inside the span
            open_kind = None  # give up on that opener; this delimiter may open a new span
        if d == "$" and _currency_sign(text, m.end()):
            continue
        if d in _CLOSER:
            open_kind, open_at = d, m.start()
    return out


def _currency_sign(text: str, after: int) -> bool:
    """Whether a `$` before a digit is a dollar sign ("costs $8, so 5 cost $40") rather than math mode.

    It is when what follows up to the next `$` does not close like mathematics: it ends in a space after
    more than one word and not after a digit or a bracket, holds a word of prose, or the next `$` is
    itself followed by a digit. LaTeX in between means math.
    The scan stops at the next `$`, so all the calls of one pass read the text once.
    """
    if after >= len(text) or not text[after].isdigit():
        return False
    nxt = text.find("$", after, after + 500)
    if nxt < 0:
        return True
    content = text[after:nxt]
    if "\\" in content:
        return False
    last = content.rstrip()[-1:]
    if text[nxt + 1 : nxt + 2].isdigit() or (content[-1].isspace() and len(content.split()) > 1 and last not in ")]}"):
        # "$12 + $9", "$5 and $7"; "$12 $" and "$3 + 4 = 7 $" are math with a space before the closer
        return not last.isdigit() or text[nxt + 1 : nxt + 2].isdigit()
    return any(w.lower() not in _KNOWN_WORDS for w in _WORD.findall(content))


def _connected_spans(text: str, first: bool, spans: list[tuple[int, int, str]] | None = None) -> str | None:
    """The first (or last) math span of `text` with the spans joined to it by "and", "or" or commas."""
    groups: list[list[tuple[int, int, str]]] = []
    for span in math_spans(text) if spans is None else spans:
        if groups and _CONNECTOR.fullmatch(text[groups[-1][-1][1] : span[0]]):
            groups[-1].append(span)
        else:
            if first and groups:
                break
            groups.append([span])
    if not groups:
        return None
    chosen = groups[0] if first else groups[-1]
    if first:
        head = text[: chosen[0][0]]
        if len(head) > 60 or any(c.isdigit() for c in head):
            return None
    return ", ".join(span[2] for span in chosen) or None


def math_span(text: str) -> str | None:
    """The content of the last `$...$`, `$$...$$`, `\\(...\\)` or `\\[...\\]` span, or None.

    Spans joined only by "and", "or" or commas just before it (`$x=1$ and $x=2$`) are kept together.
    Spans of a remark after the conclusion ("Check: ...", "(Substituting back: ...)") and of a
    justification after the stated answer ("The area is $48$, since the base is $12$") are passed
    over; when the stated answer is a number in prose, None (the last-expression strategy reads it).
    """
    spans = _conclusion_spans(text, math_spans(text))
    if spans is None:
        return None
    if spans and _number_in_later_sentence(text, spans[-1]):
        return None  # "... $d = \\frac{90}{n}$ ... . Therefore, there are 12 sequences.": the prose answers
    return _connected_spans(text, first=False, spans=spans)


def _masked(text: str, spans: list[tuple[int, int, str]]) -> str:
    """`text` with every math span's characters replaced by `#` (its sentence marks no longer count)."""
    parts = []
    at = 0
    for a, b, _ in spans:
        parts += [text[at:a], "#" * (b - a)]
        at = b
    parts.append(text[at:])
    return "".join(parts)


def _sentence_start(masked: str, at: int) -> int:
    """Where the sentence holding position `at` starts (after the last sentence end before it)."""
    start = 0
    low = max(0, at - _SENTENCE_WINDOW)
    for m in _SENTENCE_END.finditer(masked, low, at):
        start = m.end()
    return max(start, low)


def _justification_at(masked: str, spans: list[tuple[int, int, str]], s0: int, end: int) -> int | None:
    """Start of a justification clause ("since ...", "as $x \\to \\infty$", "(using ...)") in the sentence
    masked[s0:end] that follows a stated answer (a span or a number after "is", "equals", "=", ...), or None."""
    tries = 0
    for m in _JUSTIFY.finditer(masked, s0, end):
        tries += 1
        if tries > 8:
            break
        c = m.start()
        if masked[max(s0, c - 7) : c].rstrip().lower().endswith("which"):
            continue  # "which at $x = 2$ equals $12$": a value restated, not a reason
        if _RESUME.search(masked, m.end(), end):
            return None  # "since $b = 1$, so the answer is $9$": the conclusion comes after the clause
        low = max(s0, c - 120)
        window = masked[low:c]
        hash_end = window.rstrip(" ,*").rfind("#")
        nums = _number_spans(window)
        if hash_end >= 0 and (not nums or nums[-1][0] < hash_end):
            span = next((sp for sp in spans if sp[0] <= low + hash_end < sp[1]), None)
            if span is None:
                continue
            value_start, value_end, stated = span[0], span[1], bool(_RELATION.search(span[2]))
            in_prose = False
        elif nums:
            value_start, value_end, stated = low + nums[-1][0], low + nums[-1][1], False
            in_prose = True
        else:
            continue
        if _RESUME.search(masked, value_end, c):
            continue  # "The rent is $1,450 per month, so for a year ...": the conclusion goes on past the value
        before = masked[max(s0, value_start - 40) : value_start]
        if stated or _STATING.search(before):
            return c
        if in_prose and (_STATING_NUMBER.search(before) or _CONCLUSION.search(masked[s0:value_start])):
            return c  # "Therefore, she needs 14 more stickers - she has 36 and wants 50."
    return None


def _conclusion_spans(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]] | None:
    """The spans up to the stated answer: remark sentences at the end and a justification clause after the
    answer dropped; None when the answer stated before a justification is a number in prose."""
    if not spans:
        return spans
    masked = _masked(text, spans)
    for _ in range(4):
        s0 = _sentence_start(masked, spans[-1][0])
        if not _REMARK.match(masked, s0) or spans[0][0] >= s0:
            break
        spans = [sp for sp in spans if sp[0] < s0]  # "Check: $3 \\cdot 5 = 15$": a remark after the answer
    last = spans[-1]
    s0 = _sentence_start(masked, last[0])
    end = _SENTENCE_END.search(masked, last[1])
    cut = _justification_at(masked, spans, s0, end.start() if end else len(masked))
    if cut is None or cut > last[0]:
        return spans
    kept = [sp for sp in spans if sp[1] <= cut]
    if not kept or kept[-1][0] < s0:
        return None  # "... is 13, since $91 = 7 \\times 13$": the answer is the number in prose
    return kept


def _number_in_later_sentence(text: str, span: tuple[int, int, str]) -> bool:
    """Whether a short conclusion in prose after the last math span ("Therefore, there are 12 ..."),
    with no equation, has a number.

    A displayed span (`$$...$$`, `\\[...\\]`) or one that ends with a full stop ends its sentence.
    """
    tail = text[span[1] :]
    if not (text.startswith(("$$", "\\["), span[0]) or span[2].endswith(".")):
        end = _SENTENCE_END.search(tail)
        if end is None:
            return False
        tail = tail[end.end() :]
    if len(tail) > 600 or "=" in tail or (_CONCLUSION.search(tail) is None and not _STATES_NUMBER.search(tail)):
        return False  # a check ("2(5) - 3 = 7"), more working or a remark ("I used 3 steps"): the span stands
    return bool(_number_spans(tail))


def looks_like_expression(line: str) -> bool:
    """True when a line is mathematics rather than prose (no words beyond LaTeX and function names)."""
    if _SHORT_PROSE.search(line):
        return False  # "It is 5"
    if not line.isascii():
        line = line.replace("或", " or ").replace("且", " and ")  # x<1或x>3: or, and between conditions
    if not line.isascii() and any(c.isalpha() and not c.isascii() and not "\u0370" <= c <= "\u03ff" for c in line):
        return False  # words of another script
    line = _ENVIRONMENT.sub(" ", line)
    for w in _WORD.findall(_COMMAND.sub(" ", line)):
        if w.lower() not in _KNOWN_WORDS:
            return False
    return bool(line.strip())


def last_expression(text: str) -> str | None:
    """The last line when it is an expression; else the right side of its last `=`; else the last number."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    while lines and _FENCE.fullmatch(lines[-1]):
        lines.pop()  # the closing fence of a tool's output block: ```output\n5050\n```
    if not lines:
        return None
    items = _bullet_items(lines)
    if items:
        return items
    for _ in range(3):  # a remark or check on its own line after a line that states a number: "Check: ..."
        if len(lines) < 2 or not _REMARK.match(lines[-1]) or looks_like_expression(lines[-1]):
            break
        if _CORRECTION.search(lines[-1]):
            break  # "Note: the correct count is 11.": the remark corrects the answer before it
        if not _number_spans(lines[-2]):
            break
        lines.pop()
    line = lines[-1] if _TRAILS_OFF.search(lines[-1]) else lines[-1].rstrip(".").strip()
    line = _QA_PREFIX.sub("", line, count=1) or line  # "Q: ...\nA: 5"
    line = unglue_list_words(line)
    if len(line) <= 300 and looks_like_expression(line):
        return line
    qualified = _QUALIFIER.search(line[:300])
    if qualified and looks_like_expression(line[: qualified.start()]):
        return line[: qualified.start()].strip()  # "f(x) = x \\text{ for all } x"
    yes_no = _YES_NO.match(line)
    if yes_no and (len(lines) == 1 or _CONCLUSION.match(lines[-1])) and not any(c.isdigit() for c in line):
        return yes_no.group(1).capitalize()  # "Yes, it is possible." (a later "No, wait." is no answer)
    line = _conclusion_line(line)
    tail = line[-3000:]  # the answer is at the end of a long line of prose; numbers before it are not read
    found = _number_spans(tail)
    if found:
        last = None
        for m in _LIST_OF_NUMBERS.finditer(tail):
            last = m
        if last is not None and last.end() >= found[-1][1] and last.start() <= found[-1][0]:
            return last.group(0)  # "the two numbers are 14 and 15", "the solutions are x = 3 and x = -2"
    if "=" in line:
        rhs = line.rsplit("=", 1)[1].strip().rstrip(".").strip()
        if rhs and len(rhs) <= 100 and looks_like_expression(rhs):
            return rhs
    if len(lines) == 1 and len(line) <= 60 and not re.search(r"[.!?]\s", line):
        if (not re.search(r"\d", line) and len(line.split()) <= 3) or (len(line) <= 30 and line.isalnum()):
            return line  # a short answer such as "Monday" or a code such as "BQX7Z3" (never its digits alone)
        if re.match(r"[-+\d\\($\[{.]", line) and len(_WORD.findall(_COMMAND.sub(" ", line))) <= 2:
            return line  # "120 minutes", "57个", "12days"
    for m in reversed(list(_BOLD.finditer(tail))):
        inner = m.group(1).strip()
        if _answer_like(inner):
            return inner  # "... هو **57**": the bold number is the answer
    if found:
        chosen = _concluding_number(tail, found)
        if chosen:
            return chosen
        duration = _last_match(_DURATION, tail, found[-1][1] + 12, max(0, found[-1][0] - 40))
        if duration is not None and duration.start() <= found[-1][0] < duration.end():
            return duration.group(0)  # "2 hours and 30 minutes": the parser reads it as one quantity
        pi = _PI_AFTER.match(tail, found[-1][1])
        if pi:
            return found[-1][2] + pi.group(0).strip()  # "The area is 9π square units."
        unit = _UNIT_AFTER.match(tail, found[-1][1])
        return found[-1][2] + (unit.group(0).rstrip(".,;") if unit else "")  # "The energy is 2.5 kJ."
    letters = _CHOICE_IN_PROSE.findall(tail[-300:])
    if letters:
        letter, circled = letters[-1]
        return f"({letter})" if letter else circled  # "... it is (B).", "The correct statement is ②."
    words = _NUMBER_WORDS.findall(tail[-300:])
    if words and (len(lines) == 1 or _CONCLUSION.search(tail[-300:]) or not _number_spans(text[-5000:])):
        return words[-1].strip()  # "There are twelve apples.": the parser reads number words
    if len(lines) == 1 and len(line) <= 100:
        named = _NAMED_ANSWER.search(line)
        if named:
            return named.group(1)  # "The shape is a rhombus."
    found = _number_spans(text[-5000:])
    return found[-1][2] if found else None


def _bullet_items(lines: list[str]) -> str | None:
    """The items of a bulleted list of expressions closing the text ("- 2\\n- 5" -> "2, 5"), or None."""
    items: list[str] = []
    for ln in reversed(lines[-20:]):
        m = _BULLET.match(ln)
        if m is None or not looks_like_expression(ln[m.end() :].strip()):
            break
        items.insert(0, ln[m.end() :].strip().rstrip(".").strip())
    return ", ".join(items) if len(items) >= 2 else None


def _conclusion_line(line: str) -> str:
    """A line of prose without a remark sentence at its end ("Check: ...") and without the justification
    after its stated answer ("The remainder is 4 when 2024 is divided by 5, because ...")."""
    spans = math_spans(line)
    masked = _masked(line, spans)
    s0 = _sentence_start(masked, len(masked))
    if s0 > 0 and _REMARK.match(masked, s0) and any(c.isdigit() for c in masked[:s0]):
        line, masked = line[:s0], masked[:s0]
        spans = [sp for sp in spans if sp[1] <= s0]
        kept = masked.rstrip()
        s0 = _sentence_start(kept, len(kept) - 1)  # before the kept sentence's own full stop
    cut = _justification_at(masked, spans, s0, len(masked))
    return line[:cut].rstrip(" ,;") if cut else line


def _concluding_number(line: str, found: list[tuple[int, int, str]]) -> str | None:
    """The last number of the line's last conclusion ("So he has 57 apples."), when a later sentence
    without one holds the line's last number ("That is 3 more than before."); else None."""
    ends = [m.end() for m in _SENTENCE_END.finditer(line)]
    if not ends:
        return None
    chosen = None
    for start, end in zip([0, *ends], [*ends, len(line)]):
        if _CONCLUSION.search(line, start, end):
            chosen = (start, end)
    if chosen is None or chosen[1] >= found[-1][1]:
        return None
    inside = [value for at, _, value in found if chosen[0] <= at < chosen[1]]
    return inside[-1] if inside else None


def boxes(text: str) -> list[tuple[int, int, str]]:
    """(start, end, content) of every outermost `\\boxed{...}` / `\\fbox{...}`, nested braces matched.

    One linear pass matches all braces, so many unclosed boxes cost no more than one.
    """
    found = list(_BOX.finditer(text))
    if not found:
        return []
    closing = _match_braces(text, found[0].start())
    out: list[tuple[int, int, str]] = []
    for m in found:
        if out and m.start() < out[-1][1]:
            continue  # inside the previous box
        if m.group(1) is not None:  # "\\boxed 5"
            out.append((m.start(), m.end(), m.group(1)))
            continue
        end = closing.get(m.end() - 1)
        if end is not None:
            out.append((m.start(), end + 1, text[m.end() : end]))
    return out


def _match_braces(text: str, start: int) -> dict[int, int]:
    """Position of the matching `}` for every `{` from `start` on (escaped braces ignored)."""
    out: dict[int, int] = {}
    stack: list[int] = []
    i = start
    n = len(text)
    while i < n:
        j = _BRACE.search(text, i)
        if j is None:
            break
        i = j.start()
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            stack.append(i)
        elif stack:
            out[stack.pop()] = i
        i += 1
    return out


def _boxed(text: str, which: str) -> str | None:
    found = [b for b in boxes(text) if b[2].strip()]
    if not found:
        return None
    if which == "first":
        return found[0][2].strip()
    if which == "all":
        return ", ".join(dict.fromkeys(b[2].strip() for b in found))
    chosen = [found[-1]]
    for b in reversed(found[:-1]):  # boxes written side by side: "\\boxed{1}, \\boxed{2}"
        gap = text[b[1] : chosen[0][0]]
        if len(gap) > _BOX_GAP_LIMIT or not (_BOX_GAP.fullmatch(gap) or _BOX_GAP_UNIT.fullmatch(gap)):
            break
        chosen.insert(0, b)
    return ", ".join(b[2].strip() for b in chosen)


def _final_after_boxes(text: str) -> str | None:
    """The answer of a "Final Answer: The final answer is $X$." written after the last box, or None."""
    if text.lower().rfind("final answer") < max(text.rfind("\\boxed"), text.rfind("\\fbox")):
        return None
    found = boxes(text)
    tail = text[found[-1][1] :] if found else ""
    if not tail or len(tail) > 3000 or _STRONG_FINAL.search(tail) is None:
        return None
    answer = final_answer(tail)
    return answer if answer and any(c.isdigit() or c == "\\" for c in answer) else None


def _run(text: str, strategy: str, boxed: str, tag_name: str) -> str | None:
    if strategy == "boxed":
        found = _boxed(text, boxed)
        prose = _BOXED_PROSE.fullmatch(found) if found else None
        if prose is not None and any(c.isdigit() for c in prose.group(1)) and _WORD.search(prose.group(1)):
            return _answer_core(prose.group(1).strip())  # \boxed{\text{Jenna has 12 apples}}
        return found
    if strategy == "answer_tag":
        content = answer_tag(text, tag_name)
        if not content:
            return None
        for inner in ("boxed", "final_answer", "math_span"):
            found = _run(content, inner, boxed, tag_name)
            if found:
                return found
        return content
    if strategy == "final_answer":
        return final_answer(text)
    if strategy == "math_span":
        return math_span(text)
    if strategy == "last_expression":
        return last_expression(text)
    if strategy == "whole":
        return text.strip() or None
    raise ValueError(f"unknown extraction strategy {strategy!r} (known: {', '.join(STRATEGIES)})")


def extract(
    text: str,
    priority: Sequence[str] = DEFAULT_PRIORITY,
    boxed: str = "last",
    tag_name: str = "answer",
) -> tuple[str | None, str | None]:
    """The final answer of a completion and the strategy that found it; (None, None) if none did."""
    text = undouble_backslashes(script_digits(text))
    regions = [text]
    cut = text.rfind(_THINK_END)
    if cut >= 0 and text[cut + len(_THINK_END) :].strip():
        regions.insert(0, text[cut + len(_THINK_END) :])
    for region in regions:
        for strategy in priority:
            found = _run(region, strategy, boxed, tag_name)
            if found:
                if strategy == "boxed" and "final_answer" in priority:
                    later = _final_after_boxes(region)
                    if later:
                        return later, "final_answer"
                return found, strategy
    return None, None


def extract_gold(
    text: str, priority: Sequence[str] = DEFAULT_PRIORITY, boxed: str = "last", tag_name: str = "answer"
) -> tuple[str | None, str | None]:
    """The gold answer: the same strategies, with the whole text in place of the last-expression fallback."""
    explicit = tuple(s for s in priority if s in ("boxed", "answer_tag", "final_answer")) + _GOLD_FALLBACK
    return extract(text, explicit, boxed, tag_name)


def parse_priority(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """A priority order from a list or a string like "boxed>answer_tag>final_answer"."""
    if value is None:
        return DEFAULT_PRIORITY
    if isinstance(value, str):
        items = [v.strip() for v in re.split(r"[>|,\s]+", value) if v.strip()]
    else:
        items = [str(v).strip() for v in value]
    for item in items:
        if item not in STRATEGIES:
            raise ValueError(f"unknown extraction strategy {item!r} (known: {', '.join(STRATEGIES)})")
    if not items:
        raise ValueError("the extraction priority is empty")
    return tuple(items)
