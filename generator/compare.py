"""Event -> notes: what authors corrected and where the event's sources disagree.

Notes are for readers, so each one must be a real disagreement: claims are only lined
up when they are clearly about the same thing (one office with one holder in each
report, one speaker on one topic, one counted thing), and a name the other report also
uses is taken as a sign that both reports know both people. Which value to prefer is
decided in `prefer`, strongest evidence first.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .claims import (
    Figure,
    OfficeClaim,
    Quote,
    dateline,
    figures,
    office_claims,
    quotes,
    sentences,
    topic,
    words_of,
)
from .models import Article, Event, Note, NoteValue
from .register import (
    Tenure,
    fold,
    long_date,
    name_tokens,
    office_key,
    register_choice,
    register_note,
    same_person,
    surname,
)

KINDS = ("author", "office", "quote", "figure", "date", "place", "register")
BASED_ON_RE = re.compile(
    r"based on (?:reports?|reporting|information|material) (?:from|by) ([^.)\n]+)", re.I)
QUOTE_PAIRING = 0.3  # minimum topic overlap for two quotations to be one statement
SAME_PASSAGE = 0.15  # minimum overlap for sentences naming an unqualified office to agree
USUAL_QUALIFIER = {"Speaker": "House", "Secretary of State": "US"}
FIGURE_PAIRING = 0.3  # minimum sentence overlap for two figures to count one thing


@dataclass(frozen=True)
class Read:
    """One article of the event with its claims extracted once."""

    article: Article
    label: str  # how notes name the source
    words: frozenset[str]
    offices: tuple[OfficeClaim, ...]
    quotes: tuple[Quote, ...]
    figures: tuple[Figure, ...]
    sentences: tuple[str, ...]


def compare_event(event: Event, register: Sequence[Tenure] = (),
                  trust: Sequence[str] = ()) -> tuple[Note, ...]:
    """Author corrections first, then detected disagreements ordered by kind and field."""
    reads = [_read(a, label)
             for a, label in zip(event.articles, labels(event.articles), strict=True)]
    offices = resolve_offices(reads)
    day = event.date.to_date() if event.date.precision == "day" else None
    detected = register_notes(reads, offices, register, day)
    if len(reads) >= 2:
        detected += office_notes(reads, offices) + quote_notes(reads, offices)
        detected += figure_notes(reads) + date_notes(reads) + place_notes(reads)
    detected = [prefer(n, reads, register, day, trust) for n in _unique(detected)]
    detected.sort(key=lambda n: (KINDS.index(n.kind), n.field or "", n.text))
    return tuple(author_notes(reads) + detected)


def labels(articles: Sequence[Article]) -> list[str]:
    """Outlet names, with the file added where two articles share one (both unknown)."""
    outlets = [a.outlet for a in articles]
    return [o if outlets.count(o) == 1 else f"{o} ({a.path})"
            for o, a in zip(outlets, articles, strict=True)]


def derived_from(article: Article) -> tuple[str, ...]:
    """The reports an article is based on: `based_on`, or a closing line such as
    "(This article is based on reports from Reuters and the Associated Press)"."""
    if article.based_on:
        return article.based_on
    match = BASED_ON_RE.search(article.text)
    if not match:
        return ()
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+", match.group(1).strip())
    return tuple(re.sub(r"^the\s+", "", p.strip(), flags=re.I) for p in parts if p.strip())


def _read(article: Article, label: str) -> Read:
    offices = office_claims(article)
    return Read(article, label, words_of(article.text), tuple(offices),
                tuple(quotes(article, offices)), tuple(figures(article)),
                tuple(s.text for s in sentences(article.text)))


def _unique(notes: list[Note]) -> list[Note]:
    return list(dict.fromkeys(notes))


def author_notes(reads: Sequence[Read]) -> list[Note]:
    return [Note("author", c.text, (r.article.outlet,), date=c.date)
            for r in reads for c in r.article.corrections]


# --- offices -------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    read: int  # index into the event's reads
    claim: OfficeClaim
    office: str  # "NATO Secretary General"
    explicit: bool  # the qualifier was written for this person, not guessed from others


def resolve_offices(reads: Sequence[Read]) -> list[Resolved]:
    """Give an unqualified mention the qualifier written for the same person elsewhere in
    the event, or its office's usual one ("Speaker" is the House's)."""
    claims = [(i, c) for i, r in enumerate(reads) for c in r.offices]
    resolved = []
    for i, claim in claims:
        same = {c.qualifier for _, c in claims if c.qualifier and c.head == claim.head
                and same_person(c.holder, claim.holder)}
        if claim.qualifier or len(same) == 1:
            office = claim.office if claim.qualifier else f"{same.pop()} {claim.head}"
            resolved.append(Resolved(i, claim, office, True))
        else:
            office = f"{USUAL_QUALIFIER.get(claim.head, '')} {claim.head}".strip()
            resolved.append(Resolved(i, claim, office, False))
    return resolved


def people(offices: Sequence[Resolved], read: int, head: str) -> list[list[Resolved]]:
    """One report's mentions of an office (any qualifier), grouped by person."""
    groups: list[list[Resolved]] = []
    for r in offices:
        if r.read == read and r.claim.head == head:
            _merge(groups, [r])
    return groups


