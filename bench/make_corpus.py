"""Writes N realistic dated news articles as a Dateline content folder, deterministically.

    python bench/make_corpus.py N OUT_DIR [--seed S]

About 30% of articles are rewrites of another article by another outlet a day or two
later (so merging has real work); the rest are distinct events. Articles have YAML
front matter (title, date, source, url), ~600 words of paragraphs with quotes, names,
places, figures and links. Same N and seed -> byte-identical files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

OUTLETS = ["Reuters", "Associated Press", "Agence France-Presse", "BBC News", "The Guardian",
           "Kyiv Courier", "Meridian Press", "European Wire Service", "Washington Ledger",
           "Brussels Dispatch", "Coastal Times", "Northern Herald", "Baltic Observer",
           "Danube Daily", "Pacific Bulletin", "Atlas Review"]
FIRST = ["Anna", "Oleksandr", "Maria", "James", "Sofia", "Pieter", "Ines", "Tomas", "Leila",
         "Viktor", "Hana", "Marek", "Elena", "Jonas", "Amara", "Kenji", "Lucia", "Dmytro",
         "Sara", "Rafael", "Ingrid", "Yusuf", "Clara", "Mateo", "Nadia", "Emil", "Irena"]
LAST = ["Kovalenko", "Marren", "Reyvik", "Lindqvist", "Okafor", "Brandt", "Moreau", "Silva",
        "Nakamura", "Horvat", "Novak", "Petrenko", "Ferreira", "Jansen", "Rossi", "Costa",
        "Weber", "Dubois", "Kowalski", "Haddad", "Tanaka", "Ivanova", "Schmidt", "Larsen"]
PLACES = ["Kyiv", "Brussels", "Dnipro", "Kharkiv", "Warsaw", "Vilnius", "Berlin", "Geneva",
          "Odesa", "Riga", "Tallinn", "Bucharest", "Chisinau", "Helsinki", "Prague", "Vienna",
          "Lviv", "Zaporizhzhia", "Sumy", "Kherson", "Gdansk", "Krakow", "Oslo", "Madrid"]
OFFICES = ["Foreign Minister", "Defence Minister", "Prime Minister", "Mayor", "Governor",
           "Energy Minister", "Central Bank Governor", "Army Chief", "Health Minister"]
TOPICS = [
    ("strike", "missile strike hits {place}", "{n} people were killed and {m} injured when "
     "missiles struck residential buildings in {place}", "killed"),
    ("talks", "{office} {name} holds talks in {place}", "{office} {name} met counterparts "
     "in {place} to discuss air defence, grain exports and reconstruction funding", "delegates"),
    ("aid", "{place} pledges {n} million in new aid", "officials in {place} announced a "
     "package worth {n} million euros, including {m} armoured vehicles", "million"),
    ("vote", "Parliament backs {office} {name} in {place} vote", "lawmakers voted {n} to "
     "{m} to approve the plan championed by {office} {name}", "votes"),
    ("energy", "Power cuts hit {place} after attack on grid", "about {n},000 homes in "
     "{place} lost power after drones struck a substation, the grid operator said", "homes"),
    ("court", "Court in {place} jails former official", "a court in {place} sentenced a "
     "former deputy minister to {m} years for embezzling {n} million", "years"),
]
# Sentence patterns with slots, so every article carries words of its own, as real
# reports do, instead of sharing one block of boilerplate.
PATTERNS = [
    "{a_name}, a {role} in {a_place}, said the {thing} had been {state} since {weekday}.",
    "According to {org}, at least {k} {things} were {verb} in the {region} region.",
    "{org} said it had {act} {k} {things} and would {plan} by the end of {month}.",
    "Residents of {a_place} described {feeling} as {things} {verb2} across the city.",
    "The {thing} in {a_place} was expected to cost about {k} million {currency}.",
    "{a_name} of {org} warned that {things} in {region} could {risk} within {k} weeks.",
    "Independent verification of the {thing} was not immediately possible, {org} noted.",
    "Talks between {org} and officials from {a_place} ended without a {deal}.",
    "In a statement, {org} called the {thing} \"{adjective} and {adjective2}\".",
    "Earlier in {month}, {k} {things} were reported {verb} near {a_place}.",
]
SLOTS = {
    "role": ["local councillor", "hospital director", "school teacher", "volunteer", "engineer",
             "shop owner", "police spokesperson", "aid worker", "farmer", "economist"],
    "thing": ["blackout", "evacuation", "shortage", "inquiry", "ceasefire", "curfew",
              "repair work", "grain shipment", "convoy", "tender", "audit", "deployment"],
    "things": ["schools", "bridges", "substations", "hospitals", "trains", "warehouses",
               "drones", "shelters", "ambulances", "tankers", "checkpoints", "generators"],
    "state": ["suspended", "delayed", "disrupted", "under review", "extended", "halted"],
    "verb": ["damaged", "destroyed", "repaired", "closed", "reopened", "inspected"],
    "verb2": ["stood empty", "were rationed", "ran on reserve power", "were shut"],
    "act": ["delivered", "ordered", "requisitioned", "restored", "inspected", "insured"],
    "plan": ["publish a full account", "double deliveries", "hire more staff",
             "open a second line", "seek compensation", "ask for international help"],
    "feeling": ["long queues", "sleepless nights", "empty shelves", "cold flats", "anxiety"],
    "region": ["Donetsk", "Kherson", "Sumy", "Mykolaiv", "Poltava", "Chernihiv", "Volyn",
               "Zhytomyr", "Vinnytsia", "Cherkasy", "Rivne", "Ternopil"],
    "org": ["the UN refugee agency", "the Red Cross", "the grid operator", "the regional "
            "governor's office", "the World Bank", "the IAEA", "the defence ministry",
            "the state railway", "Doctors Without Borders", "the central bank",
            "the prosecutor's office", "the European Commission"],
    "currency": ["euros", "dollars", "hryvnias", "zlotys"],
    "risk": ["run short", "fail", "double in price", "be closed", "be rationed"],
    "deal": ["deal", "timetable", "joint statement", "date for new talks"],
    "adjective": ["unacceptable", "necessary", "premature", "reckless", "overdue", "vital"],
    "adjective2": ["dangerous", "long awaited", "costly", "temporary", "symbolic", "fragile"],
    "month": ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"],
    "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}


def filler(rng: random.Random) -> str:
    """One sentence with its slots filled: names, places, numbers and nouns vary."""
    values = {key: rng.choice(options) for key, options in SLOTS.items()}
    values.update(a_name=person(rng), a_place=rng.choice(PLACES),
                  k=rng.randint(2, 900))
    return rng.choice(PATTERNS).format(**values)


@dataclass(frozen=True)
class Story:
    topic: tuple[str, str, str, str]
    place: str
    name: str
    office: str
    n: int
    m: int
    day: dt.date
    quote: str
    village: str  # what makes a story this story and no other: its own proper nouns
    operation: str
    company: str


SYLLABLES = ["vor", "lan", "ket", "mir", "dosh", "ral", "ben", "tsk", "ov", "ska", "zhy",
             "pol", "tra", "nev", "kor", "bil", "hor", "dan", "mys", "vel", "lut", "gra"]
ENDINGS = ["ivka", "ove", "ets", "yne", "ania", "ograd", "ino", "ar", "ech", "isk"]


def coin(rng: random.Random) -> str:
    """A proper noun other stories rarely share by chance (~100,000 possible): villages,
    operations, firms, surnames."""
    return "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize() + rng.choice(ENDINGS)


def person(rng: random.Random) -> str:
    """A full name; common first names, surnames as varied as a real country's."""
    surname = rng.choice(LAST) if rng.random() < 0.2 else coin(rng)
    return f"{rng.choice(FIRST)} {surname}"


