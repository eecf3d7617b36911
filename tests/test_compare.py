"""Correction notes: author corrections, disagreements between sources, the register."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from generator.build import build
from generator.compare import compare_event, derived_from
from generator.config import load_config
from generator.models import Article, Body, Correction, Event, PartialDate, TextDate
from generator.parse import parse_article
from generator.register import Tenure, load_register, office_key
from generator.timeline import disputed_points, point_label

from .conftest import SEEDS

DAY = dt.date(2024, 11, 13)
REGISTER = (
    Tenure("NATO Secretary General", "Jens Stoltenberg", dt.date(2014, 10, 1),
           dt.date(2024, 10, 1)),
    Tenure("NATO Secretary General", "Mark Rutte", dt.date(2024, 10, 1), None),
)


def article(text: str, source: str | None = None, path: str = "", **fields) -> Article:
    path = path or f"{source or 'unknown'}.md"
    return Article(path=path, story="", title="", content=Body.of(text), source=source,
                   **fields)


def event(*articles: Article, day: dt.date = DAY) -> Event:
    return Event("e", PartialDate.of(day), "t", "", tuple(articles))


def notes(*texts: str, kind: str | None = None, **options):
    arts = [article(t, f"Outlet {i}") for i, t in enumerate(texts)]
    found = compare_event(event(*arts), **options)
    return [n for n in found if kind is None or n.kind == kind]


def seeds() -> list[Article]:
    found = []
    for path in sorted(SEEDS.glob("*.txt")):
        parsed, _ = parse_article(path.name, path.read_text(encoding="utf-8"))
        found.append(parsed)
    return found


# --- the seeds -------------------------------------------------------------------------


def test_seeds_give_exactly_three_office_notes_naming_both_holders():
    office = [n for n in compare_event(event(*seeds())) if n.kind == "office"]
    assert [(n.field, [v.value for v in n.values]) for n in office] == [
        ("British Foreign Secretary", ["David Rami", "David Lammy"]),
        ("NATO Secretary General", ["Jens Stoltenberg", "Mark Rutte"]),
        ("Ukrainian Foreign Minister", ["Andriy Yermak", "Andrii Sybiha"]),
    ]
    assert "Jens Stoltenberg" in office[1].text and "Mark Rutte" in office[1].text
    assert all("000_ca7f983b08f06bbf.txt" in n.text for n in office)  # same outlet: file named


def test_seeds_give_quote_notes_for_the_paraphrased_statements():
    quotes = [n for n in compare_event(event(*seeds())) if n.kind == "quote"]
    pairs = {(n.values[0].value, n.values[1].value) for n in quotes}
    assert ("needs and will receive a resolute response",
            "demands and will get a firm response") in pairs
    assert len(quotes) == 5
    assert all(len(n.values) == 2 and n.values[0].sources != n.values[1].sources for n in quotes)


def test_seeds_register_flags_stoltenberg_once_as_the_office_notes_reason():
    found = compare_event(event(*seeds()), REGISTER)
    office = next(n for n in found if n.field == "NATO Secretary General" and n.kind == "office")
    assert office.preferred == "Mark Rutte"
    assert office.why == ("Jens Stoltenberg was NATO Secretary General until 1 October 2024; "
                          "on 13 November 2024 the post was held by Mark Rutte, according to "
                          "the site's list of office holders.")
    assert office.text.startswith("Sources disagree on who was NATO Secretary General on "
                                  "13 November 2024: Jens Stoltenberg")
    assert not [n for n in found if n.kind == "register"], "each wrong name is flagged once"


def test_a_register_note_stands_alone_where_the_sources_agree():
    """Both reports name Stoltenberg: no disagreement to fold the register's note into."""
    first, second = seeds()
    wrong = [dataclasses.replace(a, content=Body.of(a.text.replace("Mark Rutte", "Jens Stoltenberg")
                                                     .replace("Rutte", "Stoltenberg")))
             for a in (first, second)]
    found = compare_event(event(*wrong), REGISTER)
    register = [n for n in found if n.kind == "register" and n.field == "NATO Secretary General"]
    assert [n.text for n in register] == [
        "Jens Stoltenberg was NATO Secretary General until 1 October 2024; "
        "on 13 November 2024 the post was held by Mark Rutte, according to the site's list "
        "of office holders."]
    assert not [n for n in found if n.kind == "office" and n.field == "NATO Secretary General"]


