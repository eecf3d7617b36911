"""What one article claims: who holds which office, who said what, how many of what.

`compare` lines these claims up across the articles of an event. Extraction is plain
regular expressions over the article's plain text: it must survive translation (names
and offices survive, wording does not) and prefer missing a claim to inventing one,
because a note about a disagreement that is not there teaches readers to ignore notes.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import islice

from .models import Article
from .register import NOT_NAME, fold, name_tokens, qualifier_before, surname


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


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
QUALIFIER_STOP = NOT_NAME | _words("""meeting meets met former then new under when after before
    while if since during also including like because meanwhile speaking asked mr mrs ms dr
    outgoing incoming acting interim deputy late ex then-""")
SPEECH = (r"(?:said|says|told|stated|added|warned|stressed|emphasi[sz]ed|noted|wrote|argued|"
          r"insisted|urged|declared|explained|mentioned|asked)")
# A sentence ends after a stop and any closing quotes, before white space and a capital
# or an opening quote; or at a line break. Matched from the stop itself, so the search
# can skip from stop to stop: a lookbehind tried at every character cost more than
# everything else in splitting.
SENTENCE_END = re.compile(r"[.!?…\n](?:(?<=\n)\s*|([”\"’)]*)\s+(?=[“\"(]?[A-Z]))")
ABBREVIATION = re.compile(
    r"(?:\b[A-Z]\.|\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|St|Jr|Sr|Prof|No|vs)\.)[”\"’)]*$")
ABBREVIATION_LONGEST = len("Prof.")
GAP = re.compile(r"[ \t]+")
CLOSING_NAME = re.compile(rf"\)\s*({NAME_TOKEN})")
POSSESSIVE_END = re.compile(r"[’']s$")
WORD = re.compile(r"[a-z][a-z'-]*")


@dataclass(frozen=True)
class Span:
    """A sentence of the article: its text and where it starts."""

    start: int
    text: str


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


QUOTE_RE = re.compile(r"[“\"]([^”“\"]{3,600})[”\"]")
PRONOUN_SPEAKER = re.compile(rf"(?i:^\s*(?:he|she)\b|\b(?:he|she)\s+(?:also\s+)?{SPEECH}\b)")
# "<number> [scale] [up to three words] <plural noun>", the number not part of a longer
# one or an amount: (\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?) after (?<![\w.,$£€]), written
# from its first digit on so that the search can skip to digits.
FIGURE_RE = re.compile(
    r"(\d(?<![\w.,$£€]\d)(?:\d{0,2}(?:,\d{3})+|\d*(?:\.\d+)?))(?:\s+(million|billion|thousand))?"
    r"\s+((?:[A-Za-z][\w-]*\s+){0,3}?)(people|[a-z]{3,}s)\b")
SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
# Durations, distances and ages are measures, not counts of one thing; "128 other
# politicians" or "2.5 million additional" people count a part, not the whole.
NOT_COUNTED = _words("""years months weeks days hours minutes seconds miles kilometers
    kilometres meters metres feet inches percent points times""")
PART = _words("other more additional extra further new")
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
DATELINE_RE = re.compile(r"\A\s*([A-Z][A-Z.’' ]{2,30}?)(?:,\s*[A-Z][\w. ]{1,25}?)?\s*"
                         r"(?:\([\w. ]{1,25}\)\s*)?[—–-]{1,2}\s")
TOPIC_STOP = _words("""about after again also been being could does doing from have having into
    more most other over same some such than that their them then there these they this those
    through under until very what when where which while will with would said says told
    stated added""")


TOPIC_WORD = re.compile(r"[a-z]{4,}")
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


@lru_cache(maxsize=4096)
def topic(text: str) -> frozenset[str]:
    """Crude stems of a sentence's content words: "Korean"/"Korea" and "troops"/"troop" meet.
    Cached: a sentence with several quotations or figures is asked about once each."""
    return frozenset(w[:5] for w in TOPIC_WORD.findall(fold(text)) if w not in TOPIC_STOP)


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


def dateline(article: Article) -> str:
    """The place in a wire dateline ("BRUSSELS, Dec 3 —"), title-cased, or ""."""
    match = DATELINE_RE.match(article.text)
    place = match.group(1).strip().title() if match else ""
    return "" if place in ("File", "Update", "Updated", "Watch", "Photo") else place


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
