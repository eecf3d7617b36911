"""Who holds which office: clashes between reports, and claims the register contradicts.

A desk reading two reports of one event that call different people "Speaker" would
ask three things before calling it an error: is it one office (the same title, and the
same country or body wherever either report says which), does each report name just
one such person (so the title has one holder in context), and does neither report know
the other person at all (a report naming both knows they are two people). Only then is
it a disagreement; anything weaker is left alone, because a false note teaches readers
to ignore notes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .claims import OfficeClaim, Read
from .models import Note, NoteValue
from .register import (
    ACRONYMS,
    BODIES,
    DEMONYMS,
    KNOWN_VALUES,
    REGISTER_NAMED,
    Tenure,
    canonical_qualifier,
    fold,
    long_date,
    name_tokens,
    office_key,
    same_person,
    same_qualifier,
)

USUAL_QUALIFIER = {"Speaker": "House", "Secretary of State": "US"}
# Where a report may say which country it means without naming it.
SEATS = {"washington": "us", "white house": "us", "congress": "us", "kremlin": "russian",
         "moscow": "russian", "beijing": "chinese", "london": "british",
         "downing street": "british", "seoul": "south korean", "tokyo": "japanese",
         "paris": "french", "berlin": "german"}


@dataclass(frozen=True)
class Resolved:
    read: int  # index into the event's reads
    claim: OfficeClaim
    qualifier: str  # as written, or borrowed from another mention of the person, or ""
    explicit: bool  # the qualifier was written for this person, not guessed from the office

    @property
    def office(self) -> str:
        """ "NATO Secretary General"; "Speaker" alone is the House's."""
        usual = "" if self.qualifier else USUAL_QUALIFIER.get(self.claim.head, "")
        return f"{self.qualifier or usual} {self.claim.head}".strip()


def resolve_offices(reads: Sequence[Read], register: Sequence[Tenure] = (),
                    day: dt.date | None = None) -> list[Resolved]:
    """Give an unqualified mention the qualifier written for the same person elsewhere
    in the event ("US President Trump" ... "President Trump"), or else the one the
    register gives that person on the day ("President Putin": Russian), so that two
    presidents of two countries are two offices, not one office with two holders."""
    claims = [(i, c) for i, r in enumerate(reads) for c in r.offices]
    resolved = []
    for i, claim in claims:
        same = {c.qualifier for _, c in claims if c.qualifier and c.head == claim.head
                and same_person(c.holder, claim.holder)}
        if claim.qualifier or len(same) == 1:
            resolved.append(Resolved(i, claim, claim.qualifier or same.pop(), True))
        else:
            resolved.append(Resolved(i, claim, registered_qualifier(register, claim, day), False))
    return resolved


def registered_qualifier(register: Sequence[Tenure], claim: OfficeClaim,
                         day: dt.date | None) -> str:
    """The country or body of the one office with this title the register has the person
    holding on `day` ("Russian President" -> "Russian"); "" when none or several. Not a
    claim of the text, so it never raises a register note (`explicit` stays False)."""
    if day is None:
        return ""
    head = office_key(claim.head)
    found = {q for t in register if t.covers(day) and same_person(t.holder, claim.holder)
             for q in [_prefix(office_key(t.office), head)] if q}
    return canonical_qualifier(found.pop()) if len(found) == 1 else ""


def _prefix(key: str, head: str) -> str:
    """ "russian" of "russian president" for "president"; "" when the words before the
    title are not a country or body ("us vice" of "us vice president" is another office)."""
    if not key.endswith(f" {head}"):
        return ""
    prefix = key[:-len(head) - 1]
    known = prefix in KNOWN_VALUES or all(w in ACRONYMS for w in prefix.split())
    return prefix if known else ""


def people(offices: Sequence[Resolved], read: int, head: str) -> list[list[Resolved]]:
    """One report's mentions of an office (any qualifier), grouped by person."""
    groups: list[list[Resolved]] = []
    for r in offices:
        if r.read == read and r.claim.head == head:
            merge(groups, [r])
    return groups


def office_notes(reads: Sequence[Read], offices: Sequence[Resolved],
                 day: dt.date | None = None) -> list[Note]:
    """For each pair of reports and each office: the one person a report names for it
    against the one the other names, when `_strength` says they contradict."""
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
                office = max(_office(x), _office(y), key=len)
                for group in (x, y):
                    merge(clashes.setdefault(office, []), group)
    notes = []
    for office, groups in sorted(clashes.items()):
        values = tuple(holder_value(reads, g) for g in groups)
        when = f" on {long_date(day)}" if day else ""
        text = f"Sources disagree on who was {office}{when}: {listing(values)}."
        notes.append(Note("office", text, sources_of(values), office, values))
    return notes


def _same(x: list[Resolved], y: list[Resolved]) -> bool:
    return same_person(x[0].claim.holder, y[0].claim.holder)


def _qualifier(group: list[Resolved]) -> str:
    return next((m.qualifier for m in group if m.qualifier), "")


def _office(group: list[Resolved]) -> str:
    return max((m.office for m in group), key=len)


def _strength(reads: Sequence[Read], x: list[Resolved], y: list[Resolved]) -> int:
    """How surely two people named for one title contradict each other: 2 when both
    reports say whose office it is and agree, 1 when one or both do not say (the title
    alone, as "Speaker Pelosi" / "Speaker Johnson"), 0 when the qualifiers name two
    offices, a minister's country is unknown on both sides, or a report knows both."""
    if _knows(reads[x[0].read], y) or _knows(reads[y[0].read], x):
        return 0
    qx, qy = _qualifier(x), _qualifier(y)
    if qx and qy:
        return 2 if same_qualifier(qx, qy) else 0
    if not (qx or qy) and x[0].claim.needs_qualifier:
        return 0  # "Foreign Minister X" and "Foreign Minister Y": which countries?
    if not (_implied(reads[y[0].read], qx, y) and _implied(reads[x[0].read], qy, x)):
        return 0  # "Argentine President X" beside a report that never mentions Argentina
    return 1