def office_notes(reads: Sequence[Read], offices: Sequence[Resolved]) -> list[Note]:
    """For each pair of reports and each office: the one person a report names for it
    whom the other neither names for it nor mentions at all, against the other's one."""
    clashes: dict[str, list[list[Resolved]]] = {}
    for head in sorted({r.claim.head for r in offices}):
        for i, j in itertools.combinations(range(len(reads)), 2):
            a, b = people(offices, i, head), people(offices, j, head)
            only_a = [g for g in a if not any(_same(g, h) for h in b)]
            only_b = [g for g in b if not any(_same(g, h) for h in a)]
            pairs = [(x, y, _strength(reads, x, y)) for x in only_a for y in only_b]
            strong = [p for p in pairs if p[2] == 2] or [p for p in pairs if p[2] == 1]
            if len(strong) == 1:
                x, y, _ = strong[0]
                office = max(x[0].office, y[0].office, key=len)
                for group in (x, y):
                    _merge(clashes.setdefault(office, []), group)
    notes = []
    for office, groups in sorted(clashes.items()):
        values = tuple(_holder_value(reads, g) for g in groups)
        text = f"Sources disagree on who is {office}: {_listing(values)}."
        notes.append(Note("office", text, _sources(values), office, values))
    return notes


def _same(x: list[Resolved], y: list[Resolved]) -> bool:
    return same_person(x[0].claim.holder, y[0].claim.holder)


def _strength(reads: Sequence[Read], x: list[Resolved], y: list[Resolved]) -> int:
    """How surely two people named for one office contradict each other: 2 when both
    reports write the same office out in full, 1 when a missing qualifier is made up for
    by like sentences about the two, 0 when they are two offices or the reports know
    both people."""
    rx, ry = reads[x[0].read], reads[y[0].read]
    if surname(y[0].claim.holder) in rx.words or surname(x[0].claim.holder) in ry.words:
        return 0  # each report knows the other person: two offices, not one
    qx, qy = x[0].office != x[0].claim.head, y[0].office != y[0].claim.head
    if qx and qy:
        return 2 if _same_qualifier(x, y) else 0
    if not (qx or qy) and x[0].claim.needs_qualifier:
        return 0  # "Foreign Minister X" and "Foreign Minister Y": which countries?
    return int(_alike_contexts(rx, x[0].claim.holder, ry, y[0].claim.holder))


def _same_qualifier(a: list[Resolved], b: list[Resolved]) -> bool:
    """ "Nigerian" and "Nigeria's" President; not "Austrian" and "Australian"."""
    qa, qb = (office_key(g[0].office.removesuffix(g[0].claim.head)) for g in (a, b))
    common = len(os.path.commonprefix([qa, qb]))  # noqa: RUF071 (characters are meant)
    return qa == qb or common >= max(4, min(len(qa), len(qb)) - 1)


def _alike_contexts(a: Read, name_a: str, b: Read, name_b: str) -> bool:
    """Some sentence about one person reads like some sentence about the other."""
    ta = [topic(s) for s in a.sentences if surname(name_a) in words_of(s)]
    tb = [topic(s) for s in b.sentences if surname(name_b) in words_of(s)]
    return any(_dice(x, y) >= SAME_PASSAGE for x in ta for y in tb)


def _merge(groups: list[list[Resolved]], group: list[Resolved]) -> None:
    """Add mentions to the group of the person they name, or start one."""
    for known in groups:
        if _same(known, group):
            known.extend(m for m in group if m not in known)
            return
    groups.append(list(group))


def _holder_value(reads: Sequence[Read], group: list[Resolved]) -> NoteValue:
    best = max(group, key=lambda m: (len(name_tokens(m.claim.holder)), -m.claim.start))
    sources = tuple(dict.fromkeys(reads[m.read].label for m in group))
    return NoteValue(best.claim.holder, sources, best.claim.passage)


def register_notes(reads: Sequence[Read], offices: Sequence[Resolved],
                   register: Sequence[Tenure], day: dt.date | None) -> list[Note]:
    """Holders the register says did not hold the office on the event's day. Only offices
    written out for that person count: a qualifier guessed from other mentions is no claim."""
    if not register or day is None:
        return []
    explicit = [r for r in offices if r.explicit]
    notes = []
    for office in sorted({r.office for r in explicit}):
        groups: list[list[Resolved]] = []
        for r in explicit:
            if r.office == office:
                _merge(groups, [r])
        notes += [register_note(register, office, _holder_value(reads, g), day) for g in groups]
    return [n for n in notes if n]


