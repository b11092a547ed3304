from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Open data API")

    def ready(self):
        from accounts.hooks import forgotten, profile_parts
        from core.errors import answered

        from .problems import for_api_address
        from .services import forget_holder
        from .views import profile_tokens

        profile_parts.answer(profile_tokens)
        forgotten.answer(forget_holder)
        answered.answer(for_api_address)

    def personal_data(self, user):
        """The person's tokens as their profile lists them; never a token nor its hash."""
        fields = ("name", "start", "created_at", "last_used_at", "revoked_at")
        return {"api_tokens": list(user.api_tokens.order_by("created_at", "pk").values(*fields))}