def make_story(rng: random.Random, day: dt.date) -> Story:
    return Story(rng.choice(TOPICS), rng.choice(PLACES), person(rng),
                 rng.choice(OFFICES), rng.randint(3, 480), rng.randint(2, 90), day,
                 make_quote(rng), coin(rng), coin(rng), coin(rng) + " " + rng.choice(FIRMS))


FIRMS = ["Holdings", "Energy", "Logistics", "Group", "Engineering", "Agro"]


def make_quote(rng: random.Random) -> str:
    """Each story has its own quotation, as real events do."""
    return (f"The {rng.choice(SLOTS['thing'])} is {rng.choice(SLOTS['adjective'])}, and the "
            f"{rng.choice(SLOTS['things'])} of {rng.choice(PLACES)} will not wait "
            f"another {rng.randint(2, 40)} days")


def body(story: Story, rng: random.Random, outlet: str) -> str:
    fill = {"place": story.place, "name": story.name, "office": story.office,
            "n": story.n, "m": story.m}
    lead = story.topic[2].format(**fill)
    weekday = story.day.strftime("%A")
    quote = f'"{story.quote}," {story.name} told reporters in {story.place}.'
    link = f"[earlier report](https://{_domain(outlet)}/archive/{story.day.isoformat()})"
    paragraphs = [f"{story.place.upper()}, {story.day:%b} {story.day.day} ({outlet}) - "
                  f"On {weekday}, {lead}, near the village of {story.village}.", quote]
    specifics = [f"Officials linked the events in {story.village} to {story.operation}, "
                 f"a programme run with {story.company}.",
                 f"{story.company} declined to comment on {story.operation}.",
                 f"Residents of {story.village} said they had been warned days earlier."]
    for number in range(11):
        sentences = [filler(rng) for _ in range(rng.randint(3, 4))]
        if number < len(specifics) and rng.random() < 0.8:
            sentences.insert(rng.randrange(len(sentences)), specifics[number])
        paragraphs.append(" ".join(sentences))
    paragraphs.insert(4, f"See our {link} for background.")
    return "\n\n".join(paragraphs) + "\n"