def _listing(values: Sequence[NoteValue], quoted: bool = False) -> str:
    shown = [f"“{v.value}”" if quoted else v.value for v in values]
    return " or ".join(f"{s} (according to {', '.join(v.sources)})"
                       for s, v in zip(shown, values, strict=True))


def _sources(values: Sequence[NoteValue]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for v in values for s in v.sources))


# --- quotes, figures, dates, places ----------------------------------------------------


def quote_notes(reads: Sequence[Read], offices: Sequence[Resolved]) -> list[Note]:
    """One statement quoted in different words: same speaker, overlapping topic."""
    notes = []
    for i, a in enumerate(reads):
        for j in range(i + 1, len(reads)):
            held_a = _speakers(offices, i)
            for qa, qb in _pair_quotes(a, reads[j], held_a, _speakers(offices, j)):
                if _material(qa.words, qb.words):
                    notes.append(_quote_note(a, reads[j], qa, qb, held_a))
    return notes


def _speakers(offices: Sequence[Resolved], read: int) -> dict[str, str]:
    """Surname -> office for the people a report names by office, so that "Stoltenberg
    said" in one report and "Rutte said" in the other are the same speaker."""
    return {surname(r.claim.holder): r.office for r in offices if r.read == read}


def _pair_quotes(a: Read, b: Read, offices_a: dict[str, str], offices_b: dict[str, str]):
    scored = []
    for qa in a.quotes:
        for qb in b.quotes:
            same = qa.speaker == qb.speaker or (
                qa.speaker in offices_a and offices_a[qa.speaker] == offices_b.get(qb.speaker))
            score = (_dice(qa.topic, qb.topic) + _dice(_stems(qa.words), _stems(qb.words))) / 2
            if same and score >= QUOTE_PAIRING:
                scored.append((-score, a.quotes.index(qa), b.quotes.index(qb), qa, qb))
    used_a, used_b = set(), set()
    for _, ia, ib, qa, qb in sorted(scored, key=lambda s: s[:3]):
        if ia not in used_a and ib not in used_b:
            used_a.add(ia)
            used_b.add(ib)
            yield qa, qb


def _material(a: str, b: str) -> bool:
    """Different words, not just punctuation, case, or one quoting less of the other."""
    na, nb = (" ".join(re.findall(r"[a-z0-9]+", fold(x))) for x in (a, b))
    return na not in nb and nb not in na


def _quote_note(a: Read, b: Read, qa: Quote, qb: Quote, held_a: dict[str, str]) -> Note:
    """Named after the speaker, or after the office when the reports disagree on who held it."""
    who = _speaker_name(a, qa.speaker) if qa.speaker == qb.speaker else held_a[qa.speaker]
    values = (NoteValue(qa.words, (a.label,), qa.passage),
              NoteValue(qb.words, (b.label,), qb.passage))
    text = f"Sources quote {who} differently: {_listing(values, quoted=True)}."
    return Note("quote", text, _sources(values), who, values)


def _speaker_name(read: Read, speaker: str) -> str:
    names = [c.holder for c in read.offices if surname(c.holder) == speaker]
    return max(names, key=lambda n: len(n.split()), default=speaker.capitalize())


def _stems(text: str) -> frozenset[str]:
    return frozenset(w[:5] for w in re.findall(r"[a-z]{3,}", fold(text)))


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def figure_notes(reads: Sequence[Read]) -> list[Note]:
    """One count of one thing per report ("troops"), in like sentences, differing."""
    notes = []
    for i, a in enumerate(reads):
        for b in reads[i + 1:]:
            for unit in sorted({f.unit for f in a.figures} & {f.unit for f in b.figures}):
                fa = {f.value: f for f in a.figures if f.unit == unit}
                fb = {f.value: f for f in b.figures if f.unit == unit}
                if len(fa) != 1 or len(fb) != 1 or fa.keys() == fb.keys():
                    continue
                (x,), (y,) = fa.values(), fb.values()
                if _dice(x.topic, y.topic) >= FIGURE_PAIRING and not _cross_numbers(a, b, x, y):
                    values = (NoteValue(_number(x), (a.label,), x.passage),
                              NoteValue(_number(y), (b.label,), y.passage))
                    text = f"Sources disagree on the number of {unit}: {_listing(values)}."
                    notes.append(Note("figure", text, _sources(values), unit, values))
    return notes


def _number(figure: Figure) -> str:
    words = figure.written.split()
    scaled = words[1:2] in (["thousand"], ["million"], ["billion"])
    return " ".join(words[:2]) if scaled else words[0]


