"""Hooks: a lower app asks, the apps above answer, and the lower app never imports them."""

import pytest
from django.urls import reverse

from core.hooks import Hook, Part
from publications.hooks import study_facts
from sites.hooks import site_list_intro, site_page_parts
from tests.factories import PublicationFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_asking_runs_every_answer_in_order_and_keeps_those_given():
    hook = Hook("what is said about a number")
    hook.answer(lambda number: f"{number} is a number")
    hook.answer(lambda number: None)
    hook.answer(lambda number: "even" if number % 2 == 0 else None)

    assert hook.ask(4) == ["4 is a number", "even"]
    assert hook.ask(3) == ["3 is a number"]
    assert hook.first(3) == "3 is a number"


def test_first_stops_at_the_first_answer_and_an_answer_added_twice_runs_once():
    asked = []

    def counted(value):
        asked.append(value)
        return value

    hook = Hook("a value")
    hook.answer(lambda value: None)
    hook.answer(counted)
    hook.answer(counted)
    hook.answer(lambda value: pytest.fail("answers after the first given are not run"))

    assert hook.first("x") == "x"
    assert asked == ["x"]
    assert Hook("nobody answers").ask() == []
    assert Hook("nobody answers").first() is None


def test_a_part_renders_in_the_pages_own_context(rf):
    from django.template import Context, Template

    page = Template("{% load parts %}<p>{{ greeting }}</p>{% render_part part %}")
    part = Part("forums/includes/site_dialogue.html", {})
    request = rf.get("/")

    html = page.render(
        Context({"greeting": "Bonjour", "part": part, "LANGUAGE_CODE": "fr", "request": request})
    )

    assert html.startswith("<p>Bonjour</p>")
    assert '<section id="dialogue"' in html
    assert 'lang="fr"' in html


def test_the_apps_above_answer_the_sites_and_librarys_hooks():
    from forums.views.dialogue import site_dialogue
    from portal.views import sites_intro
    from sites.views import sites_of_study

    assert site_dialogue in site_page_parts._answers
    assert sites_intro in site_list_intro._answers
    assert sites_of_study in study_facts._answers


def test_a_site_and_a_study_show_without_the_apps_above(client, monkeypatch):
    """With no app above installed, nobody answers: the pages lose those parts, nothing else."""
    site = SiteFactory()
    study = PublicationFactory()
    site.publications.add(study)
    for hook in (site_page_parts, site_list_intro, study_facts):
        monkeypatch.setattr(hook, "_answers", [])

    site_page = client.get(site.get_absolute_url())
    study_page = client.get(study.get_absolute_url())
    sites_list = client.get(reverse("sites:list"))

    assert site_page.status_code == study_page.status_code == sites_list.status_code == 200
    assert 'id="dialogue"' not in site_page.text
    assert study.title in site_page.text
    assert site.get_absolute_url() not in study_page.text
    assert "<h1>Case-study sites</h1>" in sites_list.text