def test_output_is_deterministic():
    assert compare_event(event(*seeds()), REGISTER) == compare_event(event(*seeds()), REGISTER)


def test_kinds_come_in_order():
    order = ["author", "office", "quote", "figure", "date", "place", "register"]
    kinds = [n.kind for n in compare_event(event(*seeds()), REGISTER)]
    assert kinds == sorted(kinds, key=order.index)


# --- office precision --------------------------------------------------------------------


def test_same_office_different_holders_is_a_note():
    found = notes("NATO Secretary General Jens Stoltenberg met Blinken.",
                  "Nato Secretary General Mark Rutte met Blinken.", kind="office")
    assert [n.field for n in found] == ["NATO Secretary General"]
    assert "Outlet 0" in found[0].text and "Outlet 1" in found[0].text


def test_same_person_written_differently_is_no_note():
    assert not notes("President Obama spoke in Berlin.", "President Barack Obama spoke.",
                     kind="office")
    assert not notes("Nato Secretary-General Mark Rutte spoke.",
                     "NATO Secretary General Rutte spoke.", kind="office")
    assert not notes("Ukrainian Foreign Minister Andriy Sybiha spoke.",
                     "Ukrainian Foreign Minister Andrii Sybiha spoke.", kind="office")


def test_former_holder_beside_current_is_no_note():
    assert not notes("Former Speaker Nancy Pelosi criticised the plan on Monday.",
                     "Speaker Mike Johnson criticised the plan on Monday.", kind="office")
    assert not notes("Then-Speaker Paul Ryan backed the plan.",
                     "Speaker Mike Johnson backed the plan.", kind="office")


def test_offices_with_many_holders_are_no_note():
    for office in ("Senator", "Governor", "Representative", "General", "Ambassador", "Mayor"):
        assert not notes(f"{office} John Smith backed the bill on Monday.",
                         f"{office} Mary Jones backed the bill on Monday.", kind="office")


def test_minister_without_a_country_is_no_note():
    assert not notes("Foreign Minister Sergei Lavrov met the delegation on Monday.",
                     "Foreign Minister Wang Yi met the delegation on Monday.", kind="office")


def test_two_different_offices_are_no_note():
    assert not notes("Russian President Vladimir Putin spoke.", "US President Joe Biden spoke.",
                     kind="office")
    assert not notes("US Secretary of State Antony Blinken spoke.",
                     "British Foreign Secretary David Lammy spoke.", kind="office")


def test_a_report_that_names_both_people_is_no_note():
    assert not notes("President Xi Jinping met President Joe Biden in Lima.",
                     "President Joe Biden met Xi in Lima.", kind="office")


def test_same_title_without_qualifier_is_a_note_when_each_report_names_one_holder():
    found = notes("Speaker Nancy Pelosi said the House would vote on the bill on Friday.",
                  "Speaker Kevin McCarthy told reporters the chamber would act soon.",
                  kind="office")
    assert [(n.field, [v.value for v in n.values]) for n in found] == [
        ("House Speaker", ["Nancy Pelosi", "Kevin McCarthy"])]
    found = notes("US President Donald Trump tweeted about China on Thursday.",
                  "President Boris Yeltsin said China was allowing oil into North Korea, "
                  "as Washington looked on.", kind="office")
    assert [n.field for n in found] == ["US President"]


def test_a_second_unmatched_holder_makes_the_title_ambiguous():
    assert not notes("President Donald Trump met President Moon Jae-in in Seoul.",
                     "President Boris Yeltsin met President Emmanuel Macron in Seoul.",
                     kind="office")
    # a holder both reports name is no ambiguity: the remaining one is the clash
    found = notes("President Donald Trump met South Korean President Moon Jae-in in Seoul.",
                  "President Boris Yeltsin met President Moon Jae-in in Seoul.", kind="office")
    assert [[v.value for v in n.values] for n in found] == [["Donald Trump", "Boris Yeltsin"]]


