from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from core.pagecache import SharedPageMixin
from thesaurus.vocabulary import expanded, suggestions

from . import home, search
from .forms import PortalSearchForm
from .models import EMBEDDED_PAGES, SITES_INTRO, Page

HOME_SECTIONS = ("about", "objectives", "principles", "partners")


class HomeView(SharedPageMixin, TemplateView):
    """The programme in a few words and its life: the latest dialogue and studies, the sites and
    who takes part. One page for every reader (portal.home says why), kept until one changes."""

    template_name = "portal/home.html"

    def page_tags(self):
        return ("dialogue", home.PEOPLE)

    def get_context_data(self, **kwargs):
        pages = {page.slug: page for page in Page.objects.in_language(slugs=HOME_SECTIONS)}
        people = home.people_by_group()
        return super().get_context_data(
            sections=[pages[slug] for slug in HOME_SECTIONS if slug in pages],
            about=pages.get("about"),
            threads=home.latest_threads(),
            studies=home.latest_studies(),
            sites=home.published_sites(),
            people=people,
            people_total=sum(count.people for count in people),
            **kwargs,
        )


class PageDetailView(SharedPageMixin, TemplateView):
    template_name = "portal/page.html"

    def get(self, request, *args, **kwargs):
        if self.kwargs["slug"] in EMBEDDED_PAGES:
            return redirect(EMBEDDED_PAGES[self.kwargs["slug"]], permanent=True)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        pages = Page.objects.in_language(slugs=[self.kwargs["slug"]])
        if not pages:
            raise Http404
        return super().get_context_data(page=pages[0], **kwargs)


class SearchView(TemplateView):
    """/search/: studies, sites and the dialogue found together, with what the reader may see."""

    template_name = "portal/search.html"

    def get_context_data(self, **kwargs):
        form = PortalSearchForm(self.request.GET or None)
        query = expanded(form.query())
        kind = search.SITES if self.request.GET.get("kind") == search.SITES else ""
        sections = search.sections(self.request.user, query, kind=kind)
        return super().get_context_data(
            form=form,
            query=query,
            sections=sections,
            suggestions=suggestions(query) if query and not sections else None,
            site_search_query=query,
            **kwargs,
        )


def sites_intro(request):
    """Answers sites.hooks.site_list_intro: the page that editors write for the sites' list."""
    pages = Page.objects.in_language(slugs=[SITES_INTRO])
    return pages[0] if pages else None


@require_safe
def robots_txt(request):
    """/robots.txt: where the sitemaps are, for search engines; the admin is no page of theirs."""
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    text = f"User-agent: *\nDisallow: /admin/\n\nSitemap: {sitemap}\n"
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
