"""Each post's plain text (`Post.text`: the words a reader sees, without Markdown's syntax),
filled for the posts there are; their search entries then read it (PostgreSQL's vectors, the
FTS5 rows on SQLite), so that snippets never show Markdown. Posts holding an image are rendered
again: the image becomes a note saying it is not shown."""

from django.db import migrations, models
from django.db.models import Q

CHUNK = 2000


def fill(apps, schema_editor):
    from core.text import html_to_text
    from forums.models import rendered_post
    from forums.search import index_posts

    posts = apps.get_model("forums", "Post").objects.using(schema_editor.connection.alias)
    images = Q(body__contains="![") | Q(body__icontains="<img")
    ids = list(posts.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = posts.filter(pk__in=ids[start : start + CHUNK])
        changed = []
        for post in chunk.filter(images).only("pk", "body", "language"):
            post.body_html, post.text = rendered_post(post.body, post.language)
            changed.append(post)
        posts.bulk_update(changed, ["body_html", "text"])
        changed = []
        for post in chunk.exclude(images).only("pk", "body_html"):
            post.text = html_to_text(post.body_html)
            changed.append(post)
        posts.bulk_update(changed, ["text"])
    index_posts(ids)


class Migration(migrations.Migration):
    dependencies = [("forums", "0008_search_everywhere")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
    ]
