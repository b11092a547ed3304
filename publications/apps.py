from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.roles import EDITORS, MANAGE
from core.search import AnyOf


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = _("Library")
    role_permissions = {
        EDITORS: {
            "publication": MANAGE,
            "author": MANAGE,
            "authorship": MANAGE,
            "coverage": MANAGE,
            "topic": MANAGE,
            "downloadcount": ("view",),
        }
    }

    # Modules that define models are imported inside the methods: Django loads every app's
    # configuration before any app's models.

    def ready(self):
        from accounts.hooks import forgotten
        from core import memberpages, pagecache
        from notices.presenters import presents
        from thesaurus.vocabulary import provides

        from .models import DownloadCount, Publication, TopicFollow
        from .search import named_topics
        from .services import forget_reader
        from .views import present_publications, topic_follow_form

        pagecache.unshown(DownloadCount)
        # Shown only in each reader's own follow form, filled for them (views.topic_follow_form).
        pagecache.unshown(TopicFollow)
        memberpages.fills("topic-follow")(topic_follow_form)
        presents("publication")(present_publications)
        provides("topic")(named_topics)
        forgotten.answer(forget_reader)

        # The library's search selects its matches by id, thousands at a time (search.matching).
        Publication._meta.pk.register_lookup(AnyOf)

    def personal_data(self, user):
        return {"topics_followed": list(user.topic_follows.values_list("topic__slug", flat=True))}

    def load_content(self, *, overwrite: bool) -> str:
        from .content import load_catalogue

        return load_catalogue(overwrite=overwrite)