def _cross_numbers(a: Read, b: Read, x: Figure, y: Figure) -> bool:
    """Each report also giving the other's number means two counts, not a disagreement."""
    return _number(x) in b.article.text or _number(y) in a.article.text


def date_notes(reads: Sequence[Read]) -> list[Note]:
    """Reports dating the event to different days (day precision only)."""
    by_day: dict[str, list[Read]] = {}
    for r in reads:
        date = r.article.event_date
        if date is not None and date.precision == "day" and date.complete:
            by_day.setdefault(date.iso(), []).append(r)
    if len(by_day) < 2:
        return []
    values = tuple(NoteValue(day, tuple(r.label for r in rs), _date_passage(rs[0]))
                   for day, rs in sorted(by_day.items()))
    return [Note("date", f"Sources put this event on different days: {_listing(values)}.",
                 _sources(values), "date", values)]


def _date_passage(read: Read) -> str:
    return next((d.text for d in read.article.dates if d.date == read.article.event_date), "")


def place_notes(reads: Sequence[Read]) -> list[Note]:
    """Datelines naming different cities, where neither report mentions the other's."""
    by_place: dict[str, list[Read]] = {}
    for r in reads:
        if place := dateline(r.article):
            by_place.setdefault(place, []).append(r)
    if len(by_place) < 2:
        return []
    for place, rs in by_place.items():
        for other in by_place:
            if other != place and any(words_of(other) <= r.words for r in rs):
                return []
    values = tuple(NoteValue(p, tuple(r.label for r in rs), r.article.text.split("\n", 1)[0][:200])
                   for p, rs in sorted(by_place.items()))
    return [Note("place", f"Sources place this event in different places: {_listing(values)}.",
                 _sources(values), "place", values)]


# --- preference ----------------------------------------------------------------------


def prefer(note: Note, reads: Sequence[Read], register: Sequence[Tenure], day: dt.date | None,
           trust: Sequence[str]) -> Note:
    """Mark the value to believe: an author's correction, then the register, then the
    original over a report based on it, then the site's trust order; else none."""
    if note.preferred or len(note.values) < 2:
        return note
    by_label = {r.label: r for r in reads}
    for rule in (_by_correction, _by_register, _by_original, _by_trust):
        found = rule(note, by_label, register, day, trust)
        if found:
            return replace(note, preferred=found[0], why=found[1])
    return note


def _value_of(note: Note, label: str) -> str | None:
    return next((v.value for v in note.values if label in v.sources), None)


def _by_correction(note: Note, by_label: dict[str, Read], *_: object) -> tuple[str, str] | None:
    terms = [surname(v.value) for v in note.values] + [office_key(note.field or "")]
    for label, read in by_label.items():
        for correction in read.article.corrections:
            text = office_key(correction.text)
            if any(t and re.search(rf"\b{re.escape(t)}\b", text) for t in terms):
                value = _value_of(note, label)
                if value:
                    when = f" of {long_date(correction.date)}" if correction.date else ""
                    return value, f"{label} corrected its report{when}: {correction.text}"
    return None


def _by_register(note: Note, _: dict[str, Read], register: Sequence[Tenure],
                 day: dt.date | None, *__: object) -> tuple[str, str] | None:
    if note.kind != "office" or day is None:
        return None
    return register_choice(register, note.field or "", [v.value for v in note.values], day)


def _by_original(note: Note, by_label: dict[str, Read], *_: object) -> tuple[str, str] | None:
    """If B says it is based on A's outlet, A's value is the original's."""
    for label, read in by_label.items():
        value = _value_of(note, label)
        outlet = _outlet(read.article.outlet)
        copies = [other for other, r in by_label.items()
                  if _value_of(note, other) not in (None, value)
                  and any(_outlet(d) == outlet for d in derived_from(r.article))]
        if value and copies:
            return value, f"{label} is the original report; {', '.join(copies)} is based on it."
    return None


def _by_trust(note: Note, by_label: dict[str, Read], _: object, __: object,
              trust: Sequence[str]) -> tuple[str, str] | None:
    ranks = [_outlet(t) for t in trust]
    ranked = [(ranks.index(_outlet(r.article.outlet)), label) for label, r in by_label.items()
              if _outlet(r.article.outlet) in ranks and _value_of(note, label)]
    if not ranked:
        return None
    label = min(ranked)[1]
    outlet = by_label[label].article.outlet
    return _value_of(note, label) or "", f"{outlet} ranks highest in the site's source-trust order."


def _outlet(name: str) -> str:
    """ "The Associated Press", "AP" and "apnews.com" -> one spelling."""
    key = re.sub(r"^the\s+|\.(com|org|net|co\.uk)$|www\.", "", fold(name).strip())
    key = re.sub(r"[^a-z0-9]", "", key)
    aliases = {"ap": "associatedpress", "apnews": "associatedpress", "afp": "agencefrancepresse"}
    return aliases.get(key, key)
