"""Making and revoking personal API tokens."""

import secrets

from django.db import transaction
from django.utils import timezone

from .models import TOKEN_PREFIX, Token, token_hash

MAX_ACTIVE_TOKENS = 10


class TooManyTokens(Exception):
    pass


@transaction.atomic
def token_create(*, user, name: str) -> tuple[Token, str]:
    """A new token for `user`: (the row, the token itself, which is never kept nor shown
    again)."""
    if Token.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        raise TooManyTokens
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = Token.objects.create(
        user=user, name=name.strip(), key_hash=token_hash(secret), start=secret[:10]
    )
    return token, secret


def token_revoke(*, user, token_id: int) -> bool:
    """Revoke one of `user`'s own tokens; False if they hold no such active token."""
    revoked = Token.objects.active().filter(user=user, pk=token_id)
    return revoked.update(revoked_at=timezone.now()) == 1


def tokens_revoke(tokens) -> int:
    """Revoke these tokens (the operator's, in the admin); how many were still active."""
    return tokens.active().update(revoked_at=timezone.now())


def forget_holder(user) -> None:
    """A deleted account keeps no tokens (accounts.hooks.forgotten)."""
    Token.objects.filter(user=user).delete()
