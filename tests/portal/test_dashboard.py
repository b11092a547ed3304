"""The staff's dashboard, the admin's start page: what waits for each role, the charts with
their tables and CSV files, each only for those who may read it, at a constant query count."""

import csv
import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_countries import countries as countries_names

from accounts.models import StakeholderGroup, VerificationRequest
from forums.models import Flag, FlagReason, PostStatus
from outbox.models import Entry
from portal import dashboard
from publications.models import DownloadCount
from tests.factories import (
    ForumFactory,
    PostFactory,
    PublicationFactory,
    StaffFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")


def csv_url(slug):
    return reverse("admin:dashboard_csv", args=[slug])


def chart_slugs(response):
    return [chart.slug for chart in response.context["charts"]]


def table_of(page, slug):
    """The rows of a chart's table in the page: [[row header, cell, ...], ...]."""
    figure = re.search(rf'<figure class="dashboard-chart-{slug}">(.*?)</figure>', page, re.S)
    body = re.search(r"<tbody>(.*?)</tbody>", figure.group(1), re.S).group(1)
    return [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<t[hd][^>]*>.*?</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.fixture
def moderator():
    return StaffFactory(groups=["Moderators"])


@pytest.fixture
def editor():
    return StaffFactory(groups=["Editors"])


def waiting_work():
    """2 posts pending, 1 with an open flag (and 1 resolved), 1 open verification request."""
    PostFactory.create_batch(2, status=PostStatus.PENDING)
    flagged = PostFactory()
    Flag.objects.create(post=flagged, user=UserFactory(), reason=FlagReason.SPAM)
    Flag.objects.create(
        post=flagged, user=UserFactory(), reason=FlagReason.SPAM, resolved_at=timezone.now()
    )
    VerificationRequest.objects.create(user=UserFactory(), statement="Registry 42")
    VerificationRequest.objects.create(
        user=UserFactory(), statement="Registry 43", status=VerificationRequest.Status.REFUSED
    )


def test_a_moderator_sees_what_waits_with_links_and_the_dialogues_charts(client, moderator):
    waiting_work()
    client.force_login(moderator)

    response = client.get(INDEX)

    page = response.text
    assert response.status_code == 200
    assert "3 posts wait for a decision" in page  # 2 pending, 1 flagged
    assert f'href="{reverse("admin:forums_flag_changelist")}?resolved=no">1 open flag<' in page
    changelist = reverse("admin:accounts_verificationrequest_changelist")
    assert f'href="{changelist}?status__exact=open">1 verification request waits<' in page
    assert chart_slugs(response) == ["participation", "forums", "countries"]
    assert "outbox-backlog" not in page  # moderators do not see the outbox


def test_an_editor_sees_the_downloads_and_no_queue(client, editor):
    waiting_work()
    client.force_login(editor)

    response = client.get(INDEX)

    assert response.status_code == 200
    assert "wait for a decision" not in response.text
    assert "open flag" not in response.text
    assert "verification request" not in response.text
    assert chart_slugs(response) == ["downloads"]


def test_a_superuser_sees_everything_the_outbox_included(client):
    Entry.objects.create(job="notices.tasks.send")
    client.force_login(StaffFactory(is_superuser=True))

    response = client.get(INDEX)

    assert chart_slugs(response) == ["participation", "forums", "downloads", "countries"]
    assert "1 job waits in the outbox" in response.text


def test_a_stakeholder_is_sent_to_sign_in_and_reads_no_figures(client):
    PostFactory()
    client.force_login(UserFactory())

    for url in (INDEX, csv_url("participation"), csv_url("downloads")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "People taking part" not in response.text


def test_participation_counts_people_per_group_this_month_in_the_table_and_csv(client, moderator):
    miners = UserFactory.create_batch(2, stakeholder_group=StakeholderGroup.MINER)
    ngo = UserFactory(stakeholder_group=StakeholderGroup.NGO)
    thread = ThreadFactory(author=miners[0])  # its opening post: the first miner's
    PostFactory(thread=thread, author=miners[0])  # the same person again: still one
    PostFactory(thread=thread, author=miners[1])
    PostFactory(thread=thread, author=ngo)
    PostFactory(thread=thread, author=ngo, status=PostStatus.PENDING)  # not counted
    old = timezone.now() - datetime.timedelta(days=800)  # beyond the twelve months
    PostFactory(thread=thread, author=UserFactory(), created_at=old)
    client.force_login(moderator)

    page = client.get(INDEX).text

    rows = table_of(page, "participation")
    assert len(rows) == 12
    this_month = rows[-1]
    assert this_month[1:] == ["2", "1"]  # miners, NGOs: the only groups that took part
    assert all(row[1:] == ["0", "0"] for row in rows[:-1])
    response = client.get(csv_url("participation"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == [
        "month",
        str(StakeholderGroup.MINER.label),
        str(StakeholderGroup.NGO.label),
    ]
    assert table[-1][1:] == ["2", "1"]
    assert len(table) == 13


def test_posts_per_forum_and_new_stakeholders_per_country(client, moderator):
    busy, quiet = ForumFactory(name="Busy forum"), ForumFactory(name="Quiet forum")
    thread = ThreadFactory(forum=busy)
    PostFactory.create_batch(2, thread=thread)
    ThreadFactory(forum=quiet)
    UserFactory.create_batch(2, country="MG")
    client.force_login(moderator)

    page = client.get(INDEX).text

    assert table_of(page, "forums") == [["Busy forum", "3"], ["Quiet forum", "1"]]
    countries = {row[0]: row[1] for row in table_of(page, "countries")}
    # The four authors in the forums (DR Congo) and the two from Madagascar; staff are not
    # counted.
    assert countries["Madagascar"] == "2"
    assert countries[countries_names.name("CD")] == "4"


def test_downloads_per_study_and_month_for_editors_in_csv(client, editor, moderator):
    study = PublicationFactory(title="=HYPERLINK(evil) study")
    other = PublicationFactory(title="Global study")
    today = timezone.localdate()
    first = today.replace(day=1)
    DownloadCount.objects.create(publication=study, day=first, count=2)
    if today != first:
        DownloadCount.objects.create(publication=study, day=today, count=5)
    DownloadCount.objects.create(publication=other, day=today - datetime.timedelta(days=800))
    client.force_login(editor)

    response = client.get(csv_url("downloads"))

    table = list(csv.reader(io.StringIO(response.content.decode())))
    # A title a spreadsheet would run as a formula is quoted as text; an old year is left out.
    assert table[0] == ["month", "'=HYPERLINK(evil) study"]
    assert table[-1][1] == ("7" if today != first else "2")
    assert len(table) == 13
    client.force_login(moderator)
    assert client.get(csv_url("downloads")).status_code == 403
    assert client.get(csv_url("nothing")).status_code == 404


def test_an_editor_may_not_read_the_dialogues_figures(client, editor):
    client.force_login(editor)

    for slug in ("participation", "forums", "countries"):
        response = client.get(csv_url(slug))
        assert response.status_code == 403, slug
        assert b"month" not in response.content


def test_the_charts_are_inline_svg_without_script_style_or_other_hosts(client, moderator):
    PostFactory()
    client.force_login(moderator)

    response = client.get(INDEX)

    page = response.text
    svgs = re.findall(r'<svg [^>]*class="pygal-chart.*?</svg>', page, re.S)
    assert len(svgs) == 3
    for svg in svgs:
        assert 'role="img"' in svg
        assert "<script" not in svg
        assert "<style" not in svg
        assert "style=" not in svg
        assert not re.search(r'(href|src)="(https?:)?//', svg)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "/static/css/charts" in page


def test_the_charts_are_kept_a_few_minutes(client, moderator):
    client.force_login(moderator)
    client.get(INDEX)
    PostFactory(thread=ThreadFactory(forum=ForumFactory(name="New forum")))

    assert "New forum" not in client.get(INDEX).text
    cache.clear()
    assert "New forum" in client.get(INDEX).text


def test_the_dashboards_queries_stay_the_same_as_data_grows(client):
    client.force_login(StaffFactory(is_superuser=True))

    def queries():
        cache.clear()  # the charts drawn anew: their queries counted too
        with CaptureQueriesContext(connection) as captured:
            assert client.get(INDEX).status_code == 200
        return len(captured)

    PostFactory()
    few = queries()
    for n in range(3):
        forum = ForumFactory()
        thread = ThreadFactory(forum=forum, author=UserFactory(country="SL"))
        PostFactory.create_batch(2, thread=thread, status=PostStatus.PENDING)
        PostFactory(thread=thread, created_at=timezone.now() - datetime.timedelta(days=40 * n))
        study = PublicationFactory()
        DownloadCount.objects.create(publication=study, day=timezone.localdate(), count=n + 1)
        VerificationRequest.objects.create(user=UserFactory(), statement=f"Registry {n}")
        Entry.objects.create(job="notices.tasks.send")
    many = queries()

    assert many == few
    # Warm, the charts cost nothing: only the session, the user and the waiting counts.
    client.get(INDEX)
    with CaptureQueriesContext(connection) as warm:
        client.get(INDEX)
    assert len(warm) <= few - len(dashboard.CHARTS)


def test_many_studies_are_summed_beyond_the_most_downloaded(editor):
    today = timezone.localdate()
    for n in range(dashboard.MOST_SERIES + 3):
        DownloadCount.objects.create(
            publication=PublicationFactory(title=f"Study {n:02}"), day=today, count=100 - n
        )

    chart = dashboard.downloads()

    assert len(chart.series) == dashboard.MOST_SERIES
    assert chart.series[0] == "Study 00"
    assert chart.series[-1] == "other studies"
    assert chart.rows[-1][1][-1] == sum(100 - n for n in range(7, dashboard.MOST_SERIES + 3))
