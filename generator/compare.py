"""Event -> notes: what authors corrected and where the event's sources disagree.

Notes are for readers, so each one must be a real disagreement: claims are only lined
up when they are clearly about the same thing (one office with one holder in each
report, one speaker on one topic, one counted thing), and a name the other report also
uses is taken as a sign that both reports know both people. Offices are compared in
`offices`; which value to prefer is decided in `prefer`, strongest evidence first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from difflib import SequenceMatcher
from functools import lru_cache

from .attribution import derived_from
from .claims import (
    NAME_RE,
    ORGANISATION_HEADS,
    Quote,
    Read,
    dateline,
    dateline_text,
    read,
    words_of,
)
from .dates import MONTH
from .figures import Figure
from .models import Article, Event, Note, NoteValue, report_labels
from .offices import (
    Resolved,
    listing,
    office_notes,
    register_notes,
    resolve_offices,
    sources_of,
)
from .prefer import Evidence, prefer
from .register import Tenure, fold, same_person, surname

__all__ = ["compare_event", "derived_from"]

KINDS = ("author", "office", "quote", "figure", "date", "place", "register")
QUOTE_PAIRING = 0.3  # minimum topic overlap for two quotations to be one statement
QUOTE_WORDS = 0.35  # ... and overlap of the quoted words themselves
FIGURE_PAIRING = 0.3  # minimum sentence overlap for two figures to count one thing
FIGURE_RATIO = 2.0  # counts further apart than this are of two things, not one
FUNCTION_WORDS = frozenset({"that", "this", "these", "those", "there", "their", "they",
                            "have", "been", "were", "with", "from", "into", "will", "would"})
EDITORIAL = re.compile(r"\([^)]*\)|\[[^]]*\]|-")  # "(the club)", "[sic]", "e-mail"
ALNUM = re.compile(r"[a-z0-9]+")
STEM_WORD = re.compile(r"[a-z]{3,}")


def compare_event(event: Event, register: Sequence[Tenure] = (),
                  trust: Sequence[str] = ()) -> tuple[Note, ...]:
    """Author corrections first, then detected disagreements ordered by kind and field."""
    if len(event.articles) < 2 and not register:
        return tuple(_author_only(event))  # nothing to compare, nothing to check against
    reads = [read(a, label)
             for a, label in zip(event.articles, report_labels(event.articles), strict=True)]
    day = event.date.to_date() if event.date.precision == "day" else None
    offices = resolve_offices(reads, register, day)
    detected = register_notes(reads, offices, register, day)
    if len(reads) >= 2:
        detected += office_notes(reads, offices, day) + quote_notes(reads, offices)
        detected += figure_notes(reads) + date_notes(reads) + place_notes(reads)
    evidence = Evidence({r.label: r.article for r in reads}, register, day, trust)
    detected = _fold_register([prefer(n, evidence) for n in dict.fromkeys(detected)])
    detected.sort(key=lambda n: (KINDS.index(n.kind), n.field or "", n.text))
    return tuple(author_notes(reads) + detected)


def _fold_register(notes: list[Note]) -> list[Note]:
    """A register note about a holder the sources already disagree on becomes the reason
    of that office note instead of a second note: readers saw each wrong name twice."""
    offices = {n.field: k for k, n in enumerate(notes) if n.kind == "office"}
    folded = list(notes)
    for k, note in enumerate(notes):
        at = offices.get(note.field) if note.kind == "register" else None
        if at is None:
            continue
        office = folded[at]
        named = any(same_person(v.value, note.values[0].value) for v in office.values)
        if named and office.preferred and same_person(office.preferred, note.preferred or ""):
            folded[at] = replace(office, why=note.text)
            folded[k] = None
    return [n for n in folded if n is not None]


def _author_only(event: Event) -> list[Note]:
    return [Note("author", c.text, (a.outlet,), date=c.date)
            for a in event.articles for c in a.corrections]


def author_notes(reads: Sequence[Read]) -> list[Note]:
    return [Note("author", c.text, (r.article.outlet,), date=c.date)
            for r in reads for c in r.article.corrections]


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
    return _joined(notes)


def _joined(notes: list[Note]) -> list[Note]:
    """Notes on one speaker's statement in the same two wordings, found for several pairs
    of reports (two agencies quoting alike, against one translation), as one note naming
    every source of each wording: the page counted one statement twice."""
    groups: dict[tuple, list[Note]] = {}
    for note in notes:
        groups.setdefault((note.field, frozenset(map(_wording, (v.value for v in note.values)))),
                          []).append(note)
    joined = []
    for group in groups.values():
        values: dict[str, NoteValue] = {}
        for value in (v for note in group for v in note.values):
            kept = values.setdefault(_wording(value.value), value)
            if kept is not value:
                values[_wording(value.value)] = replace(
                    kept, sources=tuple(dict.fromkeys(kept.sources + value.sources)))
        both = tuple(values.values())
        said = group[0].text.split(": ", 1)[0]  # ("Sources quote Mike Johnson differently")
        joined.append(group[0] if len(group) == 1 else replace(
            group[0], text=f"{said}: {listing(both, quoted=True)}.", sources=sources_of(both),
            values=both))
    return joined


def _wording(words: str) -> str:
    """A quotation's words as `_material` compares them: case, punctuation and editorial
    brackets aside."""
    return " ".join(ALNUM.findall(fold(EDITORIAL.sub("", words))))


def _speakers(offices: Sequence[Resolved], read: int) -> dict[str, str]:
    """Surname -> office for the people a report names by office, so that "Stoltenberg
    said" in one report and "Rutte said" in the other are the same speaker."""
    return {surname(r.claim.holder): r.office for r in offices if r.read == read}


