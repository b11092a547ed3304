"""Phrases found through an index of word pairs, instead of by reading every candidate's vector.

PostgreSQL's GIN index on a tsvector knows which documents hold each word, not where: for
"buffer zone" it returns every document holding both words, and PostgreSQL then reads each one's
whole vector to check that the two stand side by side (77 ms at 10,000 studies, where 112 of
9,938 candidates held the phrase). A second GIN index, on the keys of the word pairs that stand
side by side in each vector (`word_pairs(tsvector)`, migration publications 0008), finds the
documents holding the pair; the full query then checks only those.

A pair's key is a hash of its two lexemes in 2^24 buckets (`word_pair_key`; 2^20 until migration
publications 0012, when half of a phrase's candidates were false): an index of every distinct
pair took three times the room. Two pairs may share a key, so the key only narrows the
candidates, and the query itself still decides: `necessary` says what a match must hold, never
more.
"""

import re
from dataclasses import dataclass

# querytree()'s text: 'quoted lexemes' (quotes doubled inside), operators and parentheses.
TOKEN = re.compile(r"'((?:[^']|'')*)'(?::[*A-D]+)?|<->|<(\d+)>|[&|!()]")


@dataclass(frozen=True)
class Pairs:
    """Documents holding all these word pairs."""

    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Both:
    parts: tuple


@dataclass(frozen=True)
class Either:
    parts: tuple


def necessary(querytree: str):
    """What a document's word pairs must hold to match this query (querytree's text): Pairs,
    Both or Either of them, or None when nothing is required of them."""
    tokens = [(match[0], match[1], match[2]) for match in TOKEN.finditer(querytree)]
    if not tokens:
        return None
    node, rest = _either(tokens)
    return None if rest else node


# The parser follows PostgreSQL's precedence: | below &, & below <N>, ! above all. Each level
# returns (what it requires, the tokens left); None requires nothing.


def _joined(tokens, operator, operand):
    """The operands `operand` reads, joined by `operator`: ([what each requires], tokens left)."""
    part, tokens = operand(tokens)
    parts = [part]
    while tokens and tokens[0][0] == operator:
        part, tokens = operand(tokens[1:])
        parts.append(part)
    return parts, tokens


def _either(tokens):
    parts, tokens = _joined(tokens, "|", _both)
    if any(part is None for part in parts):
        return None, tokens  # one side needs no pair: neither does the whole
    return (parts[0] if len(parts) == 1 else Either(tuple(parts))), tokens


def _both(tokens):
    parts, tokens = _joined(tokens, "&", _phrase)
    parts = [part for part in parts if part is not None]
    if not parts:
        return None, tokens
    return (parts[0] if len(parts) == 1 else Both(tuple(parts))), tokens


def _phrase(tokens):
    """A chain a <-> b <N> c ...: the pairs of neighbouring lexemes (distance 1) it needs."""
    words, requirement, tokens = _operand(tokens)
    chain = [words]
    while tokens and (tokens[0][0] == "<->" or tokens[0][2]):
        distance = 1 if tokens[0][0] == "<->" else int(tokens[0][2])
        words, _, tokens = _operand(tokens[1:])
        chain.append((distance, words))
    if len(chain) == 1:
        return requirement, tokens
    pairs = []
    previous = chain[0]
    for distance, words in chain[1:]:
        if distance == 1 and previous is not None and words is not None:
            pairs.append((previous, words))
        previous = words
    return (Pairs(tuple(pairs)) if pairs else None), tokens


def _operand(tokens):
    """(the lexeme, if the operand is one; what it requires; the tokens left)."""
    if not tokens:
        return None, None, tokens
    text, lexeme, _ = tokens[0]
    if text == "!":
        _, _, tokens = _operand(tokens[1:])
        return None, None, tokens  # a negation requires no pair
    if text == "(":
        requirement, tokens = _either(tokens[1:])
        if tokens and tokens[0][0] == ")":
            tokens = tokens[1:]
        return None, requirement, tokens
    if text.startswith("'"):
        return unquoted(lexeme), None, tokens[1:]
    return None, None, tokens[1:]


def branches(querytree: str) -> list[str]:
    """The query's alternatives at its top (its text split at each | outside parentheses, and
    so on within parentheses around a whole alternative), each the text of a query."""
    tokens = [match[0] for match in TOKEN.finditer(querytree)]
    return [" ".join(branch) for branch in _branches(tokens)]


def _branches(tokens):
    while tokens and tokens[0] == "(" and _closing(tokens, 0) == len(tokens) - 1:
        tokens = tokens[1:-1]
    parts, depth, start = [], 0, 0
    for n, symbol in enumerate(tokens):
        depth += {"(": 1, ")": -1}.get(symbol, 0)
        if symbol == "|" and depth == 0:
            parts.append(tokens[start:n])
            start = n + 1
    parts.append(tokens[start:])
    if len(parts) == 1:
        return parts
    return [branch for part in parts for branch in _branches(part)]


def _closing(tokens, opening):
    """Where the parenthesis at `opening` closes."""
    depth = 0
    for n in range(opening, len(tokens)):
        depth += {"(": 1, ")": -1}.get(tokens[n], 0)
        if depth == 0:
            return n
    return len(tokens)


def has_phrase(querytree: str) -> bool:
    return any(match[0] == "<->" or match[2] for match in TOKEN.finditer(querytree))


def unquoted(lexeme: str) -> str:
    """A lexeme as querytree() prints it inside quotes, quotes and backslashes doubled."""
    return lexeme.replace("''", "'").replace("\\\\", "\\")


def pairs_sql(requirement, pairs_of: str) -> tuple[str, list]:
    """An SQL condition on the expression `pairs_of` (word_pairs of a vector) and its params."""
    if isinstance(requirement, Pairs):
        keys = ", ".join("word_pair_key(%s, %s)" for _ in requirement.pairs)
        params = [word for pair in requirement.pairs for word in pair]
        return f"{pairs_of} @> ARRAY[{keys}]", params
    joiner = " AND " if isinstance(requirement, Both) else " OR "
    parts = [pairs_sql(part, pairs_of) for part in requirement.parts]
    return "(" + joiner.join(sql for sql, _ in parts) + ")", [p for _, ps in parts for p in ps]
