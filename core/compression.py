"""Compression of what Django renders; whitenoise compresses the static files ahead of time.

On a slow mobile connection the HTML is all that a second page costs (static files come from
the cache): a thread page of 20 posts is about 38 KB as rendered and under 10 KB gzipped
(tests/browser/test_weight.py measures it).

BREACH (guessing a secret in a compressed page from its length, by reflecting chosen text into
it) is why compressing HTML needs a thought. Django masks its CSRF token anew in every response,
so the token cannot be guessed that way, and its GZipMiddleware adds up to 100 random bytes to
every compressed answer ("Heal The Breach"), which hides the length that the attack measures.
The session identifier travels in a cookie, never in a page. So pages are compressed.
"""

from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/geo+json",
    "application/ld+json",
    "application/atom+xml",
    "application/rss+xml",
    "application/xml",
    "image/svg+xml",
)


class PageCompressionMiddleware(GZipMiddleware):
    """gzip for the text answers that Django renders (pages, GeoJSON, feeds, the sitemap).

    Streaming answers are left as they are: they are the studies' PDFs, already compressed and
    served in byte ranges that a compressed stream would break. Static files never reach this
    middleware: whitenoise, before it in MIDDLEWARE, answers them with its own .gz and .br copies.
    """

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "")
        if response.streaming or not content_type.startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)
