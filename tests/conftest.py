import functools

import pytest
from django.core.cache import cache
from django.utils import translation

from portal.content import load_pages


@pytest.fixture(autouse=True)
def fast_and_isolated(settings, tmp_path):
    """Cheap hashing, mail in memory, uploads in a temporary folder, no counts or language left
    between tests."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Newcomers' posts wait for a moderator by default; the tests of that rule turn it back on
    # (tests/forums/test_premoderation.py), the others test what happens once a post is shown.
    settings.FORUM_TRUSTED_AFTER_POSTS = 0
    # The page cache is on, as in production with Redis: every test shows it never goes stale.
    settings.PAGE_CACHE_SECONDS = 3600
    cache.clear()
    yield
    cache.clear()
    # A request in French leaves French active in this thread: the next test starts in English.
    translation.deactivate()


@pytest.fixture
def page_cache_off(settings):
    """For counting the queries of a page as it is made: from the page cache it makes none."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def django_assert_num_queries(django_assert_num_queries, page_cache_off):
    return django_assert_num_queries


@pytest.fixture
def django_assert_max_num_queries(django_assert_max_num_queries, page_cache_off):
    return django_assert_max_num_queries


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs what waits for the transaction to commit, such as mail."""
    return functools.partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def programme_content(db):
    load_pages()