def _implied(read: Read, qualifier: str, group: list[Resolved]) -> bool:
    """A qualifier the other report did not write still fits it if the report names that
    country or body somewhere, or it is the title's usual one ("Speaker": the House's)."""
    usual = USUAL_QUALIFIER.get(group[0].claim.head, "")
    return not qualifier or same_qualifier(qualifier, usual or "-") or \
        names_qualifier(read, qualifier)


def names_qualifier(read: Read, qualifier: str) -> bool:
    """The report names the country or body anywhere, in any of its spellings."""
    text = _spaced_words(read.article.text)
    return any(f" {s} " in text for s in _spellings(qualifier))


@lru_cache(maxsize=1024)
def _spellings(qualifier: str) -> frozenset[str]:
    key = office_key(qualifier)
    return frozenset({key} | {k for k, v in (DEMONYMS | BODIES | SEATS).items() if v == key})


@lru_cache(maxsize=64)
def _spaced_words(text: str) -> str:
    """The text's folded words between single spaces; cached, since one event's reports
    are asked about several qualifiers."""
    return f" {' '.join(re.findall(r'[a-z0-9]+', fold(text)))} "


def _knows(read: Read, group: list[Resolved]) -> bool:
    """The report mentions the person anywhere, by any surname the group uses for them
    ("Jinping" of "President Xi Jinping", "Xi" of "President Xi")."""
    return any(name_tokens(m.claim.holder)[-1] in read.words for m in group)


def merge(groups: list[list[Resolved]], group: list[Resolved]) -> None:
    """Add mentions to the group of the person they name, or start one."""
    for known in groups:
        if _same(known, group):
            known.extend(m for m in group if m not in known)
            return
    groups.append(list(group))


def holder_value(reads: Sequence[Read], group: list[Resolved]) -> NoteValue:
    """The fullest spelling of the person's name, the sources that give it, a passage."""
    best = max(group, key=lambda m: (len(name_tokens(m.claim.holder)), -m.claim.start))
    sources = tuple(dict.fromkeys(reads[m.read].label for m in group))
    return NoteValue(best.claim.holder, sources, best.claim.passage)


def listing(values: Sequence[NoteValue], quoted: bool = False) -> str:
    """ "Mark Rutte (according to Reuters) or Jens Stoltenberg (according to …)"."""
    shown = [f"“{v.value}”" if quoted else v.value for v in values]
    return " or ".join(f"{s} (according to {', '.join(v.sources)})"
                       for s, v in zip(shown, values, strict=True))


def sources_of(values: Sequence[NoteValue]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for v in values for s in v.sources))


# --- the register ----------------------------------------------------------------------


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
                merge(groups, [r])
        notes += [register_note(register, office, holder_value(reads, g), day) for g in groups]
    return [n for n in notes if n]


def holders_on(register: Sequence[Tenure], office: str, day: dt.date) -> tuple[Tenure, ...]:
    """Who held `office` on `day` according to the register (two on a handover day)."""
    key = office_key(office)
    return tuple(t for t in register if office_key(t.office) == key and t.covers(day))


def tenures_of(register: Sequence[Tenure], office: str) -> tuple[Tenure, ...]:
    key = office_key(office)
    return tuple(t for t in register if office_key(t.office) == key)


def register_note(register: Sequence[Tenure], office: str, claim: NoteValue,
                  day: dt.date) -> Note | None:
    """A `register` note when naming `claim.value` as `office` on `day` contradicts the
    register; None when the register agrees or does not know the office."""
    holders = holders_on(register, office, day)
    if not holders or any(same_person(t.holder, claim.value) for t in holders):
        return None
    own = [t for t in tenures_of(register, office) if same_person(t.holder, claim.value)]
    name, current = (own[0].holder if own else claim.value), holders[0]
    then = f"on {long_date(day)} the post was held by {current.holder}"
    said = f"{then}, according to {REGISTER_NAMED}"
    if own and own[-1].end and own[-1].end < day:
        text = f"{name} was {current.office} until {long_date(own[-1].end)}; {said}."
    elif own and own[0].start and own[0].start > day:
        text = f"{name} became {current.office} only on {long_date(own[0].start)}; {said}."
    else:
        elsewhere = [t.office for t in register if same_person(t.holder, name) and t.covers(day)]
        listed = f"has {name} as {elsewhere[0]}, not" if elsewhere else f"does not have {name} as"
        text = f"{REGISTER_NAMED.capitalize()} {listed} {current.office}; {then}."
    why = _why(current.holder, current.office, day)
    return Note("register", text, claim.sources, current.office, (claim,), current.holder, why)


def register_choice(register: Sequence[Tenure], office: str, names: Sequence[str],
                    day: dt.date) -> tuple[str, str] | None:
    """Of several names given for `office`, the one the register has in office on `day`."""
    holders = holders_on(register, office, day)
    chosen = [n for n in names if any(same_person(t.holder, n) for t in holders)]
    return (chosen[0], _why(chosen[0], office, day)) if len(chosen) == 1 else None


def _why(holder: str, office: str, day: dt.date) -> str:
    return f"{REGISTER_NAMED.capitalize()} has {holder} as {office} on {long_date(day)}."
