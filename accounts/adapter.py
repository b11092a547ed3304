from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils import timezone, translation

from core.addresses import LANGUAGE_CODES, url_in_language
from core.emails import queue_email


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        data = form.cleaned_data
        user.name = data["name"]
        user.stakeholder_group = data["stakeholder_group"]
        user.organisation = data.get("organisation", "")
        user.country = data["country"]
        user.preferred_language = data["preferred_language"]
        user.code_of_conduct_accepted_at = timezone.now()
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix, email, context):
        """Render now, in the reader's language; send from a task once the transaction commits."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        queue_email(self.render_mail(template_prefix, email, ctx))

    def post_login(self, request, user, **kwargs):
        """Signing in brings back the person's language: the page they go to next is at its
        address in that language (/fr/…), and the "signed in" message is in it too."""
        language = user.preferred_language
        if language not in LANGUAGE_CODES:
            return super().post_login(request, user, **kwargs)
        with translation.override(language):
            response = super().post_login(request, user, **kwargs)
        if "Location" in response:
            response["Location"] = url_in_language(response["Location"], language)
        remember_language(response, language)
        return response


def remember_language(response, language):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def user_display(user):
    return user.display_name
