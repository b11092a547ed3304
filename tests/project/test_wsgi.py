"""The deployed WSGI module's process settings, checked in a process of its own (importing it
here would change this test process's collector)."""

from .conftest import run_django

COLLECTOR = (
    "import gc; before = gc.get_threshold(); import asmpace.wsgi;"
    "print(before[0], gc.get_threshold()[0], gc.get_freeze_count())"
)


def test_the_served_process_freezes_what_it_loaded_and_collects_the_youngest_less_often():
    default, served, frozen = map(int, run_django("-c", COLLECTOR).stdout.split())
    assert default == 700
    assert served == 20_000
    # Django's apps, models and the portal's modules: never scanned by a full collection again.
    assert frozen > 10_000
