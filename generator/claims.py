"""What one article claims: who holds which office, who said what, how many of what.

`compare` lines these claims up across the articles of an event. Extraction is plain
regular expressions over the article's plain text: it must survive translation (names
and offices survive, wording does not) and prefer missing a claim to inventing one,
because a note about a disagreement that is not there teaches readers to ignore notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

from .figures import Figure, figures
from .models import Article
from .register import NOT_NAME, fold, name_tokens, qualifier_before, surname
from .sentences import Span, sentence_at, sentences, topic, word_set

# Offices with one holder at a time once qualified ("NATO", "Ukrainian"). The flag says
# the office is only unique with a qualifier: "Foreign Minister X" alone could be any
# country's. Offices many people hold at once (senator, governor, ambassador, general)
# are deliberately absent.
HEADS = {
    r"secretary[- ]general": ("Secretary General", True),
    r"secretary of state": ("Secretary of State", False),
    r"prime minister": ("Prime Minister", False),
    r"(?:foreign|defen[cs]e|interior|finance) minister": ("", True),
    r"(?:foreign|home|defen[cs]e|treasury) secretary": ("", False),
    r"secretary of defen[cs]e": ("Defense Secretary", False),
    r"vice[- ]president": ("Vice President", False),
    r"president": ("President", False),
    r"speaker of the house": ("House Speaker", False),
    r"speaker": ("Speaker", False),
    r"attorney general": ("Attorney General", False),
    r"chancellor": ("Chancellor", False),
    r"chief justice": ("Chief Justice", False),
    r"(?:senate |house )?(?:majority|minority) leader": ("", True),
    r"pope": ("Pope", False),
}
HEAD_RE = re.compile(r"\b(?i:" + "|".join(HEADS) + r")\b")
# The same over lower-cased ASCII text, and a word every office contains, at most
# `HEAD_LEAD` characters into it ("senate minority leader"): `HEAD_LOWER` is only tried
# at the words just before these, since a case-insensitive alternation tried at every
# character was most of the cost of reading an article.
HEAD_LOWER = re.compile(r"\b(?:" + "|".join(HEADS) + r")\b")
HEAD_KEYWORDS = ("secretary", "minister", "president", "speaker", "attorney", "chancellor",
                 "justice", "leader", "pope")
HEAD_LEAD = len("senate minority ")
WORD_START = re.compile(r"\b\w")
NAME_TOKEN = r"(?:[A-Z][\w’'.-]*\w|[A-Z]\.)"
PARTICLE = r"(?:de|van|von|bin|al|da|di|del|la|le)"
NAME_RE = re.compile(rf"{NAME_TOKEN}(?:[ \t]+(?:{PARTICLE}[ \t]+)?{NAME_TOKEN}){{0,3}}")
# Words before an office that make it someone else's or not yet/no longer theirs.
NOT_CURRENT = re.compile(
    r"(?i:\b(?:former|ex|late|then|onetime|one-time|previous|past|incoming|future|acting|"
    r"interim|deputy|vice|assistant|shadow|would-be|outgoing|first|second)[\s-]*$)")
UNDER = re.compile(r"(?i:\bunder[\s-]*$)")  # "Under Secretary", but "under President Trump"
# "during the years of President Yeltsin", "the administration of President Bush": history.
PAST = re.compile(r"(?i:\b(?:administration|years|era|presidency|tenure|days|reign|rule|"
                  r"government)\s+of\s+(?:the\s+)?(?:late\s+)?$)")
QUALIFIER_STOP = NOT_NAME | word_set("""meeting meets met former then new under when after before
    while if since during also including like because meanwhile speaking asked mr mrs ms dr
    outgoing incoming acting interim deputy late ex then-""")
SPEECH = (r"(?:said|says|told|stated|added|warned|stressed|emphasi[sz]ed|noted|wrote|argued|"
          r"insisted|urged|declared|explained|mentioned|asked)")
GAP = re.compile(r"[ \t]+")
CLOSING_NAME = re.compile(rf"\)\s*({NAME_TOKEN})")
POSSESSIVE_END = re.compile(r"[’']s$")
WORD = re.compile(r"[a-z][a-z'-]*")


@dataclass(frozen=True)
class OfficeClaim:
    """ "NATO Secretary General Jens Stoltenberg": one mention of a holder of an office."""

    qualifier: str  # canonical qualifier ("NATO", "Ukrainian") or "" when none was written
    head: str  # "Secretary General"
    needs_qualifier: bool
    holder: str  # the name as written, possessive removed
    passage: str  # the sentence it came from
    start: int

    @property
    def office(self) -> str:
        return f"{self.qualifier} {self.head}".strip()


def words_of(text: str) -> frozenset[str]:
    return frozenset(WORD.findall(fold(text)))


def office_claims(article: Article, spans: list[Span] | None = None) -> list[OfficeClaim]:
    """Every "<qualifier> <office> <Name>" in the text, skipping former and deputy holders.
    `spans` are the text's sentences when the caller has split it already."""
    text, found = article.text, []
    spans = sentences(text) if spans is None else spans
    starts = [s.start for s in spans]
    for start, end in _office_mentions(text):
        phrase = text[start:end]
        canonical, needs = _head(phrase)
        holder = _holder(text, end)
        if not holder:
            continue
        before = text[max(0, start - 60):start]
        qualifier, rest = qualifier_before(before, QUALIFIER_STOP)
        under = UNDER.search(rest) and phrase.lower().startswith("secretary")
        if NOT_CURRENT.search(rest) or PAST.search(rest) or under:
            continue
        head = canonical or _title(phrase)
        if head == "House Speaker":
            qualifier, head = qualifier or "House", "Speaker"
        passage = sentence_at(spans, start, starts)
        found.append(OfficeClaim(qualifier, head, needs, holder, passage, start))
    return found


