"""The example dialogue that `make run` loads: marked as examples, written by the rules, never
in production."""

import pytest
from django.core.management import CommandError, call_command

from forums.models import Post, Thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def content():
    call_command("load_content", verbosity=0)


def test_examples_load_once_marked_on_their_pages(client, content, settings, committed):
    settings.DEBUG = True

    with committed():
        call_command("load_examples", verbosity=0)
    call_command("load_examples", verbosity=0)

    threads = Thread.objects.filter(is_example=True)
    assert threads.count() == 3
    assert Thread.objects.count() == 3
    assert Post.objects.filter(thread__in=threads).count() == 11
    consultation = threads.get(kind="consultation")
    assert consultation.is_closed
    page = client.get(threads.get(forum__slug="itombwe").get_absolute_url()).text
    assert "An example thread, written to show how the dialogue works." in page
    assert '<div class="post-body" lang="fr">' in page
    assert "Not heard yet:" in page


def test_examples_are_refused_in_production(content, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="development only"):
        call_command("load_examples")

    assert not Thread.objects.exists()
