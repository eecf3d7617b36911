"""An article's sentences, and the crude topic of one.

Every claim is quoted with the sentence it came from, and claims are paired across
articles by what their sentences are about, so the whole text is split once (`claims.read`)
and the spans handed to each extractor. Kept apart from extraction because splitting has
its own pitfalls (initials, abbreviations, quotations spanning stops) and its own costs.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from .register import fold


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# A sentence ends after a stop and any closing quotes, before white space and a capital
# or an opening quote; or at a line break. Matched from the stop itself, so the search
# can skip from stop to stop: a lookbehind tried at every character cost more than
# everything else in splitting.
SENTENCE_END = re.compile(r"[.!?…\n](?:(?<=\n)\s*|([”\"’)]*)\s+(?=[“\"(]?[A-Z]))")
ABBREVIATION = re.compile(
    r"(?:\b[A-Z]\.|\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|St|Jr|Sr|Prof|No|vs)\.)[”\"’)]*$")
ABBREVIATION_LONGEST = len("Prof.")
TOPIC_STOP = word_set("""about after again also been being could does doing from have having into
    more most other over same some such than that their them then there these they this those
    through under until very what when where which while will with would said says told
    stated added""")
TOPIC_WORD = re.compile(r"[a-z]{4,}")


@dataclass(frozen=True)
class Span:
    """A sentence of the article: its text and where it starts."""

    start: int
    text: str



def sentences(text: str) -> list[Span]:
    """Split text into sentences, not after initials or abbreviations ("U.S.", "Gen.")."""
    spans: list[Span] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        found, closers = match.group(), len(match.group(1) or "")
        end = match.start() + (found[0] != "\n") + closers  # after the stop and closers
        chunk = text[start:end]
        if "\n" not in found and (_abbreviated(chunk, closers) or _open_quote(chunk)):
            continue
        if chunk := chunk.strip():
            spans.append(Span(start, chunk))
        start = match.end()
    if text[start:].strip():
        spans.append(Span(start, text[start:].strip()))
    return spans


def _abbreviated(chunk: str, closers: int) -> bool:
    """`ABBREVIATION` at the end of the chunk, searched in its tail only (the chunk ends
    with a stop and `closers` quote marks; one more character keeps `\\b` right): searching
    the whole chunk made splitting cost quadratic in the length of quoted passages."""
    return bool(ABBREVIATION.search(chunk[-(closers + ABBREVIATION_LONGEST + 1):]))


def _open_quote(chunk: str) -> bool:
    return chunk.count("“") > chunk.count("”") or chunk.count('"') % 2 == 1


def sentence_at(spans: list[Span], offset: int, starts: list[int] | None = None) -> str:
    """The sentence holding `offset` (the first one before any); `starts` are the spans'
    starts, passed by callers that look up many offsets."""
    if not spans:
        return ""
    found = bisect_right(starts or [s.start for s in spans], offset)
    return spans[max(found - 1, 0)].text


@lru_cache(maxsize=4096)
def topic(text: str) -> frozenset[str]:
    """Crude stems of a sentence's content words: "Korean"/"Korea" and "troops"/"troop" meet.
    Cached: a sentence with several quotations or figures is asked about once each."""
    return frozenset(w[:5] for w in TOPIC_WORD.findall(fold(text)) if w not in TOPIC_STOP)