def _pair_quotes(a: Read, b: Read, offices_a: dict[str, str], offices_b: dict[str, str]):
    """Quotations of one statement, one to one, best first; a quotation given twice in
    one report counts as its first occurrence."""
    index_a, index_b = _first_index(a.quotes), _first_index(b.quotes)
    scored = []
    for qa in a.quotes:
        office_a = offices_a.get(qa.speaker)  # an office, or None
        for qb in b.quotes:
            same = qa.speaker == qb.speaker or (
                office_a is not None and office_a == offices_b.get(qb.speaker))
            if not same:
                continue
            words = _dice(_stems(qa.words), _stems(qb.words))
            score = (_dice(qa.topic, qb.topic) + words) / 2
            if score >= QUOTE_PAIRING and words >= QUOTE_WORDS:
                scored.append((-score, index_a[qa], index_b[qb], qa, qb))
    used_a, used_b = set(), set()
    for _, ia, ib, qa, qb in sorted(scored, key=lambda s: s[:3]):
        if ia not in used_a and ib not in used_b:
            used_a.add(ia)
            used_b.add(ib)
            yield qa, qb


def _first_index(quotes: Sequence[Quote]) -> dict[Quote, int]:
    first: dict[Quote, int] = {}
    for i, quote in enumerate(quotes):
        first.setdefault(quote, i)
    return first


def _material(a: str, b: str) -> bool:
    """Different words where the quotations overlap: not punctuation, case, "e-mail" for
    "email", a dropped "that" or "the", nor one quoting more of the statement before or
    after the part both give."""
    wa, wb = (ALNUM.findall(fold(EDITORIAL.sub("", x)).replace("no one", "noone"))
              for x in (a, b))
    ops = SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes()
    changed_a, changed_b = set(), set()
    for k, (op, i1, i2, j1, j2) in enumerate(ops):
        if op != "equal" and not (op in ("insert", "delete") and k in (0, len(ops) - 1)):
            changed_a |= _content(wa[i1:i2])
            changed_b |= _content(wb[j1:j2])
    return changed_a != changed_b


