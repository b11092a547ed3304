"""Dates in each language's format; times as <time> elements in UTC (core.templatetags.times)."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import formats, timezone, translation

MOMENT = datetime.datetime(2026, 11, 24, 14, 30, tzinfo=datetime.UTC)


def render(source, **context):
    return Template("{% load times %}" + source).render(Context(context))


def test_english_dates_are_british_and_french_dates_french():
    with translation.override("en"):
        assert formats.date_format(MOMENT, "SHORT_DATE_FORMAT") == "24/11/2026"
        assert formats.date_format(MOMENT, "DATE_FORMAT") == "24 Nov 2026"
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == "24 Nov 2026, 2:30 p.m."
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1
    with translation.override("fr"):
        assert formats.date_format(MOMENT, "SHORT_DATE_FORMAT") == "24/11/2026"
        assert formats.date_format(MOMENT, "DATE_FORMAT") == "24 novembre 2026"
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == "24/11/2026 14:30"


@pytest.mark.parametrize(
    ("language", "text"), [("en", "24/11/2026 2:30 p.m. UTC"), ("fr", "24/11/2026 14:30 UTC")]
)
def test_a_time_is_the_exact_utc_time_saying_so(language, text):
    with translation.override(language):
        html = render("{% when moment %}", moment=MOMENT)

    assert html == f'<time datetime="2026-11-24T14:30:00Z" data-when title="{text}">{text}</time>'


def test_a_time_stays_in_utc_whatever_zone_is_active():
    """Pages and fragments are shared: one reader's zone must never be written into them."""
    with translation.override("en"), timezone.override("Africa/Kinshasa"):
        html = render("{% when moment %}", moment=MOMENT)

    assert 'datetime="2026-11-24T14:30:00Z"' in html
    assert "2:30 p.m. UTC" in html
    assert "3:30" not in html


def test_a_date_alone_and_nothing_at_all():
    with translation.override("fr"):
        html = render('{% when moment "DATE_FORMAT" as day %}Le {{ day }}.', moment=MOMENT)
        assert (
            html
            == 'Le <time datetime="2026-11-24T14:30:00Z" data-when="date">24 novembre 2026</time>.'
        )
        assert render("{% when moment %}", moment=None) == ""
        assert render("{% when day %}", day=MOMENT.date()) == (
            '<time datetime="2026-11-24">24 novembre 2026</time>'
        )


def test_a_deadline_is_marked_to_be_written_out_not_made_relative():
    with translation.override("fr"):
        html = render('{% when moment "DATETIME_FORMAT" exact=True %}', moment=MOMENT)

    assert html.startswith('<time datetime="2026-11-24T14:30:00Z" data-when="exact" title="')
    assert html.endswith(">24 novembre 2026 14:30 UTC</time>")


def test_the_day_something_happened_is_its_date_which_the_script_puts_in_the_readers_zone():
    """`exact=True` on a date: not left in UTC as a page's date is (data-when="date"), but
    marked for the script, which writes the date in the reader's zone; the UTC time in its
    title meanwhile."""
    with translation.override("en"):
        html = render('{% when moment "DATE_FORMAT" exact=True %}', moment=MOMENT)

    assert html == (
        '<time datetime="2026-11-24T14:30:00Z" data-when="day" '
        'title="24 Nov 2026, 2:30 p.m. UTC">24 Nov 2026</time>'
    )