def test_country_written_differently_is_one_office():
    for a, b in (("ROK President Moon Jae-in", "South Korean President Park Geun-hye"),
                 ("South Korea's President Moon Jae-in", "ROK President Park Geun-hye"),
                 ("U.S. President Joe Biden", "American President Donald Trump"),
                 ("UK Foreign Secretary David Lammy", "Britain's Foreign Secretary David Rami"),
                 ("Ukraine's Foreign Minister Andrii Sybiha",
                  "Ukrainian Foreign Minister Andriy Yermak")):
        found = notes(f"{a} spoke on Monday.", f"{b} spoke on Monday.", kind="office")
        assert len(found) == 1, (a, b)


def test_a_qualifier_the_other_report_never_names_is_two_offices():
    assert not notes("Argentine President Mauricio Macri was named in the papers.",
                     "President Juan Carlos Varela went on the defensive in Panama.",
                     kind="office")
    assert not notes("Nigerian President Muhammadu Buhari spoke.",
                     "Niger President Mahamadou Issoufou spoke.", kind="office")


def test_not_a_current_claim_is_no_note():
    assert not notes("Oligarchs grew rich during the years of President Boris Yeltsin.",
                     "President Vladimir Putin spoke in Moscow about oligarchs.", kind="office")
    assert not notes("Ex-President Laura Chinchilla's cousin was a pilot in Costa Rica.",
                     "President Luis Guillermo Solis spoke about the pilot in Costa Rica.",
                     kind="office")
    found = notes("Japan is less safe under President Donald Trump, critics say.",
                  "Japan is less safe under President Boris Yeltsin, critics say.",
                  kind="office")
    assert len(found) == 1  # "under" a president is no under-secretary


def test_part_of_a_hyphenated_name_is_the_same_person():
    assert not notes("South Korea's President Moon Jae ordered a show of force.",
                     "South Korean President Moon Jae-in ordered a show of force.",
                     kind="office")


def test_a_name_running_onto_the_next_line_is_cut_there():
    assert not notes("Japanese Prime Minister Shinzo Abe\nTrump spoke later on.",
                     "Japanese Prime Minister Shinzo Abe spoke.\nPresident Trump spoke.",
                     kind="office")


# --- quotes, figures, dates, places --------------------------------------------------------


def test_quote_worded_differently_is_a_note():
    found = notes(
        'Blinken warned that North Korean troops in Russia "needs and will receive a resolute '
        'response".',
        'Blinken said the deployment of North Korean troops to Russia "demands and will get a firm '
        'response".', kind="quote")
    assert [n.field for n in found] == ["Blinken"]
    assert "resolute" in found[0].text and "firm" in found[0].text


def test_two_reports_quoting_alike_against_a_third_make_one_note():
    """Two agencies quote a statement alike, a translation words it differently: one
    statement, one note naming both agencies (it was two identical notes)."""
    alike = ('Blinken warned that North Korean troops in Russia "needs and will receive a '
             'resolute response".')
    found = notes(alike, alike.replace("warned", "said"),
                  'Blinken said the deployment of North Korean troops to Russia "demands and '
                  'will get a firm response".', kind="quote")
    assert len(found) == 1
    (note,) = found
    assert [v.sources for v in note.values] == [("Outlet 0", "Outlet 1"), ("Outlet 2",)]
    assert "(according to Outlet 0, Outlet 1)" in note.text


def test_quote_differing_in_punctuation_or_length_is_no_note():
    assert not notes('Rutte said that "Russia has not won in Ukraine," in Brussels.',
                     'Rutte said that "russia has not won in Ukraine" in Brussels.', kind="quote")
    assert not notes('Rutte said that "Russia has not won in Ukraine" in Brussels.',
                     'Rutte said that "Russia has not won" in Brussels.', kind="quote")


