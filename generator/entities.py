"""Features read from one article: distinctive words, names, numbers and quotations.

Everything here looks at a single article, so it is pure and cheap to test; weighting
against the corpus happens in `similarity`. The extractors are deliberately simple
(regular expressions, no language model): they must run on 100,000 articles in a
minute, download nothing, and survive translation, which changes wording but keeps
names, places and figures.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .models import Article


def word_set(text: str) -> frozenset[str]:
    """Word lists are kept as readable paragraphs rather than 200-item list literals."""
    return frozenset(text.split())


STOP_WORDS = word_set(
    "a about above after again against all also am an and any are as at be because been "
    "before being below between both but by can could did do does doing down during each "
    "few for from further had has have having he her here hers herself him himself his "
    "how i if in into is it its itself just me more most my myself no nor not now of off "
    "on once only or other our ours ourselves out over own same she should so some such "
    "than that the their theirs them themselves then there these they this those through "
    "to too under until up very was we were what when where which while who whom why will "
    "with would you your yours yourself yourselves said says say told according one two "
    "three new would could may might must shall us mr mrs ms dr also however still yet "
    "even many much well get got like since just per via amid among monday tuesday "
    "wednesday thursday friday saturday sunday today yesterday tomorrow "
)

# Capitalised words that start sentences or name weekdays and months: never a name
# on their own, and they would make unrelated stories look alike.
NOT_NAMES = word_set(
    "monday tuesday wednesday thursday friday saturday sunday january february march "
    "april may june july august september october november december today yesterday "
    "tomorrow but and the a an in on at for from by with after before when while as it "
    "its he she they we i you his her their this that these those there here what who why "
    "how where police officials authorities reporters reuters ap associated press read "
    "more photo image caption advertisement update updated category "
)

WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]|\d[\d,.]*\d|\d")
# A word of a name: a capitalised word, an initial ("W."), or initials run together
# ("U.S.", "J.D."), which were two names, "u." and "s. senate".
_NAME_WORD = r"(?:(?:[A-Z]\.){2,}|[A-Z][a-zA-Z'’\-]*[a-zA-Z]|[A-Z]\.)"
NAME_RE = re.compile(
    rf"{_NAME_WORD}(?:\s+(?:(?:of|de|del|la|van|von|al|bin|da|di)\s+)?{_NAME_WORD})*"
)
QUOTE_RE = re.compile(r"[\"“”„«»]([^\"“”„«»]{20,400})[\"“”„«»]")
YEAR_RE = re.compile(r"^(19|20)\d\d$")


@dataclass(frozen=True)
class Features:
    """The raw (unweighted) evidence one article offers for matching."""

    words: dict[str, float]  # stemmed content words with title words counted double
    title: dict[str, float]  # the title's words alone: headlines name the event
    names: dict[str, float]  # lower-cased names and their parts
    full_names: frozenset[str]  # names of two words or more: people, streets, bodies
    numbers: frozenset[str]  # figures other than years: ages, tolls, counts
    quote_shingles: frozenset[str]  # word trigrams inside quotation marks


def stem(word: str) -> str:
    """A tiny suffix stripper: enough to match "shootings"/"shooting", "police"/"police".

    A real stemmer would be better for English but worse for names, and names matter
    more to us than verb forms.
    """
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


WORD_RE_LETTERS = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]")
NUMBER_RE = re.compile(r"\d[\d,.]*\d|\d")
_NORMAL: dict[str, str] = {}  # token -> normal form ("" for stop words); shared cache


def normal_form(token: str) -> str:
    """Lower-case, drop a possessive, stem; "" for stop words. Cached: news reuses words."""
    found = _NORMAL.get(token)
    if found is None:
        low = token.lower().replace("’", "'").removesuffix("'s")
        found = "" if len(low) < 2 or low in STOP_WORDS else stem(low)
        if len(_NORMAL) < 2_000_000:
            _NORMAL[token] = found
    return found


def content_words(text: str) -> list[str]:
    """Lower-cased, stemmed words of the text without stop words or bare numbers."""
    return [w for w in map(normal_form, WORD_RE_LETTERS.findall(text)) if w]


def word_counts(text: str, weight: float, into: dict[str, float]) -> dict[str, float]:
    """Adds `weight` per content word of the text to `into`. Raw tokens are counted first
    (in C) and each distinct one normalised once: the same as counting content_words."""
    cached = _NORMAL.get
    for token, times in Counter(WORD_RE_LETTERS.findall(text)).items():
        word = cached(token)
        if word is None:
            word = normal_form(token)
        if word:
            into[word] = into.get(word, 0.0) + weight * times
    return into


def numbers(text: str) -> frozenset[str]:
    """Figures such as ages, death tolls and counts; years are dates, not evidence."""
    found = set()
    for token in NUMBER_RE.findall(text):
        value = token.replace(",", "").rstrip(".")
        if not YEAR_RE.match(value) and value not in {"0", "1", "2"}:
            found.add(value)
    return frozenset(found)


def names(text: str) -> list[str]:
    """Capitalised name sequences, plus each part of a multi-word name.

    The parts let "Antony Blinken" match "Blinken" and "Greencastle PA" match
    "GREENCASTLE"; leading sentence words such as "The" are dropped so "The Pentagon"
    and "Pentagon" agree.
    """
    out: list[str] = []
    for found in NAME_RE.findall(text):
        out.extend(_name_forms(found))
    return out


@lru_cache(maxsize=200_000)
def _name_forms(found: str) -> tuple[str, ...]:
    """The name and its parts for one matched sequence; cached, as news repeats its names."""
    parts = [p for p in found.split() if p.lower().strip(".") not in NOT_NAMES]
    while parts and parts[0].lower() in STOP_WORDS:
        parts.pop(0)
    if not parts:
        return ()
    full = " ".join(parts).lower().replace("’", "'")
    if len(full) < 3 and "." not in full:
        return ()
    if len(parts) == 1:
        return (full,)
    return (full, *(p.lower().replace("’", "'") for p in parts if len(p) > 2))


def quote_shingles(text: str) -> frozenset[str]:
    """Word trigrams of quoted passages: shared wording of a statement is strong evidence."""
    shingles = set()
    for quote in QUOTE_RE.findall(text):
        words = content_words(quote)
        shingles.update(" ".join(words[i : i + 3]) for i in range(len(words) - 2))
    return frozenset(shingles)


def count(tokens: list[str], weight: float, into: dict[str, float]) -> dict[str, float]:
    for token in tokens:
        into[token] = into.get(token, 0.0) + weight
    return into


def extract(article: Article, title_weight: float = 2.0) -> Features:
    """Everything the similarity model reads from one article.

    Titles count more than body words because a headline names the event; the body
    adds the details (victims, streets, figures) that tell two similar events apart.
    """
    title, text = article.title or "", article.text or ""
    words = word_counts(title, title_weight, word_counts(text, 1.0, {}))
    name_counts = count(names(text), 1.0, {})
    count(names(title), title_weight, name_counts)
    return Features(
        words=words,
        title=word_counts(title, 1.0, {}),
        names=name_counts,
        full_names=frozenset(name for name in name_counts if " " in name),
        numbers=numbers(title + "\n" + text),
        quote_shingles=quote_shingles(text),
    )
