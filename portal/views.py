from django.http import Http404
from django.views.generic import TemplateView

from .models import Page
from .navigation import available_ways_in

HOME_SECTIONS = ("about", "objectives", "principles", "partners")


class HomeView(TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        pages = {page.slug: page for page in Page.objects.in_language(slugs=HOME_SECTIONS)}
        return super().get_context_data(
            sections=[pages[slug] for slug in HOME_SECTIONS if slug in pages],
            about=pages.get("about"),
            ways_in=available_ways_in(),
            **kwargs,
        )


class PageDetailView(TemplateView):
    template_name = "portal/page.html"

    def get_context_data(self, **kwargs):
        pages = Page.objects.in_language(slugs=[self.kwargs["slug"]])
        if not pages:
            raise Http404
        return super().get_context_data(page=pages[0], **kwargs)