def test_excerpts_and_trivial_differences_are_no_quote_note():
    # each gives more of the statement at one end; the shared part is word for word
    assert not notes('Thurman said: "He pushed me down. He tried to shove himself on me. He '
                     'tried to expose himself."',
                     'Thurman said: "He tried to shove himself on me. He tried to expose '
                     'himself. You are like an animal wriggling away."', kind="quote")
    assert not notes('Smith said "given the information we have at this point, the community '
                     'is protected" on Monday.',
                     'Smith said "given the information that we have at this point, the '
                     'community\'s protected" on Monday.', kind="quote")
    assert not notes('Fandal said "never give out information through e-mail to strangers".',
                     'Fandal said "never give out information through email to strangers".',
                     kind="quote")
    found = notes('Biden said "we are not going to be in a combat zone by the end of the year".',
                  'Biden said "we are not going to be in a combat mission by the end of the '
                  'year".', kind="quote")
    assert [[v.value for v in n.values] for n in found] == [[
        "we are not going to be in a combat zone by the end of the year",
        "we are not going to be in a combat mission by the end of the year"]]


def test_an_organisation_quoted_differently_is_named_in_full():
    found = notes('Doctors Without Borders said "the clinic ran out of insulin on Monday".',
                  'Doctors Without Borders said "the clinic had no insulin left by Monday".',
                  kind="quote")
    assert [n.field for n in found] == ["Doctors Without Borders"]
    found = notes('The IAEA said "the plant lost external power twice this week".',
                  'The IAEA said "the plant lost outside power two times this week".',
                  kind="quote")
    assert [n.field for n in found] == ["IAEA"]
    found = notes('KYIV, Nov 13 (Reuters) - Kyiv said "the strikes hit three power plants".',
                  'KYIV, Nov 13 (AP) - Kyiv said "the strikes damaged three power plants".',
                  kind="quote")
    assert [n.field for n in found] == ["Kyiv"]  # a dateline ("KYIV, Nov 13") is no acronym


def test_unrelated_quotes_are_not_paired():
    assert not notes('Blinken said "the alliance will be stronger than ever before" on Monday.',
                     'Blinken said "the weather in Brussels is cold and grey today" on Monday.',
                     kind="quote")


def test_figure_differing_is_a_note():
    found = notes("North Korea has deployed 12,000 North Korean troops to Kursk.",
                  "North Korea has deployed 10,000 North Korean troops to Kursk.", kind="figure")
    assert [(n.field, [v.value for v in n.values]) for n in found] == [
        ("troops", ["12,000", "10,000"])]
    assert notes("At least 60 people were killed in Nice on Thursday night.",
                 "In Nice 84 people were killed on Thursday night.", kind="figure") == []
    [killed] = notes("At least 60 people were killed in Nice on Thursday night.",
                     "In Nice 40 people were killed on Thursday night.", kind="figure")
    assert killed.field == "people killed"  # (what happened to them: the label says it)
    assert killed.text.startswith("Sources disagree on the number of people killed: ")


def test_a_number_inside_another_or_a_date_is_not_the_other_reports_count():
    """Two counts are no disagreement when each report gives both; but "20" is not given
    by "200,000", "16" by "160 km/h", nor "13" by a dateline's "Nov 13"."""
    found = notes("The storm hit Porto on Wednesday, killing 20 people, and cut power to "
                  "200,000 homes.",
                  "The storm hit Porto on Wednesday, killing 16 people. Wind gusts reached "
                  "160 km/h.", kind="figure")
    assert [[v.value for v in n.values] for n in found] == [["20", "16"]]
    assert notes("LISBON, Nov 13 (Reuters) - The storm hit Porto, killing 12 people.",
                 "The storm hit Porto on Wednesday, killing 13 people.", kind="figure")
    assert notes("On 13 November the storm hit Porto, killing 12 people.",
                 "The storm hit Porto on Wednesday, killing 13 people.", kind="figure")
    assert not notes("The storm killed 12 people in Porto; 13 were first reported dead.",
                     "The storm killed 13 people in Porto on Wednesday.", kind="figure")


