"""The moderators' dashboard, the admin's start page: what waits for this member of staff, with
links, and the charts of the portal's life that their permissions let them read.

Each chart is one grouped query over the last twelve months (or the forums' kept counts), drawn
as SVG on the server by pygal and kept in the cache for a few minutes in each language: the
figures change slowly, and a warm dashboard costs no query for its charts. The SVG is inline and
inert: no script, no style of its own (static/css/charts.css styles every chart), nothing from
another host, so the admin's Content-Security-Policy stays as it is. Each chart carries its data
as a table for screen readers and as a CSV file (DashboardCSV in admin_site.py).
"""

import contextlib
import datetime
import re
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import StakeholderGroup, User, VerificationRequest
from forums.models import Flag, Forum, Post, PostStatus
from forums.moderation import waiting_count
from outbox.models import Entry
from publications.models import DownloadCount

# How long a chart is kept, in seconds: the dashboard may be that late, never more.
CHART_SECONDS = 300
MONTHS = 12
# Beyond these many series or bars, the rest are summed as one: a chart stays readable.
MOST_SERIES = 8
MOST_BARS = 15


@dataclass
class Waiting:
    label: str
    count: int
    url: str
    css_class: str = ""


def waiting(user) -> list[Waiting]:
    """What waits for this person's decision, each only for those who may act on it: one query
    each."""
    items = []
    posts = waiting_count(user)
    if posts is not None:
        items.append(
            Waiting(
                ngettext(
                    "%(count)d post waits for a decision",
                    "%(count)d posts wait for a decision",
                    posts,
                )
                % {"count": posts},
                posts,
                reverse("admin:forums_post_changelist") + "?waiting=yes",
                "forum-review-queue",
            )
        )
    if user.has_perm("forums.view_flag"):
        flags = Flag.objects.filter(resolved_at__isnull=True).count()
        items.append(
            Waiting(
                ngettext("%(count)d open flag", "%(count)d open flags", flags) % {"count": flags},
                flags,
                reverse("admin:forums_flag_changelist") + "?resolved=no",
                "open-flags",
            )
        )
    if user.has_perm("accounts.change_verificationrequest"):
        requests = VerificationRequest.objects.filter(
            status=VerificationRequest.Status.OPEN
        ).count()
        items.append(
            Waiting(
                ngettext(
                    "%(count)d verification request waits",
                    "%(count)d verification requests wait",
                    requests,
                )
                % {"count": requests},
                requests,
                reverse("admin:accounts_verificationrequest_changelist") + "?status__exact=open",
                "verification-requests",
            )
        )
    return items


def outbox_backlog(user):
    return Entry.objects.backlog() if user.has_perm("outbox.view_entry") else None


@dataclass
class Chart:
    slug: str
    title: str
    category: str  # what the rows are: a month, a forum, a country
    rows: list  # [(row label, [value of each series])]
    series: list = field(default_factory=list)  # the series' names, a column of the table each
    kind: str = "bar"
    svg: str = ""

    @property
    def columns(self):
        return self.series

    @property
    def csv_url(self):
        return reverse("admin:dashboard_csv", args=[self.slug])


def month_starts(now=None) -> list[datetime.date]:
    """The first days of the last MONTHS months, this one last."""
    today = timezone.localdate(now)
    year, month = today.year, today.month
    starts = []
    for _n in range(MONTHS):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def month_label(day) -> str:
    return formats.date_format(day, "M Y")


