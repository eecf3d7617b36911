"""The site's register of office holders (`content/_register.yml`).

Articles name people by office ("NATO Secretary General Jens Stoltenberg"); a short,
hand-kept list of who held which office when lets `compare` flag anachronisms and
decide which of two disagreeing reports names the right holder. Office names are
compared through `office_key`, so "Nato Secretary-General" in a report matches
"NATO Secretary General" in the register.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import yaml

from .errors import ContentError
from .models import Note, NoteValue

FIELDS = ("office", "holder", "from", "to")
HINT = "each entry is {office, holder, from: YYYY-MM-DD, to: YYYY-MM-DD}; `to` may be left out"

# Country names and acronyms written several ways, reduced to one spelling.
DEMONYMS = {
    "ukraine": "ukrainian", "russia": "russian", "britain": "british", "uk": "british",
    "united kingdom": "british", "u k": "british", "us": "us", "u s": "us",
    "united states": "us", "american": "us", "america": "us", "france": "french",
    "germany": "german", "china": "chinese", "japan": "japanese", "india": "indian",
    "israel": "israeli", "iran": "iranian", "turkey": "turkish", "poland": "polish",
    "italy": "italian", "spain": "spanish", "canada": "canadian", "australia": "australian",
    "south korea": "south korean", "north korea": "north korean", "mexico": "mexican",
    "brazil": "brazilian", "hungary": "hungarian", "belarus": "belarusian",
    "rok": "south korean", "nigeria": "nigerian", "egypt": "egyptian", "syria": "syrian",
    "afghanistan": "afghan", "pakistan": "pakistani", "venezuela": "venezuelan",
    "united nations": "un", "u n": "un", "european union": "eu",
}
# Two spellings of one office, mapped word-for-word after lower-casing.
HEAD_SYNONYMS = {
    "secretary of defense": "defense secretary", "secretary of the treasury": "treasury secretary",
    "speaker of the house": "house speaker", "defence": "defense",
}


NOT_NAME = frozenset(
    """the a an and but or of in on at to for from by with as is was will would has had
    he she it they we his her its their this that these those said says told who which
    monday tuesday wednesday thursday friday saturday sunday january february march april
    june july august september october november december today yesterday tomorrow
    reuters ap afp""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Tenure:
    """One person's term in one office; `end` is inclusive, None while in office."""

    office: str
    holder: str
    start: dt.date | None
    end: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


