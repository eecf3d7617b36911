"""Which of two disagreeing values to believe, and why.

A reader shown a disagreement wants to know which report to trust; we answer only
from evidence the site has, strongest first: an author's own correction, the site's
register of office holders, the original report over one derived from it, the site's
source-trust order. When none decides, nothing is preferred and the values stand side
by side: a guess dressed as a preference would be worse than none.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from .attribution import derived_from, outlet_key
from .models import Article, Note
from .offices import register_choice
from .register import Tenure, long_date, office_key, surname


@dataclass(frozen=True)
class Evidence:
    """What the rules may consult: each source label's article, the register, the
    event's day and the site's trust order."""

    articles: Mapping[str, Article]
    register: Sequence[Tenure]
    day: dt.date | None
    trust: Sequence[str]


Rule = Callable[[Note, Evidence], "tuple[str, str] | None"]


def prefer(note: Note, evidence: Evidence) -> Note:
    """Mark the value to believe with the first rule that picks one; else leave it. Not
    for datelines: each is true of its own report (where it was filed), so preferring
    one read as the place of the event."""
    if note.preferred or len(note.values) < 2 or note.kind == "place":
        return note
    for rule in RULES:
        found = rule(note, evidence)
        if found:
            return replace(note, preferred=found[0], why=found[1])
    return note


def _value_of(note: Note, label: str) -> str | None:
    return next((v.value for v in note.values if label in v.sources), None)


def by_correction(note: Note, evidence: Evidence) -> tuple[str, str] | None:
    """An article whose author corrected the office or one of the names is right now."""
    terms = [surname(v.value) for v in note.values] + [office_key(note.field or "")]
    for label, article in evidence.articles.items():
        for correction in article.corrections:
            text = office_key(correction.text)
            if any(t and re.search(rf"\b{re.escape(t)}\b", text) for t in terms):
                value = _value_of(note, label)
                if value:
                    when = f" of {long_date(correction.date)}" if correction.date else ""
                    return value, f"{label} corrected its report{when}: {correction.text}"
    return None


def by_register(note: Note, evidence: Evidence) -> tuple[str, str] | None:
    """The holder the register has in office on the event's day (office notes only)."""
    if note.kind != "office" or evidence.day is None:
        return None
    names = [v.value for v in note.values]
    return register_choice(evidence.register, note.field or "", names, evidence.day)


def by_original(note: Note, evidence: Evidence) -> tuple[str, str] | None:
    """If B says it is based on A's outlet, A's value is the original's."""
    for label, article in evidence.articles.items():
        value = _value_of(note, label)
        outlet = outlet_key(article.outlet)
        copies = [other for other, a in evidence.articles.items()
                  if _value_of(note, other) not in (None, value)
                  and any(outlet_key(d) == outlet for d in derived_from(a))]
        if value and copies:
            return value, _original(label, outlet, copies, evidence)
    return None


def _original(label: str, outlet: str, copies: list[str], evidence: Evidence) -> str:
    """Why the original's value wins, naming the copies' other sources too: a digest
    based on Reuters and the AP may have its different wording from the AP."""
    which = " and ".join(copies)
    text = f"{label} is the original report; {which} {'is' if len(copies) == 1 else 'are'} " \
        "based on it"
    others = list(dict.fromkeys(d for c in copies for d in derived_from(evidence.articles[c])
                                if outlet_key(d) != outlet))
    return text + (f" (and on {' and '.join(others)})." if others else ".")


def by_trust(note: Note, evidence: Evidence) -> tuple[str, str] | None:
    """The value of the most trusted outlet (in the site's order) that gives one."""
    ranks = [outlet_key(t) for t in evidence.trust]
    ranked = [(ranks.index(outlet_key(a.outlet)), label)
              for label, a in evidence.articles.items()
              if outlet_key(a.outlet) in ranks and _value_of(note, label)]
    if not ranked:
        return None
    top, label = min(ranked)
    if len({_value_of(note, other) for rank, other in ranked if rank == top}) > 1:
        return None  # the most trusted outlet's own reports disagree: trust cannot decide
    outlet = evidence.articles[label].outlet
    return _value_of(note, label) or "", f"{outlet} ranks highest in the site's source-trust order."


RULES: tuple[Rule, ...] = (by_correction, by_register, by_original, by_trust)