def test_different_counts_of_different_things_are_no_note():
    assert not notes("Police said 27 people were injured on the ship.",
                     "The ship carried 103 passengers and 26 crew members.", kind="figure")
    # the same noun in another role, a part of the whole, or a measure is no count of one thing
    assert not notes("The gunman left 12 people killed at the market in Kabul.",
                     "The gunman left 9 people injured at the market in Kabul.", kind="figure")
    assert not notes("The papers name 12 leaders and 128 other politicians from many states.",
                     "The papers name leaders and 140 politicians from many states.",
                     kind="figure")
    assert not notes("The boy was trapped in the well for 50 hours before rescue.",
                     "The boy was trapped in the well for 85 hours before rescue.", kind="figure")
    assert not notes("The breach exposed data of 400,000 people in Britain, the firm said.",
                     "The breach exposed data of 143 million people, the firm said.",
                     kind="figure")


def stated(day: PartialDate, kind: str = "explicit") -> TextDate:
    return TextDate(day, 1, kind, day.iso())


def test_date_differing_is_a_note():
    a = article("text", "Reuters", event_date=PartialDate(2024, 11, 13),
                dates=(stated(PartialDate(2024, 11, 13)),))
    b = article("text", "AP", event_date=PartialDate(2024, 11, 14),
                dates=(stated(PartialDate(2024, 11, 14), "weekday"),))
    c = article("text", "AFP", event_date=PartialDate(2024, 11),  # month only: no claim
                dates=(stated(PartialDate(2024, 11)),))
    found = [n for n in compare_event(event(a, b, c)) if n.kind == "date"]
    assert [[v.value for v in n.values] for n in found] == [["2024-11-13", "2024-11-14"]]


def test_a_date_only_from_publication_is_no_claim():
    stated_a = article("On Wednesday, November 13, ministers met.", "Reuters",
                       event_date=PartialDate(2024, 11, 13),
                       dates=(stated(PartialDate(2024, 11, 13)),))
    fallback = article("Ministers met.", "AP", event_date=PartialDate(2024, 11, 15),
                       published=dt.datetime(2024, 11, 15, tzinfo=dt.UTC))
    assert not [n for n in compare_event(event(stated_a, fallback)) if n.kind == "date"]
    parsed = [parse_article(f"{name}.md", text)[0] for name, text in (
        ("a", "---\ndate: 2024-11-13\nsource: A\n---\nMinisters met in Brussels today."),
        ("b", "---\ndate: 2024-11-15\nsource: B\n---\nMinisters met in Brussels."))]
    assert parsed[1].event_date == PartialDate(2024, 11, 15)  # publication date stands in
    assert not [n for n in compare_event(event(*parsed)) if n.kind == "date"]


def test_place_differing_is_a_note_unless_both_are_named():
    found = notes("BRUSSELS (Reuters) — Ministers met.", "VIENNA — Ministers met.", kind="place")
    assert [[v.value for v in n.values] for n in found] == [["Brussels", "Vienna"]]
    assert not notes("BRUSSELS — Ministers met.", "VIENNA — Ministers met, as in Brussels.",
                     kind="place")
    assert not notes("FILE - In this photo ministers met.", "VIENNA — Ministers met.",
                     kind="place")


def test_a_dateline_says_where_a_report_was_filed_and_none_is_preferred():
    """Reuters' Lisbon bureau and a Porto paper report one storm on the coast: neither
    dateline is wrong, so no trust order or original makes one "the" place, and it is
    no point of fact the sources disagree on."""
    [note] = notes("LISBON, Nov 13 (Reuters) - Storm Elra slammed into the northern coast.",
                   "PORTO, Nov 13 (Coastwire) - Storm Elra made landfall on the coast.",
                   kind="place", trust=["Outlet 0"])
    assert note.preferred is None and note.why is None
    assert note.text == "The reports were filed from different places: Lisbon (Outlet 0), " \
        "Porto (Outlet 1)."
    assert [v.passage for v in note.values] == ["LISBON, Nov 13 (Reuters) -",
                                                "PORTO, Nov 13 (Coastwire) -"]
    assert disputed_points(dataclasses.replace(event(), notes=(note,))) == []


def test_a_figure_is_labelled_by_what_it_counts():
    [note] = notes("North Korea has deployed 12,000 North Korean troops to Kursk.",
                   "North Korea has deployed 10,000 North Korean troops to Kursk.",
                   kind="figure")
    assert point_label(note) == "Number of troops"