def fold(text: str) -> str:
    """Lower-case ASCII without accents, so "Zelenskyy" and "Zelénskyy" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def name_tokens(name: str) -> list[str]:
    """The folded words of a name: "Andrii Sybiha's" -> ["andrii", "sybiha"]."""
    words = re.findall(r"[a-z][a-z'-]*", re.sub(r"[’']s\b", "", fold(name)))
    return [w for w in words if w not in NOT_NAME]


def surname(name: str) -> str:
    tokens = name_tokens(name)
    return tokens[-1] if tokens else ""


def same_person(a: str, b: str) -> bool:
    """"President Obama" names the same person as "Barack Obama"; a transliterated first
    name ("Andriy"/"Andrii") does not matter as long as the surname is shared."""
    ta, tb = name_tokens(a), name_tokens(b)
    if not (ta and tb):
        return False
    return any(_alike(ta[-1], t) for t in tb) or any(_alike(tb[-1], t) for t in ta)


def _alike(a: str, b: str) -> bool:
    """One surname spelled two ways ("Cazeneuve"/"Cazaneuve"); short names must match."""
    return a == b or (min(len(a), len(b)) >= 6 and SequenceMatcher(None, a, b).ratio() >= 0.85)


def office_key(office: str) -> str:
    """A canonical spelling of an office: "Nato Secretary-General" -> "nato secretary general".

    "President of Ukraine", "Ukraine's President" and "Ukrainian President" share a key.
    """
    text = re.sub(r"[’']s\b", "", fold(office))
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    text = re.sub(r"\bthe\b", " ", text)
    text = " ".join(text.split())
    for long, short in HEAD_SYNONYMS.items():
        text = re.sub(rf"\b{long}\b", short, text)
    match = re.fullmatch(r"(.+?) of ([a-z ]+)", text)
    if match and match.group(2) in DEMONYMS:
        text = f"{match.group(2)} {match.group(1)}"
    for name, adjective in sorted(DEMONYMS.items(), key=lambda kv: -len(kv[0])):
        if text == name or text.startswith(name + " "):
            return adjective + text[len(name):]
    return text


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
    if own and own[-1].end and own[-1].end < day:
        text = f"{name} was {current.office} until {long_date(own[-1].end)}; {then}."
    elif own and own[0].start and own[0].start > day:
        text = f"{name} became {current.office} only on {long_date(own[0].start)}; {then}."
    else:
        elsewhere = [t.office for t in register if same_person(t.holder, name) and t.covers(day)]
        listed = f"lists {name} as {elsewhere[0]}, not" if elsewhere else f"does not list {name} as"
        text = f"The register {listed} {current.office}; {then}."
    why = _why(current.holder, current.office, day)
    return Note("register", text, claim.sources, current.office, (claim,), current.holder, why)


def register_choice(register: Sequence[Tenure], office: str, names: Sequence[str],
                    day: dt.date) -> tuple[str, str] | None:
    """Of several names given for `office`, the one the register has in office on `day`."""
    holders = holders_on(register, office, day)
    chosen = [n for n in names if any(same_person(t.holder, n) for t in holders)]
    return (chosen[0], _why(chosen[0], office, day)) if len(chosen) == 1 else None


def _why(holder: str, office: str, day: dt.date) -> str:
    return f"The site's register lists {holder} as {office} on {long_date(day)}."


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def load_register(path: Path, rel: str) -> tuple[tuple[Tenure, ...], list[ContentError]]:
    """Read the register; a missing file is an empty register, every bad entry an error."""
    if not path.exists():
        return (), []
    loader = yaml.SafeLoader(path.read_text(encoding="utf-8"))
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        return (), [ContentError(rel, line, f"not valid YAML: {exc}", HINT)]
    finally:
        loader.dispose()
    if root is None:
        return (), []
    if not isinstance(root, yaml.SequenceNode):
        line = root.start_mark.line + 1
        return (), [ContentError(rel, line, "the register must be a list of terms", HINT)]
    entries: list[tuple[Tenure, int]] = []
    problems: list[ContentError] = []
    for node in root.value:
        tenure, errors = _entry(node, rel)
        problems.extend(errors)
        if tenure:
            entries.append((tenure, node.start_mark.line + 1))
    problems.extend(_overlaps(entries, rel))
    return tuple(t for t, _ in entries), problems


def _entry(node: yaml.Node, rel: str) -> tuple[Tenure | None, list[ContentError]]:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        return None, [ContentError(rel, line, "a register entry must be a mapping", HINT)]
    values: dict[str, object] = {}
    problems = []
    for key_node, value_node in node.value:
        key = key_node.value
        if key not in FIELDS:
            where = key_node.start_mark.line + 1
            problems.append(ContentError(rel, where, f"unknown key {key!r}", HINT))
            continue
        values[key] = yaml.SafeLoader("").construct_object(value_node, deep=True)
    for key in ("office", "holder"):
        if not isinstance(values.get(key), str) or not str(values[key]).strip():
            problems.append(ContentError(rel, line, f"entry needs a text `{key}`", HINT))
    start, end = (_day(values.get(key), key, rel, line, problems) for key in ("from", "to"))
    if start and end and end < start:
        problems.append(ContentError(rel, line, f"`to` ({end}) is before `from` ({start})", HINT))
    if problems:
        return None, problems
    return Tenure(str(values["office"]).strip(), str(values["holder"]).strip(), start, end), []


def _day(value: object, key: str, rel: str, line: int,
         problems: list[ContentError]) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    message = f"`{key}` is not a date: {value!r}"
    problems.append(ContentError(rel, line, message, "write it as YYYY-MM-DD"))
    return None


def _overlaps(entries: list[tuple[Tenure, int]], rel: str) -> list[ContentError]:
    """Two holders of one office for more than a handover day is a typo in a date."""
    problems = []
    for i, (a, _) in enumerate(entries):
        for b, line in entries[i + 1:]:
            if office_key(a.office) != office_key(b.office) or fold(a.holder) == fold(b.holder):
                continue
            first, last = max(_lo(a), _lo(b)), min(_hi(a), _hi(b))
            if (last - first).days >= 1:
                message = f"{b.holder} and {a.holder} both hold {b.office} from {first} to {last}"
                problems.append(ContentError(rel, line, message, "a term ends as the next begins"))
    return problems


def _lo(t: Tenure) -> dt.date:
    return t.start or dt.date.min


def _hi(t: Tenure) -> dt.date:
    return t.end or dt.date.max