def _domain(outlet: str) -> str:
    return outlet.lower().replace(" ", "").replace("-", "") + ".example"


def article_text(story: Story, outlet: str, published: dt.date, index: int,
                 rng: random.Random) -> str:
    fill = {"place": story.place, "name": story.name, "office": story.office,
            "n": story.n, "m": story.m}
    title = story.topic[1].format(**fill)
    if rng.random() < 0.5:  # rewrites often write their own headline
        title = f"{story.village}: {title}" if rng.random() < 0.5 else \
            f"{title} as {story.company} faces questions"
    title = title[0].upper() + title[1:]
    url = f"https://{_domain(outlet)}/{published.isoformat()}/{index:06d}"
    return (f"---\ntitle: \"{title}\"\ndate: {published.isoformat()}\nsource: {outlet}\n"
            f"url: {url}\n---\n" + body(story, rng, outlet))


def write_corpus(n: int, out: Path, seed: int = 1, start: dt.date = dt.date(2022, 2, 24)) -> int:
    """Writes n articles under out/ in story folders by year; returns the number written."""
    rng = random.Random(seed)
    stories: list[tuple[Story, str]] = []
    days = max(30, n // 8)  # ~8 articles a day, as a busy desk would file
    for index in range(n):
        if stories and rng.random() < 0.3:
            original, first_outlet = rng.choice(stories[-200:])
            outlet = rng.choice([o for o in OUTLETS if o != first_outlet])
            published = original.day + dt.timedelta(days=rng.randint(0, 2))
            story = original
        else:
            story = make_story(rng, start + dt.timedelta(days=rng.randrange(days)))
            outlet, published = rng.choice(OUTLETS), story.day
            stories.append((story, outlet))
        folder = out / f"war-{published.year}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{index:06d}.md").write_text(
            article_text(story, outlet, published, index, rng), encoding="utf-8")
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_corpus(args.n, args.out, args.seed)
    print(f"Wrote {args.n} articles to {args.out}")


if __name__ == "__main__":
    main()