def test_one_article_gives_no_disagreements():
    only = article("NATO Secretary General Jens Stoltenberg spoke.", "X")
    assert compare_event(event(only)) == ()


# --- author corrections and preference ------------------------------------------------------


def test_author_corrections_come_first_with_date_and_source():
    fixed = Correction(dt.date(2024, 11, 14),
                       "An earlier version misnamed NATO's Secretary General.")
    a = article("NATO Secretary General Mark Rutte spoke.", "Reuters", corrections=(fixed,))
    b = article("NATO Secretary General Jens Stoltenberg spoke.", "Digest")
    found = compare_event(event(a, b))
    assert (found[0].kind, found[0].date, found[0].sources) == ("author", fixed.date, ("Reuters",))
    assert found[1].kind == "office" and found[1].preferred == "Mark Rutte"
    assert "Reuters corrected its report" in found[1].why


def test_register_beats_original_and_trust():
    a = article("NATO Secretary General Jens Stoltenberg spoke.", "Reuters")
    b = article("NATO Secretary General Mark Rutte spoke.", "Digest", based_on=("Reuters",))
    found = compare_event(event(a, b), REGISTER, ["Reuters"])
    office = next(n for n in found if n.kind == "office")
    assert office.preferred == "Mark Rutte"


def test_original_beats_report_derived_from_it():
    a = article("NATO Secretary General Mark Rutte spoke.", "Reuters")
    b = article("NATO Secretary General Jens Stoltenberg spoke.\n\n(This article is based on "
                "reports from Reuters and the Associated Press)", "Digest")
    office = next(n for n in compare_event(event(b, a), trust=["Digest"]) if n.kind == "office")
    assert office.preferred == "Mark Rutte"
    assert office.why == ("Reuters is the original report; Digest is based on it "
                          "(and on Associated Press).")


def test_trust_order_decides_last():
    a = article("NATO Secretary General Mark Rutte spoke.", "Reuters")
    b = article("NATO Secretary General Jens Stoltenberg spoke.", "Digest")
    office = next(n for n in compare_event(event(a, b), trust=["Digest", "Reuters"]))
    assert office.preferred == "Jens Stoltenberg" and "trust" in office.why


def test_trust_cannot_decide_between_two_reports_of_the_most_trusted_outlet():
    a = article("NATO Secretary General Mark Rutte spoke.", "Reuters", path="a.md")
    b = article("NATO Secretary General Jens Stoltenberg spoke.", "Reuters", path="b.md")
    c = article("NATO Secretary General Jens Stoltenberg spoke.", "Digest")
    office = next(n for n in compare_event(event(a, b, c), trust=["Reuters", "Digest"]))
    assert office.kind == "office" and office.preferred is None, office.why


def test_no_evidence_prefers_nothing():
    office = notes("NATO Secretary General Mark Rutte spoke.",
                   "NATO Secretary General Jens Stoltenberg spoke.", kind="office")[0]
    assert office.preferred is None and office.why is None


def test_derived_from_front_matter_or_text():
    assert derived_from(article("x", based_on=("Reuters",))) == ("Reuters",)
    text = "Body.\n(This article is based on reports from Reuters and the Associated Press)"
    assert derived_from(article(text)) == ("Reuters", "Associated Press")
    assert derived_from(article("Reuters, AP and AFP contributed.")) == ()


# --- the register ------------------------------------------------------------------------


def test_register_note_for_a_holder_not_yet_in_office():
    a = article("NATO Secretary General Mark Rutte spoke.", "X")
    found = compare_event(event(a, day=dt.date(2024, 5, 1)), REGISTER)
    assert found[0].text == ("Mark Rutte became NATO Secretary General only on 1 October 2024; "
                             "on 1 May 2024 the post was held by Jens Stoltenberg, according to "
                             "the site's list of office holders.")


def test_office_names_are_normalised():
    assert office_key("Nato Secretary-General") == office_key("NATO Secretary General")
    assert office_key("President of Ukraine") == office_key("Ukrainian President")
    assert office_key("U.S. Secretary of Defense") == office_key("US Defense Secretary")


