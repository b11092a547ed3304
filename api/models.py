"""Personal API tokens: a signed-in stakeholder reads through the API what they may read on the
site. Only a hash of each token is kept: the token itself is shown once, when it is made."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "asmp_"  # noqa: S105 (what every token begins with, not a secret)


def token_hash(token: str) -> str:
    """SHA-256 is enough: a token is 32 random bytes, not a password anyone could guess."""
    return hashlib.sha256(token.encode()).hexdigest()


class TokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class Token(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        _("name"), max_length=80, help_text=_("What the token is for, to tell your tokens apart.")
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters, to recognise a token on the profile page without keeping it.
    start = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = TokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ("-created_at", "-pk")
        indexes = [
            models.Index(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="api_token_active"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.start}…)"

    @property
    def is_revoked(self):
        return self.revoked_at is not None