def as_month(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date().replace(day=1)
    return value.replace(day=1)


def since(starts):
    first = starts[0]
    return timezone.make_aware(datetime.datetime(first.year, first.month, first.day))


def by_month(figures, starts, keys, names):
    """Rows of months, a column per key: figures is {(month, key): value}. No rows without
    keys: the chart says that there is nothing yet."""
    if not keys:
        return [], []
    return [
        (month_label(month), [figures.get((month, key), 0) for key in keys]) for month in starts
    ], [str(names[key]) for key in keys]


def participation() -> Chart:
    """People who had a post approved, per stakeholder group and month (one query)."""
    starts = month_starts()
    rows = (
        Post.objects.filter(status=PostStatus.APPROVED, created_at__gte=since(starts))
        .annotate(month=TruncMonth("created_at"))
        .values_list("month", "author__stakeholder_group")
        .annotate(people=Count("author", distinct=True))
        .order_by()
    )
    figures = {(as_month(month), group or ""): people for month, group, people in rows}
    names = {**dict(StakeholderGroup.choices), "": _("no group given")}
    keys = [key for key in names if any(k == key for _m, k in figures)]
    table, series = by_month(figures, starts, keys, names)
    return Chart(
        "participation",
        _("People taking part, per stakeholder group and month"),
        _("month"),
        table,
        series,
        kind="stacked",
    )


def posts_per_forum() -> Chart:
    """Approved posts in each forum, from the forums' kept counts (one query)."""
    forums = Forum.objects.only("slug", "name", "name_fr", "post_count").order_by("-post_count")
    return Chart(
        "forums",
        _("Posts per forum"),
        _("forum"),
        [(forum.label, [forum.post_count]) for forum in forums],
        [str(_("posts"))],
        kind="horizontal",
    )


def downloads() -> Chart:
    """Downloads of each study per month, the most downloaded studies apart (one query)."""
    starts = month_starts()
    rows = (
        DownloadCount.objects.filter(day__gte=starts[0])
        .annotate(month=TruncMonth("day"))
        .values_list("month", "publication_id", "publication__title")
        .annotate(downloads=Sum("count"))
        .order_by()
    )
    figures, totals, titles = {}, {}, {}
    for month, study, title, count in rows:
        figures[as_month(month), study] = figures.get((as_month(month), study), 0) + count
        totals[study] = totals.get(study, 0) + count
        titles[study] = title
    keys = sorted(totals, key=lambda study: (-totals[study], titles[study]))
    if len(keys) > MOST_SERIES:
        rest = set(keys[MOST_SERIES - 1 :])
        keys = [*keys[: MOST_SERIES - 1], "rest"]
        titles["rest"] = _("other studies")
        for (month, study), count in list(figures.items()):
            if study in rest:
                figures[month, "rest"] = figures.get((month, "rest"), 0) + count
    table, series = by_month(figures, starts, keys, titles)
    return Chart(
        "downloads",
        _("Downloads per study and month"),
        _("month"),
        table,
        series,
        kind="stacked",
    )


def new_stakeholders() -> Chart:
    """People who joined in the last twelve months, per country (one query)."""
    starts = month_starts()
    rows = (
        User.objects.filter(date_joined__gte=since(starts), is_staff=False)
        .values_list("country")
        .annotate(people=Count("pk"))
        .order_by("-people", "country")
    )
    table = [(countries.name(code) if code else _("no country given"), [n]) for code, n in rows]
    if len(table) > MOST_BARS:
        rest = sum(values[0] for _label, values in table[MOST_BARS - 1 :])
        table = [*table[: MOST_BARS - 1], (_("other countries"), [rest])]
    return Chart(
        "countries",
        _("New stakeholders per country, last twelve months"),
        _("country"),
        [(str(label), values) for label, values in table],
        [str(_("people"))],
        kind="horizontal",
    )


# slug -> (what it is drawn from, the permission that reads it)
CHARTS = {
    "participation": (participation, "forums.view_post"),
    "forums": (posts_per_forum, "forums.view_post"),
    "downloads": (downloads, "publications.view_downloadcount"),
    "countries": (new_stakeholders, "accounts.view_user"),
}


def may_read(user, slug) -> bool:
    return slug in CHARTS and user.is_active and user.is_staff and user.has_perm(CHARTS[slug][1])


def chart(slug) -> Chart:
    """The chart, drawn, from the cache when it was drawn in the last few minutes in this
    language. A cache that cannot answer only costs the drawing."""
    key = f"dashboard:{slug}:{get_language()}"
    kept = None
    with contextlib.suppress(Exception):
        kept = cache.get(key)
    if kept is not None:
        return kept
    drawn = CHARTS[slug][0]()
    drawn.title, drawn.category = str(drawn.title), str(drawn.category)
    drawn.series = [str(name) for name in drawn.series]
    drawn.svg = svg(drawn)
    with contextlib.suppress(Exception):
        cache.set(key, drawn, CHART_SECONDS)
    return drawn


def forget() -> None:
    """Every chart drawn anew at its next reading, in every language."""
    from django.conf import settings

    with contextlib.suppress(Exception):
        cache.delete_many(
            [f"dashboard:{slug}:{code}" for slug in CHARTS for code, _name in settings.LANGUAGES]
        )


def charts_for(user) -> list[Chart]:
    return [chart(slug) for slug in CHARTS if may_read(user, slug)]


# What pygal writes that a page with this CSP must not hold: its config script, its stylesheet
# (in static/css/charts.css instead), inline style attributes and comments naming other hosts.
INERT = [
    re.compile(r"<script\b.*?</script>", re.S),
    re.compile(r"<style\b.*?</style>", re.S),
    re.compile(r'\sstyle="[^"]*"'),
    re.compile(r"<!--.*?-->", re.S),
]


def svg(drawn: Chart) -> str:
    import pygal  # only when a chart is drawn: most requests never draw one

    kinds = {
        "bar": pygal.Bar,
        "stacked": pygal.StackedBar,
        "horizontal": pygal.HorizontalBar,
    }
    config = {
        "js": [],
        "css": [],
        "disable_xml_declaration": True,
        "explicit_size": False,
        "width": 720,
        "height": 360,
        "show_legend": bool(drawn.series) and len(drawn.series) > 1,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 2,
        "truncate_legend": 36,
        "truncate_label": -1,
        "tooltip_fancy_mode": False,
        "print_values": False,
        "style": pygal.style.Style(
            font_family="system-ui, sans-serif",
            background="transparent",
            plot_background="transparent",
            colors=PALETTE,
        ),
        "classes": ["pygal-chart", "dashboard-chart"],
        # pygal's own words, in English whatever the reader's language otherwise.
        "no_data_text": str(_("No figures yet")),
    }
    graph = kinds[drawn.kind](**config)
    labels = [label for label, _values in drawn.rows]
    if drawn.kind == "horizontal":
        # pygal draws the first row at the bottom: reversed, the largest is on top.
        graph.x_labels = labels[::-1]
        rows = drawn.rows[::-1]
    else:
        graph.x_labels = labels
        rows = drawn.rows
    for n, name in enumerate(drawn.columns):
        # No bar where there is nothing: pygal draws (and times) each bar, tooltip and all.
        graph.add(str(name), [values[n] or None for _label, values in rows])
    if any(any(values) for _label, values in drawn.rows):
        graph.y_labels = whole_ticks(drawn)
    text = graph.render(is_unicode=True)
    for pattern in INERT:
        text = pattern.sub("", text)
    # An image to assistive technology, named by its heading; the table beside it holds the data.
    return text.replace(
        "<svg ", f'<svg role="img" aria-labelledby="chart-{drawn.slug}-title" focusable="false" ', 1
    )


def whole_ticks(drawn: Chart) -> list[int]:
    """Ticks on whole numbers for the values' axis (people, posts and downloads come whole),
    about eight of them, up to the tallest bar or stack."""
    tallest = max((sum(values) for _label, values in drawn.rows), default=0)
    step = max(1, -(-tallest // 8))
    return list(range(0, tallest + step, step))


# Colours told apart by people with the common colour-vision deficiencies (Okabe and Ito).
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#999999",
)


def csv_rows(drawn: Chart):
    """The chart's table for a spreadsheet: a header, then a row per month, forum or country.
    A cell that a spreadsheet would read as a formula is quoted as text."""

    def cell(value):
        value = str(value)
        return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value

    yield [cell(drawn.category), *[cell(name) for name in drawn.columns]]
    for label, values in drawn.rows:
        yield [cell(label), *values]
