import pytest

from portal.content import load_pages


@pytest.fixture
def programme_content(db):
    load_pages()