def _content(words: list[str]) -> set[str]:
    """Stems of the words that carry meaning: "destabilising" and "destabilizing", or
    "regret" and "regrets", are one word."""
    return {w[:6] for w in words if len(w) >= 4 and w not in FUNCTION_WORDS}


def _quote_note(a: Read, b: Read, qa: Quote, qb: Quote, held_a: dict[str, str]) -> Note:
    """Named after the speaker, or after the office when the reports disagree on who held it."""
    same = qa.speaker == qb.speaker
    who = _speaker_name(a, qa.speaker) if same else held_a[qa.speaker]
    values = (NoteValue(qa.words, (a.label,), qa.passage),
              NoteValue(qb.words, (b.label,), qb.passage))
    text = f"Sources quote {who if same else 'the ' + who} differently: " \
        f"{listing(values, quoted=True)}."
    return Note("quote", text, sources_of(values), who, values)


def _speaker_name(read: Read, speaker: str) -> str:
    """The fullest name the report gives the speaker: an office holder's, an
    organisation's as written ("Doctors Without Borders", "IAEA", not "Borders" or
    "Iaea"), else the surname."""
    names = [c.holder for c in read.offices if surname(c.holder) == speaker]
    text = read.article.text
    if not names and (speaker.lower() in ORGANISATION_HEADS or speaker.upper() in text):
        written = [LEADING_ARTICLE.sub("", m.group()) for m in NAME_RE.finditer(text)
                   if surname(m.group()) == speaker]
        place = surname(dateline(read.article))  # "KYIV, Nov 13 (Reuters) -" is no acronym
        names = [n for n in written if speaker.lower() in ORGANISATION_HEADS
                 or (n.split()[-1].isupper() and speaker != place)]
    return max(names, key=lambda n: (len(n.split()), n), default=speaker.capitalize())


LEADING_ARTICLE = re.compile(r"^The\s+")


@lru_cache(maxsize=4096)
def _stems(text: str) -> frozenset[str]:
    """Cached: each quotation is paired with every quotation of every other report."""
    return frozenset(w[:5] for w in STEM_WORD.findall(fold(text)))


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def figure_notes(reads: Sequence[Read]) -> list[Note]:
    """One count of one thing per report ("troops"), in like sentences, differing."""
    notes, counts = [], [_by_unit(r.figures) for r in reads]
    for i, a in enumerate(reads):
        for j in range(i + 1, len(reads)):
            b, units_a, units_b = reads[j], counts[i], counts[j]
            for unit in sorted(units_a.keys() & units_b.keys()):
                fa, fb = units_a[unit], units_b[unit]
                if len(fa) != 1 or len(fb) != 1 or fa.keys() == fb.keys():
                    continue
                (x,), (y,) = fa.values(), fb.values()
                if _contradict(x, y) and _dice(x.topic, y.topic) >= FIGURE_PAIRING \
                        and not _cross_numbers(a, b, x, y):
                    values = (NoteValue(_number(x), (a.label,), x.passage),
                              NoteValue(_number(y), (b.label,), y.passage))
                    what = f"{unit} {x.role}".strip()  # ("people killed": roles agree)
                    text = f"Sources disagree on the number of {what}: {listing(values)}."
                    notes.append(Note("figure", text, sources_of(values), what, values))
    return notes


def _by_unit(figures: Sequence[Figure]) -> dict[str, dict[float, Figure]]:
    """Unit -> value -> the report's last figure with that value."""
    units: dict[str, dict[float, Figure]] = {}
    for figure in figures:
        units.setdefault(figure.unit, {})[figure.value] = figure
    return units


