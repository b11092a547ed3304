import pytest
from django.template import Context, Template
from django.utils import translation

from tests.factories import PublicationFactory

pytestmark = pytest.mark.django_db

LINE = Template("{% load library %}{{ study.printed_authors|names_in_a_line }}")


@pytest.mark.parametrize(
    ("authors", "language", "line"),
    [
        ([], "en", ""),
        (["Ruby Weinberg"], "en", "Ruby Weinberg"),
        (["Ruby Weinberg", "Alain Chishugi"], "en", "Ruby Weinberg and Alain Chishugi"),
        (["A Mutombo", "B Rakoto", "C Kamara"], "en", "A Mutombo, B Rakoto and C Kamara"),
        (["A Mutombo", "B Rakoto", "C Kamara"], "fr", "A Mutombo, B Rakoto et C Kamara"),
    ],
)
def test_a_studys_authors_read_as_a_line_in_print_order(authors, language, line):
    study = PublicationFactory(authors=authors)
    with translation.override(language):
        assert LINE.render(Context({"study": study})) == line


def test_a_printed_name_is_text_never_markup():
    study = PublicationFactory(authors=["<b>Ruby</b>", "Alain & co"])
    assert LINE.render(Context({"study": study})) == ("&lt;b&gt;Ruby&lt;/b&gt; and Alain &amp; co")
