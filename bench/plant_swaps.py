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
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.compare import compare_event
from generator.models import Article, Event, PartialDate

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval-dev"
OFFICES = ("Speaker", "House Speaker", "President", "Vice President", "Secretary of State",
           "Attorney General", "Prime Minister", "Chancellor", "Defense Secretary",
           "Foreign Minister", "Foreign Secretary", "Secretary-General", "Secretary General")
NAME = r"[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?(?: [A-Z][a-z]+(?:-[A-Za-z][a-z]+)?){0,3}"
MENTION = re.compile(rf"\b((?:[A-Z][A-Za-z.]+ )?(?:{'|'.join(OFFICES)})) ({NAME})\b")
SKIP = re.compile(r"(?i:former|ex-|late|then-|deputy|vice)\W+(?:[A-Z][\w.]*\W+){0,2}$")


def article(row: dict, text: str | None = None) -> Article:
    published = dt.datetime.fromisoformat(row["date"]).replace(tzinfo=dt.UTC)
    body = row["text"] if text is None else text
    return Article(path=row["id"], story="", title=row["title"], body=body, text=body, html="",
                   published=published, source=row["outlet"])


def event(a: Article, b: Article) -> Event:
    day = PartialDate.of(min(a.published, b.published).date())
    return Event(id="e", date=day, title=a.title, story="", articles=(a, b))


def mentions(text: str) -> list[tuple[str, str]]:
    """(office, full name) pairs, two-word names or longer, not former or deputy holders."""
    found = []
    for match in MENTION.finditer(text):
        name = match.group(2)
        if " " in name and not SKIP.search(text[max(0, match.start() - 40):match.start()]):
            found.append((match.group(1), name))
    return found


def names_by_office(rows: list[dict]) -> dict[str, list[str]]:
    pool: dict[str, set[str]] = {}
    for row in rows:
        for office, name in mentions(row["text"]):
            if len(name.split()) <= 3:
                pool.setdefault(office.split()[-1], set()).add(name)
    return {office: sorted(names) for office, names in pool.items()}


def plant(a: dict, b: dict, pool: dict[str, list[str]], rng: random.Random):
    """Swaps to plant in `a`: (modified text, old name, new name) for each holder that `b`
    names by the same office too."""
    both = a["text"] + " " + b["text"]
    for office, name in dict.fromkeys(mentions(a["text"])):
        surname = name.split()[-1]
        if not re.search(rf"\b{re.escape(office.split()[-1])} (?:{NAME} )?{surname}\b", b["text"]):
            continue
        choices = [n for n in pool.get(office.split()[-1], []) + pool["*"]
                   if n.split()[-1] not in both and n.split()[0] not in both]
        if not choices:
            continue
        new = rng.choice(choices[:40])
        text = a["text"].replace(name, new)
        text = re.sub(rf"\b{re.escape(surname)}\b", new.split()[-1], text)
        yield text, name, new


def caught(notes, old: str, new: str) -> bool:
    old_last, new_last = old.split()[-1], new.split()[-1]
    for note in notes:
        values = " | ".join(v.value for v in note.values)
        if note.kind == "office" and old_last in values and new_last in values:
            return True
    return False


def run(path: Path) -> dict[str, float]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    pool = names_by_office(rows)
    pool["*"] = sorted({n for names in pool.values() for n in names})
    rng = random.Random(4)
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["event_id"], []).append(row)
    clean, kinds, planted, hits, misses = 0, Counter(), 0, 0, []
    for members in groups.values():
        for a, b in itertools.combinations(members, 2):
            clean += 1
            kinds.update(n.kind for n in compare_event(event(article(a), article(b))))
            for first, second in ((a, b), (b, a)):
                for text, old, new in plant(first, second, pool, rng):
                    planted += 1
                    notes = compare_event(event(article(first, text), article(second)))
                    if caught(notes, old, new):
                        hits += 1
                    else:
                        misses.append(f"{old} -> {new} ({first['id']})")
    return {"pairs": clean, "kinds": kinds, "planted": planted, "hits": hits, "misses": misses}


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else EVAL
    total = Counter()
    for path in sorted(folder.glob("*.jsonl")):
        r = run(path)
        office = r["kinds"]["office"]
        recall = r["hits"] / r["planted"] if r["planted"] else float("nan")
        kinds = dict(sorted(r["kinds"].items()))
        print(f"{path.name}: {r['pairs']} clean pairs, office notes {office} "
              f"({office / r['pairs']:.3f} per pair); all notes {kinds}; "
              f"planted swaps {r['planted']}, caught {r['hits']} (recall {recall:.3f})")
        for miss in r["misses"][:8]:
            print(f"    missed: {miss}")
        total.update(pairs=r["pairs"], office=office, planted=r["planted"], hits=r["hits"])
    print(f"all files: recall {total['hits']}/{total['planted']} = "
          f"{total['hits'] / max(total['planted'], 1):.3f} (target >= 0.9); office notes per clean "
          f"pair {total['office']}/{total['pairs']} = {total['office'] / total['pairs']:.3f} "
          f"(target <= 0.05)")


if __name__ == "__main__":
    main()
