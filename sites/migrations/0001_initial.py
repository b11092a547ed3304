"""Case-study sites move out of portal into their own app (label casesites, since Django's
sites framework has the label "sites").

Here the new app takes over the tables as they are, in Django's model state only: nothing is
written to the database. 0002 then renames the tables, their constraints and content types.
"""

import django.core.validators
import django.db.models.deletion
import django_countries.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("portal", "0002_sites"),
        ("publications", "0002_search_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Mineral",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("slug", models.SlugField(max_length=60, unique=True, verbose_name="slug")),
                        ("name", models.CharField(max_length=80, verbose_name="name in English")),
                        (
                            "name_fr",
                            models.CharField(
                                blank=True, max_length=80, verbose_name="name in French"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "mineral",
                        "verbose_name_plural": "minerals",
                        "ordering": ("name",),
                        "abstract": False,
                        "db_table": "portal_mineral",
                    },
                ),
                migrations.CreateModel(
                    name="Site",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("slug", models.SlugField(max_length=80, unique=True, verbose_name="slug")),
                        (
                            "country",
                            django_countries.fields.CountryField(
                                max_length=2, verbose_name="country"
                            ),
                        ),
                        (
                            "latitude",
                            models.DecimalField(
                                decimal_places=5,
                                help_text="Decimal degrees of the approximate centre, north positive (e.g. 7.65).",
                                max_digits=8,
                                validators=[
                                    django.core.validators.MinValueValidator(
                                        -90, message="Latitude must be between -90 and 90 degrees."
                                    ),
                                    django.core.validators.MaxValueValidator(
                                        90, message="Latitude must be between -90 and 90 degrees."
                                    ),
                                ],
                                verbose_name="latitude",
                            ),
                        ),
                        (
                            "longitude",
                            models.DecimalField(
                                decimal_places=5,
                                help_text="Decimal degrees of the approximate centre, east positive (e.g. -10.90).",
                                max_digits=9,
                                validators=[
                                    django.core.validators.MinValueValidator(
                                        -180,
                                        message="Longitude must be between -180 and 180 degrees.",
                                    ),
                                    django.core.validators.MaxValueValidator(
                                        180,
                                        message="Longitude must be between -180 and 180 degrees.",
                                    ),
                                ],
                                verbose_name="longitude",
                            ),
                        ),
                        (
                            "established",
                            models.PositiveSmallIntegerField(
                                blank=True,
                                help_text="The year the area was first protected, where known.",
                                null=True,
                                validators=[
                                    django.core.validators.MinValueValidator(1800),
                                    django.core.validators.MaxValueValidator(2100),
                                ],
                                verbose_name="protected since",
                            ),
                        ),
                        (
                            "area_ha",
                            models.PositiveIntegerField(
                                blank=True,
                                help_text="Approximate; where known.",
                                null=True,
                                verbose_name="area (hectares)",
                            ),
                        ),
                        (
                            "iucn_category",
                            models.CharField(
                                blank=True,
                                help_text="For example II, or V/VI for a group of areas. Leave empty if unknown.",
                                max_length=20,
                                validators=[
                                    django.core.validators.RegexValidator(
                                        "^(Ia|Ib|II|III|IV|V|VI)(/(Ia|Ib|II|III|IV|V|VI))*$",
                                        message="Use the IUCN categories Ia, Ib, II to VI, separated by '/'.",
                                    )
                                ],
                                verbose_name="IUCN category",
                            ),
                        ),
                        (
                            "wdpa_id",
                            models.PositiveIntegerField(
                                blank=True,
                                help_text="The area's number in the World Database on Protected Areas.",
                                null=True,
                                verbose_name="WDPA id",
                            ),
                        ),
                        (
                            "order",
                            models.PositiveSmallIntegerField(
                                default=0, verbose_name="order in lists"
                            ),
                        ),
                        (
                            "is_published",
                            models.BooleanField(
                                default=False,
                                help_text="Unpublished sites are seen by editors only.",
                                verbose_name="published",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                        (
                            "minerals",
                            models.ManyToManyField(
                                blank=True,
                                related_name="sites",
                                to="casesites.mineral",
                                verbose_name="minerals mined",
                            ),
                        ),
                        (
                            "publications",
                            models.ManyToManyField(
                                blank=True,
                                help_text="The studies about this site; they link back to it.",
                                related_name="sites",
                                to="publications.publication",
                                verbose_name="studies",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "case-study site",
                        "verbose_name_plural": "case-study sites",
                        "ordering": ("order", "slug"),
                        "db_table": "portal_site",
                    },
                ),
                migrations.CreateModel(
                    name="SiteText",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "language",
                            models.CharField(
                                choices=[("en", "English"), ("fr", "French")],
                                max_length=5,
                                verbose_name="language",
                            ),
                        ),
                        ("name", models.CharField(max_length=200, verbose_name="name")),
                        (
                            "designation",
                            models.CharField(
                                blank=True,
                                help_text="For example: National park.",
                                max_length=200,
                                verbose_name="designation",
                            ),
                        ),
                        (
                            "region",
                            models.CharField(blank=True, max_length=120, verbose_name="region"),
                        ),
                        (
                            "status_note",
                            models.CharField(
                                blank=True,
                                help_text="A sentence on the protected status, e.g. when its limits were set.",
                                max_length=300,
                                verbose_name="status note",
                            ),
                        ),
                        (
                            "ecosystem",
                            models.CharField(blank=True, max_length=200, verbose_name="ecosystem"),
                        ),
                        (
                            "summary",
                            models.TextField(
                                blank=True, help_text="Markdown.", verbose_name="summary"
                            ),
                        ),
                        (
                            "environmental_impacts",
                            models.TextField(blank=True, verbose_name="environmental impacts"),
                        ),
                        (
                            "social_impacts",
                            models.TextField(
                                blank=True,
                                help_text="Including the effects on vulnerable groups and indigenous peoples.",
                                verbose_name="social impacts",
                            ),
                        ),
                        (
                            "responses",
                            models.TextField(
                                blank=True, verbose_name="responses and solutions tried"
                            ),
                        ),
                        (
                            "stakeholders",
                            models.TextField(blank=True, verbose_name="stakeholders involved"),
                        ),
                        ("summary_html", models.TextField(default="", editable=False)),
                        (
                            "environmental_impacts_html",
                            models.TextField(default="", editable=False),
                        ),
                        ("social_impacts_html", models.TextField(default="", editable=False)),
                        ("responses_html", models.TextField(default="", editable=False)),
                        ("stakeholders_html", models.TextField(default="", editable=False)),
                        (
                            "site",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="texts",
                                to="casesites.site",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "site text",
                        "verbose_name_plural": "site texts",
                        "ordering": ("site", "language"),
                        "db_table": "portal_sitetext",
                    },
                ),
                migrations.AddConstraint(
                    model_name="site",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("latitude__gte", -90),
                            ("latitude__lte", 90),
                            ("longitude__gte", -180),
                            ("longitude__lte", 180),
                        ),
                        name="portal_site_coordinates_on_earth",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="sitetext",
                    constraint=models.UniqueConstraint(
                        fields=("site", "language"), name="portal_sitetext_language"
                    ),
                ),
            ],
            database_operations=[],
        )
    ]
