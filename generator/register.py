"""The site's register of office holders (`content/_register.yml`).

Articles name people by office ("NATO Secretary General Jens Stoltenberg"); a short,
hand-kept list of who held which office when lets `compare` flag anachronisms and
decide which of two disagreeing reports names the right holder. Office names are
compared through `office_key`, so "Nato Secretary-General" in a report matches
"NATO Secretary General" in the register.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

import yaml

from .encoding import has_controls
from .errors import ContentError
from .frontmatter import MAX_DEPTH, YamlLoader, nesting

FIELDS = ("office", "holder", "from", "to")
# How notes name the register to readers, who never see the file (they see its page,
# which the event page links to after a note that names it so).
REGISTER_NAMED = "the site's list of office holders"
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
    "united nations": "un", "u n": "un", "european union": "eu", "niger": "nigerien",
    "saudi arabia": "saudi", "costa rica": "costa rican", "dprk": "north korean",
    "prc": "chinese", "iraq": "iraqi", "palestine": "palestinian", "greece": "greek",
    "netherlands": "dutch", "sweden": "swedish", "argentina": "argentine",
}
# Qualifiers that are neither countries nor acronyms but still name one body.
BODIES = {"house of representatives": "house", "us house": "house", "house": "house"}
# Words in a capitalised run before an office that say nothing about which office it is.
PARTY = frozenset({"democratic", "republican", "gop", "labour", "conservative", "liberal"})
ACRONYMS = frozenset({"nato", "us", "un", "eu", "uk", "who", "imf", "fbi", "cia", "iaea"})
TITLES = frozenset({"mr", "mrs", "ms", "dr", "st", "sen", "rep", "gov", "gen", "jr", "sr"})
# Two spellings of one office, mapped word-for-word after lower-casing.
HEAD_SYNONYMS = {
    "secretary of defense": "defense secretary", "secretary of the treasury": "treasury secretary",
    "speaker of the house": "house speaker", "defence": "defense",
}


# Every spelling a qualifier may have, longest first, with its canonical value.
KNOWN_VALUES = frozenset(DEMONYMS.values()) | frozenset(BODIES.values())
KNOWN_QUALIFIERS = sorted({**{v: v for v in KNOWN_VALUES}, **DEMONYMS, **BODIES}.items(),
                          key=lambda kv: -len(kv[0]))
# The same as patterns for the end of the text before an office ("... Ukraine's"),
# compiled once; `ANY_QUALIFIER` says whether any of them matches at all.
_QUALIFIER_ENDS = [
    "[. ]*".join(map(re.escape, phrase.split())) + r"(?:'s|’s|\.)?\s*$"
    for phrase, _ in KNOWN_QUALIFIERS]
QUALIFIER_RES = [(re.compile(rf"\b{end}"), value)
                 for end, (_, value) in zip(_QUALIFIER_ENDS, KNOWN_QUALIFIERS, strict=True)]
ANY_QUALIFIER = re.compile(r"\b(?:" + "|".join(_QUALIFIER_ENDS) + ")")
DEMONYMS_LONGEST_FIRST = sorted(DEMONYMS.items(), key=lambda kv: -len(kv[0]))
HEAD_SYNONYM_RES = [(re.compile(rf"\b{long}\b"), short) for long, short in HEAD_SYNONYMS.items()]
POSSESSIVE = re.compile(r"[’']s\b")
NAME_WORD = re.compile(r"[a-z][a-z'-]*")
NOT_ALNUM = re.compile(r"[^a-z0-9]+")
THE = re.compile(r"\bthe\b")
OF_PLACE = re.compile(r"(.+?) of ([a-z ]+)")
CAPITALISED_RUN = re.compile(r"(?:\b[A-Z][\w.’'-]*\s+){1,3}$")
NON_SPACE = re.compile(r"\S+")
SENTENCE_BREAK = re.compile(r"(\w*)[.!?][”\"’)]*\s+|\n")
TWO_LOWER_END = re.compile(r"[a-z]{2}$")

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


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case ASCII without accents, so "Zelenskyy" and "Zelénskyy" compare equal."""
    if text.isascii():
        return text.lower()  # nearly all text: skip the per-character walk
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=65536)
def name_tokens(name: str) -> tuple[str, ...]:
    """The folded words of a name: "Andrii Sybiha's" -> ("andrii", "sybiha").

    Cached, like `fold`: comparing claims asks about the same few thousand names
    hundreds of thousands of times on a large site."""
    words = NAME_WORD.findall(POSSESSIVE.sub("", fold(name)))
    return tuple(w for w in words if w not in NOT_NAME)


@lru_cache(maxsize=65536)
def surname(name: str) -> str:
    """The last word of a name; cached, since every capitalised word of a quoting
    sentence is asked about."""
    tokens = name_tokens(name)
    return tokens[-1] if tokens else ""


@lru_cache(maxsize=65536)
def same_person(a: str, b: str) -> bool:
    """"President Obama" names the same person as "Barack Obama"; a transliterated first
    name ("Andriy"/"Andrii") does not matter as long as the surname is shared."""
    ta, tb = name_tokens(a), name_tokens(b)
    if not (ta and tb):
        return False
    pa, pb = _parts(ta), _parts(tb)
    return any(_alike(p, t) for p in _parts(ta[-1:]) for t in pb) or \
        any(_alike(p, t) for p in _parts(tb[-1:]) for t in pa)


def _parts(tokens: tuple[str, ...]) -> set[str]:
    """Tokens and the halves of hyphenated ones: "Moon Jae" is "Moon Jae-in", "Abdel
    Fattah" is "Abdel-Fattah"."""
    return set(tokens) | {p for t in tokens for p in t.split("-") if len(p) >= 2}


