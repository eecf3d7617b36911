"""Recall and false alarms of office-holder notes on real same-event article pairs.

For every pair of articles that report one event in ../shared/eval-dev/*.jsonl:

- clean: run `compare_event` on the pair as published and count the notes it emits (an
  office note on a clean pair is almost always a false alarm);
- planted: where both articles name the same holder of one office ("Speaker Nancy
  Pelosi" ... "Speaker Pelosi"), rename that person throughout one article to another
  real person named in the same file (by the same office if possible), as a careless
  translation would, and check that an office note names both people.

Offices are found here with a bench-owned pattern, independent of the generator's. The
texts belong to their publishers: they are read from ../shared/eval-dev at run time and
never copied. Run: .venv/bin/python bench/plant_swaps.py [EVAL_DIR]
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.compare import compare_event
from generator.models import Article, Body, Event, PartialDate

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval-dev"
OFFICES = sorted(("Speaker", "President", "Vice President", "Secretary of State",
                  "Attorney General", "Prime Minister", "Chancellor", "Defense Secretary",
                  "Foreign Minister", "Foreign Secretary", "Secretary-General",
                  "Secretary General"), key=len, reverse=True)
NAME = r"[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?(?: [A-Z][a-z]+(?:-[A-Za-z][a-z]+)?){0,3}"
MENTION = re.compile(rf"\b({'|'.join(OFFICES)}) ({NAME})\b")
# A holder that is not current: "former President", "then-Speaker", "ex-President",
# "former U.S. President", "Vice President" (for President).
SKIP = re.compile(r"(?i:\b(?:former|ex|late|then|deputy|vice|acting|interim|outgoing|"
                  r"incoming)\b)[\s-]*(?:[A-Z][\w.]*\s+){0,2}$")
NOT_NAME = frozenset(re.findall(r"\w+", """monday tuesday wednesday thursday friday saturday
    sunday january february march april may june july august september october november
    december"""))


def article(row: dict, text: str | None = None) -> Article:
    published = dt.datetime.fromisoformat(row["date"]).replace(tzinfo=dt.UTC)
    body = row["text"] if text is None else text
    return Article(path=row["id"], story="", title=row["title"], content=Body.of(body),
                   published=published, source=row["outlet"])


def event(a: Article, b: Article) -> Event:
    day = PartialDate.of(min(a.published, b.published).date())
    return Event(id="e", date=day, title=a.title, story="", articles=(a, b))


def mentions(text: str, full: bool = True) -> list[tuple[str, str]]:
    """(office, name) for current holders: not "former", "then-", "ex-" or deputies;
    with `full`, names of two words or more."""
    found = []
    for match in MENTION.finditer(text):
        office, name = match.group(1).replace("-", " "), match.group(2)
        if (" " in name or not full) and not SKIP.search(text[max(0, match.start() - 40):
                                                               match.start()]):
            found.append((office, name))
    return found


def names_by_office(rows: list[dict]) -> dict[str, list[str]]:
    """Real people named by office in the file. A name with a word the texts also use in
    lower case ("Obama Briefed", "Biden Thursday") is a misread and left out."""
    lower = {w for row in rows for w in re.findall(r"\b[a-z]+\b", row["text"])}
    pool: dict[str, set[str]] = {}
    for row in rows:
        for office, name in mentions(row["text"]):
            words = [w.lower() for w in re.split(r"[ -]", name)]
            if len(name.split()) <= 3 and not any(w in lower | NOT_NAME for w in words):
                pool.setdefault(office, set()).add(name)
    return {office: sorted(names) for office, names in pool.items()}


def plant(a: dict, b: dict, pool: dict[str, list[str]], rng: random.Random):
    """Swaps to plant in `a`: (modified text, old name, new name) for each current holder
    that `b` also names by the same office as current."""
    both = a["text"] + " " + b["text"]
    in_b = {(office, name.split()[-1]) for office, name in mentions(b["text"], full=False)}
    for office, name in dict.fromkeys(mentions(a["text"])):
        if (office, name.split()[-1]) not in in_b:
            continue
        choices = [n for n in pool.get(office, []) + pool["*"]
                   if not any(re.search(rf"\b{re.escape(w)}\b", both) for w in n.split())]
        if choices:
            new = rng.choice(choices[:40])
            yield rename(a["text"], name, new), name, new


def rename(text: str, old: str, new: str) -> str:
    """Every mention of `old` becomes `new`: the full name with or without a middle
    initial or accents ("Donald J. Trump", "François Hollande"), then the surname alone,
    then the first word alone ("President Xi" of "Xi Jinping")."""
    first, last = old.split()[0], old.split()[-1]
    full = re.compile(rf"\b([A-Z][\w'’.-]*)\s+(?:[A-Z]\.\s+)?{re.escape(last)}\b")
    text = full.sub(lambda m: new if _fold(m.group(1)) == _fold(first) else m.group(), text)
    text = re.sub(rf"\b{re.escape(last)}\b", new.split()[-1], text)
    return re.sub(rf"\b{re.escape(first)}\b", new.split()[0], text)


def _fold(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()


def caught(notes, old: str, new: str) -> bool:
    """An office note names both people (by any word of their names: a report may call
    "Xi Jinping" "President Xi")."""
    for note in notes:
        words = set(re.findall(r"[\w-]+", " ".join(v.value for v in note.values)))
        if note.kind == "office" and words & set(old.split()) and words & set(new.split()):
            return True
    return False


def run(path: Path) -> dict:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    pool = names_by_office(rows)
    pool["*"] = sorted({n for names in pool.values() for n in names})
    rng = random.Random(4)
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["event_id"], []).append(row)
    clean, kinds, planted, hits, misses, found = 0, Counter(), 0, 0, [], []
    for members in groups.values():
        for a, b in itertools.combinations(members, 2):
            clean += 1
            notes = compare_event(event(article(a), article(b)))
            kinds.update(n.kind for n in notes)
            found += [(path.name, a["id"], b["id"], n) for n in notes]
            for first, second in ((a, b), (b, a)):
                for text, old, new in plant(first, second, pool, rng):
                    planted += 1
                    notes = compare_event(event(article(first, text), article(second)))
                    if caught(notes, old, new):
                        hits += 1
                    else:
                        misses.append(f"{old} -> {new} ({first['id']})")
    return {"pairs": clean, "kinds": kinds, "planted": planted, "hits": hits, "misses": misses,
            "notes": found}


# Precision judged by hand on the clean pairs' notes at the last review (the sample that
# `--sample` prints: 20 quote notes drawn with seed 7, every figure and place note); see
# docs/corrections.md for the judgement of each note.
JUDGED = {"quote": (12, 20), "figure": (1, 3), "place": (1, 1)}


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    folder = Path(args[0]) if args else EVAL
    total, kinds, notes = Counter(), Counter(), []
    for path in sorted(folder.glob("*.jsonl")):
        r = run(path)
        office = r["kinds"]["office"]
        recall = r["hits"] / r["planted"] if r["planted"] else float("nan")
        every = dict(sorted(r["kinds"].items()))
        print(f"{path.name}: {r['pairs']} clean pairs, office notes {office} "
              f"({office / r['pairs']:.3f} per pair); all notes {every}; "
              f"planted swaps {r['planted']}, caught {r['hits']} (recall {recall:.3f})")
        for miss in r["misses"][:8]:
            print(f"    missed: {miss}")
        total.update(pairs=r["pairs"], planted=r["planted"], hits=r["hits"])
        kinds.update(r["kinds"])
        notes += r["notes"]
    pairs = total["pairs"]
    print(f"all files: recall {total['hits']}/{total['planted']} = "
          f"{total['hits'] / max(total['planted'], 1):.3f} (target >= 0.9); office notes per clean "
          f"pair {kinds['office']}/{pairs} = {kinds['office'] / pairs:.3f} (target <= 0.05)")
    for kind in ("quote", "figure", "place"):
        good, judged = JUDGED[kind]
        print(f"  {kind} notes per clean pair {kinds[kind]}/{pairs} = {kinds[kind] / pairs:.3f}; "
              f"judged by hand at the last review: {good}/{judged} real disagreements")
    if "--sample" in sys.argv:
        print_sample(notes)


def print_sample(notes: list) -> None:
    """The notes to judge by hand: 20 quote notes (seed 7), every figure and place note."""
    quotes = [n for n in notes if n[3].kind == "quote"]
    chosen = random.Random(7).sample(quotes, min(20, len(quotes)))
    chosen += [n for n in notes if n[3].kind in ("figure", "place")]
    for i, (name, a, b, note) in enumerate(chosen):
        print(f"--- {i} {note.kind} {name} {a} / {b}: {note.field}")
        for value in note.values:
            print(f"    [{value.value}] << {value.passage[:300]} >>")


if __name__ == "__main__":
    main()
