"""Finding and resolving dates in text and front matter."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import dates
from generator.models import PartialDate

PUBLISHED = dt.date(2024, 11, 14)  # a Thursday


def found(text: str, published: dt.date | None = PUBLISHED) -> list[str]:
    return [d.date.iso() for d in dates.find_dates(text, published)]


@pytest.mark.parametrize(("text", "expected"), [
    ("date 2024-11-13", "2024-11-13"),
    ("On November 13, Blinken met Rutte.", "2024-11-13"),
    ("WASHINGTON, Nov 13 (Reuters) - Blinken said", "2024-11-13"),
    ("The talks on 13 November 2024 ended.", "2024-11-13"),
    ("The talks on Nov. 13, 2024 ended.", "2024-11-13"),
    ("He spoke on Wednesday.", "2024-11-13"),
    ("He spoke on Thursday.", "2024-11-14"),  # the day of publication itself
    ("It happened yesterday.", "2024-11-13"),
    ("The war began in February 2022.", "2022-02"),
])
def test_common_news_date_forms(text, expected):
    assert found(text)[0] == expected


def test_precision_is_kept_and_no_day_is_invented():
    (date,) = dates.find_dates("Elections in March 2023 were close.", PUBLISHED)
    assert date.date == PartialDate(2023, 3, None)
    assert date.date.precision == "month"


def test_without_publication_date_the_year_stays_unknown():
    assert found("On November 13, Blinken met Rutte.", None) == ["????-11-13"]


def test_weekdays_need_an_anchor():
    assert found("He spoke on Wednesday.", None) == []


def test_year_resolution_crosses_new_year():
    assert dates.resolve_year(PartialDate(None, 12, 30), dt.date(2025, 1, 2)) == \
        PartialDate(2024, 12, 30)
    assert dates.resolve_year(PartialDate(None, 1, 2), dt.date(2024, 12, 30)) == \
        PartialDate(2025, 1, 2)


def test_event_date_is_the_first_credible_lead_date():
    text = "Blinken met Rutte on Wednesday.\n\nBiden leaves office on January 20."
    found_dates = dates.find_dates(text, PUBLISHED)
    assert dates.event_date(found_dates, PUBLISHED, lead_lines=10) == PartialDate(2024, 11, 13)


def test_context_dates_far_from_publication_do_not_date_the_event():
    found_dates = dates.find_dates("Biden leaves office on January 20.", PUBLISHED)
    assert dates.event_date(found_dates, PUBLISHED, lead_lines=10) == PartialDate(2024, 11, 14)


def test_impossible_dates_are_reported_with_line():
    assert dates.impossible_dates("ok\nOn February 30, 2024 it rained") == \
        [(2, "February 30, 2024")]


def test_front_matter_datetimes_are_normalised_to_utc():
    assert dates.to_datetime("2024-11-13T09:30:00+01:00") == \
        dt.datetime(2024, 11, 13, 8, 30, tzinfo=dt.UTC)
    assert dates.to_datetime(dt.date(2024, 11, 13)).tzinfo == dt.UTC
    with pytest.raises(dates.ImpossibleDate):
        dates.to_datetime("yesterday-ish")


@given(st.text(max_size=300), st.one_of(st.none(), st.dates()))
def test_finding_dates_never_crashes(text, published):
    for date in dates.find_dates(text, published):
        assert date.line >= 1
    dates.impossible_dates(text)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_written_dates_round_trip(day):
    written = day.strftime("%B ") + str(day.day) + day.strftime(", %Y")
    assert found(written, None)[0] == day.isoformat()


@pytest.mark.parametrize(("text", "expected"), [
    ("On Sunday, the storm hit.", "2024-11-10"),
    ("Reyvik won Sunday's runoff.", "2024-11-10"),
    ("Talks ran late Tuesday night.", "2024-11-12"),
])
def test_weekday_forms(text, expected):
    assert found(text)[0] == expected


def test_a_bare_weekday_name_is_not_a_date():
    assert found("He writes for the Sunday Times.") == []


def test_without_publication_date_a_full_date_in_the_text_gives_the_year():
    text = "On November 13, Blinken met Rutte.\nThe talks on November 13, 2024 were brief."
    found_dates = dates.find_dates(text, None)
    assert dates.event_date(found_dates, None, lead_lines=10) == PartialDate(2024, 11, 13)


def test_february_29_without_a_year_is_a_real_date():
    assert dates.parse_written_date("Feb 29") == PartialDate(None, 2, 29)
    assert found("On Feb 29, the vote passed.", dt.date(2024, 3, 1)) == ["2024-02-29"]
    assert dates.impossible_dates("On February 29, 2023 it rained") == [(1, "February 29, 2023")]


def test_an_undated_lead_gives_its_month_only_when_it_says_in():
    """ "In March 2023" dates an undated clipping to that month; "until March 2027" or
    "by March 2027" look ahead and date nothing."""
    from generator.dates import event_date, find_dates

    said = "In March 2023 the river rose four metres."
    assert event_date(find_dates(said, None), None, 5) == PartialDate(2023, 3)
    for ahead in ("The ban holds until March 2027.", "Repairs are due by March 2027."):
        assert event_date(find_dates(ahead, None), None, 5) is None, ahead
