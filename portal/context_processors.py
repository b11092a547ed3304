from django.utils.translation import get_language

from .navigation import available_ways_in, footer_pages


def site_navigation(request):
    return {
        "main_navigation": available_ways_in,
        "footer_pages": lambda: footer_pages(get_language()),
    }
