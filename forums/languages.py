"""The language a post is written in, when its author does not say: detected from its words.

lingua (lingua-language-detector) ships its language models inside its wheel and works offline.
The detector is built once per process, on the first post that needs it, from English and
French and a few languages the programme's people also write in or near: Swahili (eastern DRC),
Portuguese and Spanish (miners and buyers of Lusophone Africa and Latin America), German (donors)
and Shona, Zulu, Sotho and Yoruba. lingua knows neither Lingala, Kikongo, Tshiluba nor Malagasy:
without those neighbours a post in one of them would come out as French or English (lingua
always names one of the languages it was given), with them it comes out as one of them, which
is OTHER here. Every language but English and French is OTHER.

Low-accuracy mode uses lingua's trigram models only. Measured on the development machine: the
first detection loads them in about 100 ms and grows the process by about 24 MB (12 MB of its
own, 12 MB of the shared library's pages, which gunicorn's workers share); a 2,000-character
post then takes 1.5 ms (median). High-accuracy mode grows each worker by 170 MB more at its
first short post, for better guesses on posts of a few words, which here fall back to the
reader's language when lingua is unsure. Preloading is not worth it: a worker's first post
waits 0.1 s, once.

A guess is kept only when lingua gives it MIN_CONFIDENCE or more; a post of fewer than
MIN_WORDS words, or one lingua is unsure of, is taken to be in the language its author reads the
portal in (a reply of "Merci !" on the French pages is French).
"""

import functools
import re

from django.utils.translation import get_language

from . import mentions
from .models import PostLanguage

MIN_WORDS = 2
MIN_CONFIDENCE = 0.7
# Enough words to tell; a 20,000-character post is judged on its first 5,000 characters.
MAX_CHARS = 5_000

# What a post shows as written or points at, not words of its language.
FENCED = re.compile(r"^ {0,3}(```|~~~).*?(?:^ {0,3}\1[^\n]*$|\Z)", re.DOTALL | re.MULTILINE)
INDENTED = re.compile(r"^(?: {4}|\t)[^\n]*$", re.MULTILINE)
INLINE_CODE = re.compile(r"(`+)[^\n]*?\1")
LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[^\n]*$", re.MULTILINE)
# [text](target "title") and ![alt](target): the text stays, the target goes.
LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
REFERENCE = re.compile(r"!?\[([^\]\n]*)\]\[[^\]\n]*\]")
AUTOLINK = re.compile(r"<(?:[a-z][a-z0-9+.-]*:|www\.)[^>\s]*>|<[^@>\s]+@[^>\s]+>", re.IGNORECASE)
URL = re.compile(r"\b(?:[a-z][a-z0-9+.-]*://|www\.)\S+", re.IGNORECASE)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
TAG = re.compile(r"</?[a-z][^>\n]*>", re.IGNORECASE)
QUOTED = re.compile(r"^ {0,3}>[^\n]*$", re.MULTILINE)
WORD = re.compile(r"[^\W\d_]{2,}")

ENGLISH_AND_FRENCH = {"en": PostLanguage.ENGLISH, "fr": PostLanguage.FRENCH}


def words_of(text: str) -> str:
    """The text a person wrote, without Markdown's code, links' targets, addresses, @handles
    and HTML; without what it quotes, unless it is nothing but a quote."""
    for pattern in (FENCED, INDENTED, LINK_DEFINITION):
        text = pattern.sub(" ", text)
    text = INLINE_CODE.sub(" ", text)
    text = LINK.sub(r" \1 ", text)
    text = REFERENCE.sub(r" \1 ", text)
    for pattern in (AUTOLINK, URL, EMAIL, TAG):
        text = pattern.sub(" ", text)
    text = mentions.MENTION.sub(" ", text)
    own = QUOTED.sub(" ", text)
    if WORD.search(own):
        text = own
    return re.sub(r"[>*_#~|=\[\]()]+", " ", text)


def fallback() -> PostLanguage:
    """The language the portal speaks to this person in: their post is likely in it too."""
    return ENGLISH_AND_FRENCH.get((get_language() or "en")[:2], PostLanguage.ENGLISH)


@functools.cache
def detector():
    """lingua's detector, built on first use, once per process (models load as it needs them)."""
    from lingua import Language, LanguageDetectorBuilder

    languages = (
        Language.ENGLISH,
        Language.FRENCH,
        Language.SWAHILI,
        Language.PORTUGUESE,
        Language.SPANISH,
        Language.GERMAN,
        Language.SHONA,
        Language.ZULU,
        Language.SOTHO,
        Language.YORUBA,
    )
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def detected(text: str) -> PostLanguage:
    """The language of a post's Markdown: English, French or OTHER; the reader's own when the
    text is too short or lingua is unsure."""
    words = words_of(text)
    if len(WORD.findall(words, 0, MAX_CHARS)) < MIN_WORDS:
        return fallback()
    confidences = detector().compute_language_confidence_values(words[:MAX_CHARS])
    if not confidences or confidences[0].value < MIN_CONFIDENCE:
        return fallback()
    code = confidences[0].language.iso_code_639_1.name.lower()
    return ENGLISH_AND_FRENCH.get(code, PostLanguage.OTHER)