def test_load_register_reads_terms(tmp_path: Path):
    path = tmp_path / "_register.yml"
    path.write_text("- office: NATO Secretary General\n  holder: Mark Rutte\n  from: 2024-10-01\n")
    assert load_register(path, "_register.yml") == (
        (Tenure("NATO Secretary General", "Mark Rutte", dt.date(2024, 10, 1), None),), [])
    assert load_register(tmp_path / "missing.yml", "missing.yml") == ((), [])


def test_load_register_reports_every_bad_entry(tmp_path: Path):
    path = tmp_path / "_register.yml"
    path.write_text(
        "- office: A\n  holder: X\n  from: 2020-01-01\n"
        "- office: A\n  from: soon\n"
        "- office: B\n  holder: Y\n  from: 2021-01-01\n  to: 2020-01-01\n"
        "- office: C\n  holder: Z\n  colour: red\n"
        "- office: A\n  holder: W\n  from: 2022-01-01\n")
    tenures, problems = load_register(path, "_register.yml")
    assert [t.holder for t in tenures] == ["X", "W"]
    assert [(p.line, p.message.split()[0]) for p in problems] == [
        (4, "entry"), (5, "`from`"), (6, "`to`"), (12, "unknown"), (13, "W")]
    assert all(p.path == "_register.yml" for p in problems)


def test_load_register_reports_bad_yaml(tmp_path: Path):
    path = tmp_path / "_register.yml"
    path.write_text("- office: [unclosed\n")
    tenures, problems = load_register(path, "_register.yml")
    assert tenures == () and problems[0].line == 2 and "YAML" in problems[0].message


# --- two offices with one title: the register says whose ---------------------------------

STRIKE = dt.date(2024, 11, 21)
PRESIDENTS = (
    Tenure("Russian President", "Vladimir Putin", dt.date(2012, 5, 7), None),
    Tenure("President of Ukraine", "Volodymyr Zelensky", dt.date(2019, 5, 20), None),
    Tenure("US Vice President", "Kamala Harris", dt.date(2021, 1, 20), dt.date(2025, 1, 20)),
    Tenure("US President", "Joe Biden", dt.date(2021, 1, 20), dt.date(2025, 1, 20)),
)
MOSCOW = ("Russia attacked the Ukrainian city of Dnipro on Thursday with a new missile, "
          "President Vladimir Putin said in a televised address.")
KYIV = ("In his evening address, President Volodymyr Zelensky accused the Kremlin of using "
        "Ukraine as a testing ground.")


def strike_notes(*texts: str, register=(), kind: str = "office"):
    arts = [article(t, f"Outlet {i}") for i, t in enumerate(texts)]
    return [n for n in compare_event(event(*arts, day=STRIKE), register) if n.kind == kind]


def test_presidents_of_two_countries_are_two_offices_by_the_register():
    assert not strike_notes(MOSCOW, KYIV, register=PRESIDENTS)
    assert not strike_notes(MOSCOW, KYIV, register=PRESIDENTS, kind="register")


def test_without_a_register_a_bare_title_is_one_office_unless_a_report_knows_both():
    # Nothing in the texts says whose President each is; the bench needs bare titles
    # ("President Obama" / "President Trump") compared, so only the register tells.
    assert [n.field for n in strike_notes(MOSCOW, KYIV)] == ["President"]
    assert not strike_notes(MOSCOW, KYIV + " Putin has made such threats before.")


def test_register_qualifier_needs_the_title_and_the_day():
    harris = "President Kamala Harris spoke in Washington."
    biden = "President Joe Biden spoke in Washington."
    # "US Vice President" is not "US President": no qualifier from it, so still a clash.
    found = strike_notes(harris, biden, register=PRESIDENTS)
    assert [(n.field, n.preferred) for n in found] == [("US President", "Joe Biden")]
    # Out of office on the day: the register gives nothing, the swap is still caught.
    trump = "President Donald Trump spoke in Washington."
    found = strike_notes(biden, trump, register=PRESIDENTS)
    assert [(n.field, n.preferred) for n in found] == [("US President", "Joe Biden")]