def _office_mentions(text: str) -> list[tuple[int, int]]:
    """Where `HEAD_RE` matches, in order. ASCII text (nearly all) is lower-cased and tried
    only at the words up to `HEAD_LEAD` characters before an office word, in order, each
    once, resuming after a match as `finditer` does. Other text is searched as it is,
    because case-insensitive matching takes some non-ASCII letters ("ſ") for ASCII ones."""
    if not text.isascii():
        return [match.span() for match in HEAD_RE.finditer(text)]
    lower, found, done = text.lower(), [], 0
    for hit in sorted(i for word in HEAD_KEYWORDS for i in _find_all(lower, word)):
        pos = max(done, hit - HEAD_LEAD)
        while pos <= hit and (start := WORD_START.search(lower, pos, hit + 1)):
            match = HEAD_LOWER.match(lower, start.start())
            if match:
                found.append(match.span())
                done = pos = match.end()
            else:
                pos = start.start() + 1
        done = max(done, hit + 1)  # every start up to the office word has been tried
    return found


def _find_all(text: str, word: str) -> Iterator[int]:
    i = text.find(word)
    while i >= 0:
        yield i
        i = text.find(word, i + 1)


@lru_cache(maxsize=256)
def _head(phrase: str) -> tuple[str, bool]:
    """The `HEADS` entry of an office as written: the first pattern that matches it whole."""
    return HEADS[next(p for p in HEADS if re.fullmatch(p, phrase, re.I))]


def _title(phrase: str) -> str:
    words = re.split(r"[\s-]+", phrase.lower())
    return " ".join(w.capitalize() for w in words).replace("Defence", "Defense")


def _holder(text: str, end: int) -> str:
    """The name right after an office: "Jens Stoltenberg", or "Vladimir Putin" from
    "(President Vladimir) Putin"."""
    gap = GAP.match(text, end)
    if not gap:
        return ""
    match = NAME_RE.match(text, gap.end())
    if not match:
        return ""
    words = []
    for word in match.group().split():
        if fold(word).strip(".") in NOT_NAME:
            break
        words.append(word)
    after = text[match.end():match.end() + 40]
    closing = CLOSING_NAME.match(after)
    if words and closing:
        words.append(closing.group(1))
    name = POSSESSIVE_END.sub("", " ".join(words)).rstrip(".,")
    return name if name_tokens(name) else ""


@dataclass(frozen=True)
class Quote:
    """Words in quotation marks and who the article says spoke them."""

    speaker: str  # the speaker's name as written nearby ("Blinken")
    words: str
    passage: str

    @cached_property
    def topic(self) -> frozenset[str]:
        """Stems of the sentence's content words; only wanted for quotations that pair."""
        return topic(self.passage)


QUOTE_RE = re.compile(r"[“\"]([^”“\"]{3,600})[”\"]")
PRONOUN_SPEAKER = re.compile(rf"(?i:^\s*(?:he|she)\b|\b(?:he|she)\s+(?:also\s+)?{SPEECH}\b)")
DATELINE_RE = re.compile(r"\A\s*([A-Z][A-Z.’' ]{2,30}?)(?:,\s*[A-Z][\w. ]{1,25}?)?\s*"
                         r"(?:\([\w. ]{1,25}\)\s*)?[—–-]{1,2}\s")
# "<Name> said": `NAME_RE` then the verb. Every name token here is followed by white
# space, so it takes its whole run of name characters: the possessive `++` spares the
# engine trying every shorter token (which could never be followed by white space) at
# each capital of the article, and finds exactly what the plain pattern finds.
_WHOLE_TOKEN = r"(?:[A-Z][\w’'.-]++(?<=\w)|[A-Z]\.)"
NAME_SAID = re.compile(
    rf"({_WHOLE_TOKEN}(?:[ \t]++(?:{PARTICLE}[ \t]++)?{_WHOLE_TOKEN}){{0,3}})"
    rf"\s++(?:also\s++)?{SPEECH}\b")