def _contradict(x: Figure, y: Figure) -> bool:
    """Two counts of one thing that cannot both be true: the same role ("killed" is not
    "injured"), within a factor of two, and ranges that do not meet ("at least 50" and
    "59" agree; "12,000" and "10,000" do not). Cheapest test first: a figure's role and
    bound are only read from its sentence when asked for."""
    if max(x.value, y.value) > FIGURE_RATIO * min(x.value, y.value) or x.role != y.role:
        return False
    (lo_x, hi_x), (lo_y, hi_y) = _range(x), _range(y)
    return hi_x < lo_y or hi_y < lo_x


def _range(figure: Figure) -> tuple[float, float]:
    value = figure.value
    return {"lower": (value, float("inf")), "upper": (0.0, value),
            "about": (0.8 * value, 1.2 * value)}.get(figure.bound, (value, value))


def _number(figure: Figure) -> str:
    words = figure.written.split()
    scaled = words[1:2] in (["thousand"], ["million"], ["billion"])
    return " ".join(words[:2]) if scaled else words[0]


def _cross_numbers(a: Read, b: Read, x: Figure, y: Figure) -> bool:
    """Each report also giving the other's number means two counts, not a disagreement."""
    return _gives(b.article.text, _number(x)) or _gives(a.article.text, _number(y))


_DATE_BEFORE = re.compile(rf"\b{MONTH}\s+$")
_DATE_AFTER = re.compile(rf"^(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}(?!\w)")


def _gives(text: str, number: str) -> bool:
    """The text gives the number as a number of its own: not as part of another ("20" in
    "200,000", "16" in "160 km/h") nor as a day of the month ("LISBON, Nov 13")."""
    for found in re.finditer(rf"(?<![\w.,]){re.escape(number)}(?!\w|[.,]\d)", text):
        start, end = found.span()
        if not (_DATE_BEFORE.search(text, max(0, start - 12), start)
                or _DATE_AFTER.match(text[end:end + 16])):
            return True
    return False


def date_notes(reads: Sequence[Read]) -> list[Note]:
    """Reports dating the event to different days, each in its own words: a date that
    only falls back to the publication date, or is vaguer than a day, claims nothing;
    a day-after report that also states the other's day ("the attack came on Nov. 21")
    knows both days, so they date two moments, not one event differently."""
    by_day: dict[str, list[Read]] = {}
    for r in reads:
        if _stated_day(r.article):
            by_day.setdefault(r.article.event_date.iso(), []).append(r)
    clashing = {d for d in by_day for e in by_day if d != e and not _knows_day(by_day[d], e)
                and not _knows_day(by_day[e], d)}
    if len(clashing) < 2:
        return []
    values = tuple(NoteValue(day, tuple(r.label for r in rs), _date_passage(rs[0]))
                   for day, rs in sorted(by_day.items()) if day in clashing)
    return [Note("date", f"Sources put this event on different days: {listing(values)}.",
                 sources_of(values), "date", values)]


def _knows_day(reads: Sequence[Read], day: str) -> bool:
    """Some of these reports states `day` somewhere in its text ("on Nov. 21")."""
    return any(d.date.iso() == day for r in reads for d in r.article.dates)


def _stated_day(article: Article) -> bool:
    date = article.event_date
    return (date is not None and date.precision == "day" and date.complete
            and any(d.date == date for d in article.dates))


def _date_passage(read: Read) -> str:
    return next((d.text for d in read.article.dates if d.date == read.article.event_date), "")


def place_notes(reads: Sequence[Read]) -> list[Note]:
    """Datelines naming different cities, where neither report mentions the other's. A
    dateline says where a report was filed, which is not always where the event was (a
    bureau in the capital reporting a storm on the coast): the note says so, quotes the
    datelines themselves, and pages show it apart from the disagreements."""
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
    values = tuple(NoteValue(p, tuple(r.label for r in rs), dateline_text(rs[0].article))
                   for p, rs in sorted(by_place.items()))
    filed = ", ".join(f"{v.value} ({', '.join(v.sources)})" for v in values)
    return [Note("place", f"The reports were filed from different places: {filed}.",
                 sources_of(values), "place", values)]
