"""A chart with nothing to draw says so in the reader's language, not in pygal's English."""

from django.utils import translation

from portal.dashboard import Chart, svg


def empty_chart():
    return Chart(
        slug="downloads",
        title="Downloads per study per month",
        category="Month",
        rows=[("Nov 2026", [0])],
        series=["Global study"],
    )


def test_an_empty_chart_says_there_are_no_figures_yet_through_the_catalogue(monkeypatch):
    with translation.override("en"):
        drawn = svg(empty_chart())
    assert "No figures yet" in drawn
    assert "No data" not in drawn

    monkeypatch.setattr(
        "portal.dashboard._", lambda text: {"No figures yet": "Pas encore de chiffres"}[text]
    )
    with translation.override("fr"):
        assert "Pas encore de chiffres" in svg(empty_chart())
