from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.roles import EDITORS, MANAGE


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter")
    # Readers and their copies are personal data: no group gets them (the superuser alone).
    role_permissions = {EDITORS: {"issue": MANAGE}}

    def ready(self):
        from allauth.account.signals import email_changed

        from accounts.hooks import forgotten, profile_parts
        from core import pagecache

        from .models import Delivery, KindInterest, Subscriber
        from .services import forget_member, member_address_changed
        from .views.profile import profile_newsletter

        forgotten.answer(forget_member)
        profile_parts.answer(profile_newsletter)
        email_changed.connect(
            lambda user, **kwargs: member_address_changed(user=user),
            weak=False,
            dispatch_uid="newsletter.member_address_changed",
        )
        # Readers and their copies are on no page: writing them must not renew every page.
        through = (Subscriber.sites.through, Subscriber.topics.through)
        pagecache.unshown(Subscriber, KindInterest, Delivery, *through)

    def personal_data(self, user):
        """The person's subscription, as they chose it."""
        subscriber = getattr(user, "newsletter_subscription", None)
        if subscriber is None:
            return {}
        return {
            "subscription": {
                "email": subscriber.email,
                "name": subscriber.name,
                "language": subscriber.language,
                "weekly_alerts": subscriber.alerts,
                "sites": [site.slug for site in subscriber.sites.all()],
                "themes": [str(topic) for topic in subscriber.topics.all()],
                "kinds_of_study": subscriber.kinds,
                "subscribed_at": subscriber.created_at,
                "confirmed_at": subscriber.confirmed_at,
                "unsubscribed_at": subscriber.unsubscribed_at,
            }
        }