def test_a_day_after_report_stating_the_first_day_is_no_date_note():
    first = article("x", "A", event_date=PartialDate(2024, 11, 21),
                    dates=(stated(PartialDate(2024, 11, 21)),))
    after = article("x", "B", event_date=PartialDate(2024, 11, 22),
                    dates=(stated(PartialDate(2024, 11, 22)), stated(PartialDate(2024, 11, 21))))
    other = article("x", "C", event_date=PartialDate(2024, 11, 23),
                    dates=(stated(PartialDate(2024, 11, 23)),))
    assert not [n for n in compare_event(event(first, after)) if n.kind == "date"]
    found = [n for n in compare_event(event(first, after, other)) if n.kind == "date"]
    assert [[v.value for v in n.values] for n in found] == [
        ["2024-11-21", "2024-11-22", "2024-11-23"]]


# --- the bundled example -------------------------------------------------------------------

EXAMPLE = Path(__file__).parent.parent / "content"


def example_notes(tmp_path: Path) -> dict[str, list[dict]]:
    """Notes of each event of the bundled example, keyed by each of its article files."""
    build(load_config(EXAMPLE, output=tmp_path / "out", search=False))
    events = json.loads((tmp_path / "out" / "events.json").read_text())["events"]
    return {Path(a["file"]).name: e.get("corrections", []) for e in events
            for a in e["articles"]}


def test_bundled_example_notes(tmp_path: Path):
    notes_of = example_notes(tmp_path)
    for name in ("2024-11-21-meridian-press-dnipro-oreshnik.md",
                 "2024-11-22-kyiv-courier-dnipro-after-strike.md"):
        assert not [n for n in notes_of[name] if n["kind"] in ("office", "register", "date")]
    nato = notes_of["2024-11-13-reuters-blinken-nato.md"]
    assert sorted(n["field"] for n in nato if n["kind"] == "office") == [
        "British Foreign Secretary", "NATO Secretary General", "Ukrainian Foreign Minister"]
    assert not [n for n in nato if n["kind"] == "register"], "folded into the office notes"
    why = {n["field"]: n["why"] for n in nato if n["kind"] == "office"}
    assert why["NATO Secretary General"].startswith(
        "Jens Stoltenberg was NATO Secretary General until")
    assert why["Ukrainian Foreign Minister"].startswith(
        "The site's list of office holders has Andriy Yermak as Head of the Office of the "
        "President")


def test_bundled_dnipro_reports_compared_as_one_event():
    """The same, whatever the clustering does: both Dnipro reports with the register."""
    register, problems = load_register(EXAMPLE / "_register.yml", "_register.yml")
    assert not problems
    story = EXAMPLE / "ukraine-diplomacy"
    arts = [parse_article(p.name, p.read_text(encoding="utf-8"))[0]
            for p in sorted(story.glob("2024-11-2[12]-*.md"))]
    found = compare_event(event(*arts, day=STRIKE), register)
    assert [n.kind for n in found] == ["author"]


def test_an_impossible_day_in_the_register_is_a_content_error(tmp_path: Path):
    path = tmp_path / "_register.yml"
    path.write_text("- office: A\n  holder: X\n  from: 2024-02-30\n"
                    "- office: B\n  holder: Y\n  from: 2024-01-01\n  to: 2024-13-01\n")
    tenures, problems = load_register(path, "_register.yml")
    assert tenures == ()
    assert [(p.line, p.message) for p in problems] == [
        (3, "`from` is not a date: '2024-02-30'"), (7, "`to` is not a date: '2024-13-01'")]


def test_a_source_record_with_no_value_preferred_on_any_point_reads_plainly():
    from generator.timeline import SourceRecord
    record = SourceRecord(reports=2, derived=0, based_on=(), contradicted=0,
                          contradicted_events=0, disputed=2, disputed_events=1)
    assert record.disagreements == ("Other reports disagree with it on 2 points of fact, in "
                                    "1 event; no value is preferred on any of them.")
    assert record._replace(upheld=2).disagreements.endswith(
        "its value is the one preferred on all of them.")
