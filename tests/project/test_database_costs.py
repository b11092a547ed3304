"""The live connections carry the settings' planner costs (asmpace/settings.py)."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner"),
]


def show(setting):
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {setting}")
        return cursor.fetchone()[0]


def test_every_connection_reckons_reading_by_index_nearly_as_cheap_as_reading_in_order():
    assert show("random_page_cost") == "1.1"
