"""What a query's phrases require of a document's word pairs, read from querytree's text."""

import pytest

from core.phrases import Both, Either, Pairs, necessary


@pytest.mark.parametrize(
    ("tree", "required"),
    [
        ("'buffer' <-> 'zone'", Pairs((("buffer", "zone"),))),
        # Tried in English and in French: either language's pair.
        (
            "'buffer' <-> 'zone' | 'buff' <-> 'zon'",
            Either((Pairs((("buffer", "zone"),)), Pairs((("buff", "zon"),)))),
        ),
        # Words, negations and phrases side by side: each phrase's pairs, all of them.
        (
            "'buffer' <-> 'zone' & !'gold' & 'big' <-> 'mine' <-> 'site'",
            Both(
                (
                    Pairs((("buffer", "zone"),)),
                    Pairs((("big", "mine"), ("mine", "site"))),
                )
            ),
        ),
        # A stop word between two words leaves a gap: that step needs no pair.
        ("'protect' <2> 'forest'", None),
        ("'zone' <-> 'of' <2> 'mine'", Pairs((("zone", "of"),))),
        # One side of an OR needs no pair, so the whole needs none.
        ("'buffer' <-> 'zone' | 'mercuri'", None),
        ("( 'buffer' <-> 'zone' | 'mercuri' ) & 'gold' <-> 'rush'", Pairs((("gold", "rush"),))),
        ("'mine' & 'gold'", None),
        ("!( 'buffer' <-> 'zone' )", None),
        ("'l''or' <-> 'artisanal'", Pairs((("l'or", "artisanal"),))),
        ("", None),
    ],
)
def test_only_what_a_match_must_hold_is_required(tree, required):
    assert necessary(tree) == required


def test_the_readings_of_several_languages_in_parentheses():
    tree = "( 'buffer' <-> 'zone' ) | ( 'buff' <-> 'zon' )"

    assert necessary(tree) == Either((Pairs((("buffer", "zone"),)), Pairs((("buff", "zon"),))))


def test_a_query_splits_into_its_alternatives_at_the_top_only():
    from core.phrases import branches, has_phrase

    text = "( ( 'zone' & 'tampon' ) | ( 'buffer' <-> 'zone' ) ) | ( 'zon' & 'tampon' )"

    assert branches(text) == ["'zone' & 'tampon'", "'buffer' <-> 'zone'", "'zon' & 'tampon'"]
    assert branches("( 'a' | 'b' ) & 'c'") == ["( 'a' | 'b' ) & 'c'"]
    assert branches("!( 'a' | 'b' )") == ["! ( 'a' | 'b' )"]
    assert [has_phrase(branch) for branch in branches(text)] == [False, True, False]
    assert has_phrase("'a' <2> 'b'")