SAID_NAME = re.compile(rf"\b{SPEECH}\s+({NAME_RE.pattern})")
CAPITALISED = re.compile(r"[A-Z][\w’'-]+")
SPEECH_AFTER = re.compile(rf"[’']?s?\s+(?:also\s+)?{SPEECH}\b")
SPEECH_BEFORE = re.compile(rf"\b{SPEECH}\s+$")
SPEECH_LONGEST = len("emphasised")


# Last words of bodies that speak ("the World Bank said"): a note names them in full.
ORGANISATION_HEADS = frozenset({
    "agency", "army", "assembly", "association", "authority", "bank", "board", "borders",
    "bureau", "cabinet", "center", "centre", "command", "commission", "committee", "company",
    "congress", "corporation", "council", "court", "cross", "department", "federation",
    "forces", "fund", "government", "group", "guard", "institute", "league", "ministry",
    "nations", "navy", "office", "organisation", "organization", "parliament", "party",
    "police", "service", "union", "university",
})


def known_speakers(article: Article, offices: list[OfficeClaim]) -> set[str]:
    """Surnames the article uses for people: office holders and "<Name> said"."""
    found = {surname(o.holder) for o in offices}
    found.update(surname(m.group(1)) for m in NAME_SAID.finditer(article.text))
    found.update(surname(m.group(1)) for m in SAID_NAME.finditer(article.text))
    return found - {""}


def quotes(article: Article, offices: list[OfficeClaim],
           spans: list[Span] | None = None) -> list[Quote]:
    """Quotations of three words or more with their speaker; "he said" takes the
    person the latest sentence naming one was about."""
    people, found, speaker, seen = None, [], "", 0
    spans = sentences(article.text) if spans is None else spans
    for i, span in enumerate(spans):
        if '"' not in span.text and "“" not in span.text:
            continue
        said = [w for w in (m.group(1).strip(" ,.") for m in QUOTE_RE.finditer(span.text))
                if len(w.split()) >= 3]
        if not said:
            continue
        # Sentences without quotations only matter for the speaker they name, so they
        # are looked at (latest first) only when a quotation needs a speaker, and the
        # article's speakers are only gathered once one does.
        people = known_speakers(article, offices) if people is None else people
        speaker = _latest_speaker(spans[seen:i + 1], people) or speaker
        seen = i + 1
        if speaker:
            found.extend(Quote(speaker, words, span.text) for words in said)
    return found


def _latest_speaker(spans: list[Span], people: set[str]) -> str:
    """The speaker of the last of these sentences that names one, or ""."""
    for span in reversed(spans):
        if speaker := _speaker(QUOTE_RE.sub(" … ", span.text), people):
            return speaker
    return ""


def _speaker(outside: str, people: set[str]) -> str:
    """The known person next to a speech verb, else the first known person named."""
    if people.isdisjoint(map(surname, CAPITALISED.findall(outside))):
        return ""  # no known person: no need for where names or pronouns are
    if PRONOUN_SPEAKER.search(outside):
        return ""
    named = [(m.start(), m.group()) for m in CAPITALISED.finditer(outside)
             if surname(m.group()) in people]
    for start, name in named:
        if SPEECH_AFTER.match(outside, start + len(name)) or _speech_before(outside, start):
            return surname(name)
    return surname(named[0][1])


def _speech_before(outside: str, end: int) -> bool:
    """A speech verb right before `end` ("said Blinken"), looked for in the last word
    only: `SPEECH_BEFORE` over the whole prefix would scan it once per name."""
    spaces = end - len(outside[:end].rstrip())
    return bool(SPEECH_BEFORE.search(outside, max(0, end - spaces - SPEECH_LONGEST), end))


def dateline(article: Article) -> str:
    """The place in a wire dateline ("BRUSSELS, Dec 3 —"), title-cased, or ""."""
    match = DATELINE_RE.match(article.text)
    place = match.group(1).strip().title() if match else ""
    return "" if place in ("File", "Update", "Updated", "Watch", "Photo") else place


def dateline_text(article: Article) -> str:
    """The wire dateline as written ("LISBON, Nov 13 (Reuters) -"), or ""."""
    match = DATELINE_RE.match(article.text)
    return match.group(0).strip() if match else ""


@dataclass(frozen=True)
class Read:
    """One article of an event with its claims extracted once, for all comparisons."""

    article: Article
    label: str  # how notes name the source
    offices: tuple[OfficeClaim, ...]
    quotes: tuple[Quote, ...]
    figures: tuple[Figure, ...]
    sentences: tuple[str, ...]

    @cached_property
    def words(self) -> frozenset[str]:
        """Every word of the text, folded; only some comparisons ask."""
        return words_of(self.article.text)


def read(article: Article, label: str) -> Read:
    """All claims of one article, from one split into sentences."""
    spans = sentences(article.text)
    offices = office_claims(article, spans)
    return Read(article, label, tuple(offices), tuple(quotes(article, offices, spans)),
                tuple(figures(article, spans)), tuple(s.text for s in spans))
