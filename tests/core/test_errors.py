"""An error nobody caught (core.errors): a database that cannot be reached is a 503 page that
says to try again in a minute, in the reader's language; anything else stays a 500."""

import pytest
from django.db import OperationalError
from django.test import Client

from portal.views import HomeView

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_home(monkeypatch, page_cache_off):
    def fail_with(error):
        def get_context_data(self, **kwargs):
            raise error

        monkeypatch.setattr(HomeView, "get_context_data", get_context_data)

    return fail_with


def test_a_database_out_of_reach_is_a_503_to_try_again(failing_home):
    failing_home(OperationalError("connection refused"))

    response = Client(raise_request_exception=False).get("/en/")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "no-cache" in response["Cache-Control"]
    assert "The portal is unavailable" in response.text
    assert "connection refused" not in response.text


def test_the_503_page_speaks_the_readers_language(failing_home):
    failing_home(OperationalError("connection refused"))

    response = Client(raise_request_exception=False).get("/fr/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert '<html lang="fr"' in response.text
    assert "The portal is unavailable" not in response.text


def test_any_other_error_stays_a_500(failing_home):
    failing_home(KeyError("a bug"))

    response = Client(raise_request_exception=False).get("/en/")

    assert response.status_code == 500
    assert "Retry-After" not in response
