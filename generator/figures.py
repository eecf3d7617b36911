"""How many of what an article counts: "at least 12,000 North Korean troops".

A figure is read from one sentence: the number, its unit noun, and only when a
comparison asks, its bound ("at least", "up to") and what happened to the counted
("killed"). Years, durations, distances and partial counts ("128 other politicians")
are left out, since two reports disagreeing about them is no disagreement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from itertools import islice

from .models import Article
from .sentences import Span, sentences, topic, word_set


@dataclass(frozen=True)
class Figure:
    """ "12,000 North Korean combat troops": a number, its unit noun and its sentence.

    What the sentence says around the count is read only when asked for: few figures
    ever meet one of the same unit in another report."""

    value: float
    written: str
    unit: str
    passage: str
    start: int  # where the count is in the passage
    end: int

    @cached_property
    def topic(self) -> frozenset[str]:
        return topic(self.passage)

    @cached_property
    def bound(self) -> str:
        """ "at least" -> lower, "up to" -> upper, "about" -> about, else exact."""
        return _bound(self.passage[:self.start])

    @cached_property
    def role(self) -> str:
        """What happened to the counted: killed, injured, arrested, ... or ""."""
        return _role(self.passage[:self.start], self.passage[self.end:])


# "<number> [scale] [up to three words] <plural noun>", the number not part of a longer
# one or an amount: (\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?) after (?<![\w.,$£€]), written
# from its first digit on so that the search can skip to digits.
FIGURE_RE = re.compile(
    r"(\d(?<![\w.,$£€]\d)(?:\d{0,2}(?:,\d{3})+|\d*(?:\.\d+)?))(?:\s+(million|billion|thousand))?"
    r"\s+((?:[A-Za-z][\w-]*\s+){0,3}?)(people|[a-z]{3,}s)\b")
SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
# Durations, distances and ages are measures, not counts of one thing; "128 other
# politicians" or "2.5 million additional" people count a part, not the whole.
NOT_COUNTED = word_set("""years months weeks days hours minutes seconds miles kilometers
    kilometres meters metres feet inches percent points times""")
PART = word_set("other more additional extra further new")
BOUNDS = (("lower", r"at least|more than|over|upwards of|in excess of"),
          ("upper", r"up to|fewer than|less than|under|nearly|almost|as many as"),
          ("about", r"about|around|some|roughly|approximately|an estimated|estimated"))
BOUND_RES = tuple((name, re.compile(rf"(?i:\b(?:{words}))\s*$")) for name, words in BOUNDS)
BOUND_LONGEST = len("approximately")
LETTERS = re.compile(r"[a-z]+")
DIGIT = re.compile(r"\d")
ROLES = {"killed": "killed", "dead": "killed", "died": "killed", "deaths": "killed",
         "killing": "killed", "fatalities": "killed", "injured": "injured",
         "wounded": "injured", "hurt": "injured", "hospital": "injured",
         "hospitalized": "injured", "arrested": "arrested", "missing": "missing",
         "evacuated": "evacuated", "rescued": "rescued"}


def figures(article: Article, spans: list[Span] | None = None) -> list[Figure]:
    """Counted things ("12,000 ... troops"), with "at least"/"up to" and what happened
    to them ("killed"); years, durations, distances and partial counts are left out."""
    found = []
    for span in sentences(article.text) if spans is None else spans:
        digit = DIGIT.search(span.text)  # a count starts at a digit: search from the first
        if not digit:
            continue
        for match in FIGURE_RE.finditer(span.text, digit.start()):
            number, scale, middle, unit = match.groups()
            value = float(number.replace(",", "")) * SCALE.get(scale or "", 1)
            year = not scale and "," not in number and 1900 <= value <= 2100
            if year or unit in NOT_COUNTED or not PART.isdisjoint(middle.lower().split()):
                continue  # (`unit` is lower case: FIGURE_RE only takes "[a-z]{3,}s")
            found.append(Figure(value, match.group().strip(), unit, span.text,
                                match.start(), match.end()))
    return found


def _bound(before: str) -> str:
    """ "at least", "up to", "about" just before the number; only the last words are
    searched (the `$` of `BOUND_RES` would otherwise scan the whole sentence)."""
    before = before.replace("-", " ")  # "the more-than 11 million documents"
    end = len(before)
    pos = max(0, len(before.rstrip()) - BOUND_LONGEST)
    return next((name for name, pattern in BOUND_RES if pattern.search(before, pos, end)),
                "exact")


def _role(before: str, after: str) -> str:
    """The first role word after the count ("59 people were killed"), or just before it
    ("killing at least 84 people")."""
    following = [m.group() for m in islice(LETTERS.finditer(after.lower()), 6)]
    preceding = [m.group()[::-1] for m in islice(LETTERS.finditer(before.lower()[::-1]), 3)]
    nearby = following + preceding[::-1]
    return next((ROLES[w] for w in nearby if w in ROLES), "")