def _alike(a: str, b: str) -> bool:
    """One surname spelled two ways ("Cazeneuve"/"Cazaneuve"); short names must match."""
    return a == b or (min(len(a), len(b)) >= 6 and SequenceMatcher(None, a, b).ratio() >= 0.85)


@lru_cache(maxsize=65536)
def office_key(office: str) -> str:
    """A canonical spelling of an office: "Nato Secretary-General" -> "nato secretary general".

    "President of Ukraine", "Ukraine's President" and "Ukrainian President" share a key.
    Cached: the same few offices and qualifiers are compared again and again.
    """
    text = POSSESSIVE.sub("", fold(office))
    text = NOT_ALNUM.sub(" ", text).strip()
    text = THE.sub(" ", text)
    text = " ".join(text.split())
    for pattern, short in HEAD_SYNONYM_RES:
        text = pattern.sub(short, text)
    match = OF_PLACE.fullmatch(text)
    if match and match.group(2) in DEMONYMS:
        text = f"{match.group(2)} {match.group(1)}"
    for name, adjective in DEMONYMS_LONGEST_FIRST:
        if text == name or text.startswith(name + " "):
            return adjective + text[len(name):]
    return text


def qualifier_before(before: str, stop: frozenset[str]) -> tuple[str, str]:
    """The country or body written just before an office ("Costa Rican", "Nato",
    "ROK", "Ukraine's"), canonically spelled, and the text before it (where "former"
    would stand). Only the current sentence counts: "the Trump Coalition. President
    Biden" has no qualifier."""
    before = _this_sentence(before)
    folded = fold(before)
    if ANY_QUALIFIER.search(folded):  # rarely: then the first spelling, longest first
        for pattern, value in QUALIFIER_RES:
            match = pattern.search(folded)
            if match:
                return canonical_qualifier(value), before[:match.start()]
    run = CAPITALISED_RUN.search(before)
    if not run:
        return "", before
    words = [(m.start() + run.start(), m.group()) for m in NON_SPACE.finditer(run.group())]
    while words and fold(words[0][1]).rstrip(".") in stop | PARTY:
        words.pop(0)
    if not words:
        return "", before[:run.start()] + run.group()
    written = re.sub(r"['’]s$", "", " ".join(w for _, w in words))
    canonical = written.replace(".", "") if written.isupper() else canonical_qualifier(written)
    return canonical, before[:words[0][0]]


def _this_sentence(before: str) -> str:
    """The part of `before` after the last sentence end or line break; the full stop
    of "U.S." or "Gen." ends no sentence."""
    cut = 0
    for match in SENTENCE_BREAK.finditer(before):
        word = match.group(1) or ""
        if match.group() == "\n" or (TWO_LOWER_END.search(word) and fold(word) not in TITLES):
            cut = match.end()
    return before[cut:]


@lru_cache(maxsize=4096)
def canonical_qualifier(qualifier: str) -> str:
    """ "Nato" -> "NATO", "U.S." / "American" -> "US", "ROK" -> "South Korean"."""
    words = office_key(qualifier).split()
    key = " ".join(words)
    words = BODIES.get(key, key).split()
    return " ".join(w.upper() if w in ACRONYMS else w.capitalize() for w in words)


@lru_cache(maxsize=4096)
def same_qualifier(a: str, b: str) -> bool:
    """ "Nigerian" and "Nigeria's" President; not "Austrian" and "Australian", nor two
    countries the alias table knows ("Niger", "Nigerian")."""
    qa, qb = office_key(a), office_key(b)
    if qa == qb:
        return True
    if qa in KNOWN_VALUES or qb in KNOWN_VALUES:
        return False
    common = len(os.path.commonprefix([qa, qb]))  # noqa: RUF071 (characters are meant)
    return common >= max(4, min(len(qa), len(qb)) - 1)


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def load_register(path: Path, rel: str) -> tuple[tuple[Tenure, ...], list[ContentError]]:
    """Read the register; a missing file is an empty register, every bad entry an error."""
    if not path.exists():
        return (), []
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        return (), [ContentError(rel, raw[:exc.start].count(b"\n") + 1, "not UTF-8 text",
                                 "save the file as UTF-8")]
    if nesting(text) > MAX_DEPTH:
        return (), [ContentError(rel, 1, "nested too deeply to read", HINT)]
    loader = YamlLoader(text)  # (YAML 1.2's plain values, as front matter reads them)
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
    lines: dict[str, int] = {}  # each value's own line
    problems = []
    for key_node, value_node in node.value:
        key = key_node.value
        lines[key] = value_node.start_mark.line + 1
        if key not in FIELDS:
            where = key_node.start_mark.line + 1
            problems.append(ContentError(rel, where, f"unknown key {key!r}", HINT))
            continue
        try:
            values[key] = YamlLoader("").construct_object(value_node, deep=True)
        except (ValueError, yaml.YAMLError):  # e.g. 2024-02-30: a date-shaped impossible day
            where = value_node.start_mark.line + 1
            problems.append(ContentError(rel, where, f"`{key}` is not a date: {value_node.value!r}",
                                         "write a real day as YYYY-MM-DD"))
            values[key] = None
    for key in ("office", "holder"):
        if not isinstance(values.get(key), str) or not str(values[key]).strip():
            problems.append(ContentError(rel, line, f"entry needs a text `{key}`", HINT))
        elif has_controls(values[key]):
            problems.append(ContentError(rel, line, f"`{key}` holds a control character",
                                         "write it without escapes such as \\x01"))
    start, end = (_day(values.get(key), key, rel, lines.get(key, line), problems)
                  for key in ("from", "to"))
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
