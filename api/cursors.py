"""Cursor pagination: each page ends with an opaque cursor, the sort key of its last row,
signed so that a cursor made up or cut short is a clear 400, never a 500 or a wrong page.

Rows come in a stable order on a unique key (an id, or a time and an id), so that rows added
while a client pages never shift what it has not read yet."""

import datetime

from django.core import signing
from django.db.models import Q

from .problems import Problem

SALT = "api.cursor"


def encode(values: list) -> str:
    return signing.dumps(
        [value.isoformat() if isinstance(value, datetime.datetime) else value for value in values],
        salt=SALT,
        compress=True,
    )


def decode(cursor: str, *, kind: str, fields: tuple[str, ...]) -> list:
    try:
        stored_kind, *values = signing.loads(cursor, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise Problem(
            400, "This cursor is not one the API gave: start again without it."
        ) from error
    if stored_kind != kind or len(values) != len(fields):
        raise Problem(400, "This cursor belongs to another list: start again without it.")
    return values


def after(fields: tuple[str, ...], values: list) -> Q:
    """Rows strictly after `values` in the ascending order of `fields` (a keyset condition)."""
    condition = Q()
    for index in reversed(range(len(fields))):
        equal = dict(zip(fields[:index], values[:index], strict=True))
        condition = Q(**equal, **{f"{fields[index]}__gt": values[index]}) | condition
    # Said again as a range of the first field, which an index reads from where the page
    # starts: of the alternatives alone the planner read every row before it (47 ms, 1,000
    # pages into 100,000 posts).
    return Q(**{f"{fields[0]}__gte": values[0]}) & condition


def page(queryset, *, kind: str, fields: tuple[str, ...], cursor: str | None, limit: int):
    """(rows, next cursor or None): at most `limit` rows of `queryset` after the cursor."""
    if cursor:
        values = decode(cursor, kind=kind, fields=fields)
        if any(field == "created_at" for field in fields):
            values = [
                datetime.datetime.fromisoformat(value) if field == "created_at" else value
                for field, value in zip(fields, values, strict=True)
            ]
        queryset = queryset.filter(after(fields, values))
    rows = list(queryset.order_by(*fields)[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode([kind, *(getattr(last, field) for field in fields)])
