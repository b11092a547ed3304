"""The newsletter on one's own profile page (accounts.hooks.profile_parts)."""

from django.db.models import F, Q

from core.hooks import Part

from ..models import Subscriber
from ..permissions import can_subscribe_member


def profile_newsletter(request):
    """Subscribed: its state and the links to change or stop it. A confirmed stakeholder not
    subscribed: the one-click button. Nothing for anyone else."""
    user = request.user
    if not user.is_authenticated:
        return None
    may_subscribe = can_subscribe_member(user)
    theirs = Q(user=user)
    if may_subscribe:
        # Their address is confirmed: a subscription made from the form with it is theirs too.
        theirs |= Q(email__iexact=user.email.strip(), user__isnull=True)
    subscriber = Subscriber.objects.filter(theirs).order_by(F("user").asc(nulls_last=True)).first()
    if subscriber is None and not may_subscribe:
        return None
    return Part(
        "newsletter/profile_part.html",
        {"newsletter_subscriber": subscriber, "newsletter_may_subscribe": may_subscribe},
    )
