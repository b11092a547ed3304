from allauth.account.models import EmailAddress
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .handles import KEY_MAX_LENGTH, assign_handles, handle_key, normalize_handle
from .timezones import validate_zone, zone_of_country


class StakeholderGroup(models.TextChoices):
    MINER = "miner", _("Artisanal miner or mining community")
    COMMUNITY = "community", _("Indigenous peoples or local community")
    GOVERNMENT = "government", _("Government or public authority")
    NGO = "ngo", _("NGO, civil society or conservation organisation")
    COMPANY = "company", _("Company or supply-chain actor")
    DONOR = "donor", _("Donor or multilateral organisation")
    RESEARCH = "research", _("Research or academia")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")


class UserQuerySet(models.QuerySet):
    def public(self):
        """People whose profile anyone may see: active accounts with a confirmed address."""
        confirmed = EmailAddress.objects.filter(user=models.OuterRef("pk"), verified=True)
        return self.filter(models.Exists(confirmed), is_active=True, deleted_at__isnull=True)

    def by_handles(self, handles):
        """The active people whose handles look like any of `handles` ("@Amelie" finds the
        holder of "amélie"), in one query: what a mention in a post names."""
        keys = {handle_key(normalize_handle(handle)) for handle in handles} - {""}
        return self.filter(handle_key__in=keys, is_active=True, deleted_at__isnull=True)

    def bulk_create(self, objs, *args, **kwargs):
        """People created in bulk get a free handle each, as save() gives one person."""
        objs = list(objs)
        if any(field.name == "handle_key" for field in self.model._meta.concrete_fields):
            assign_handles(objs, model=self.model)
        return super().bulk_create(objs, *args, **kwargs)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person on the portal: their stakeholder group says who they speak for; groups, staff roles.

    Deleting an account keeps this row, emptied of personal data, so that what the person wrote
    stays readable under "Deleted user".
    """

    email = models.EmailField(_("email address"), unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=120, help_text=_("Shown publicly."))
    # Unique by its key (accounts.handles): two handles that look alike never both exist.
    handle = models.CharField(
        _("public handle"),
        max_length=30,
        unique=True,
        blank=True,
        help_text=_("How others @mention you in the dialogue."),
    )
    handle_key = models.CharField(
        _("handle key"), max_length=KEY_MAX_LENGTH, unique=True, editable=False
    )
    stakeholder_group = models.CharField(
        _("stakeholder group"), max_length=20, choices=StakeholderGroup.choices, blank=True
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )
    # Blank: their country's zone (accounts.timezones). The page's script shows times in it.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_zone],
        help_text=_("Times on the portal are shown in it. Left blank, your country's is used."),
    )
    follows_what_they_write = models.BooleanField(
        _("follow what I write"),
        default=True,
        help_text=_(
            "Starting a thread or replying in one follows it: you are told of the replies. "
            "You can stop following any thread at any time."
        ),
    )
    code_of_conduct_accepted_at = models.DateTimeField(
        _("code of conduct accepted"), null=True, blank=True
    )
    affiliation_verified_at = models.DateTimeField(
        _("affiliation verified"),
        null=True,
        blank=True,
        help_text=_("Set by a moderator who has checked who this person speaks for."),
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Whether the user can log into the admin site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("verify_user", _("Can verify, refuse and withdraw affiliations"))]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        """A person always has a handle (one is made from the name if blank) and its key."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "handle" in update_fields:
            if not self.handle:
                assign_handles([self])
            self.handle_key = handle_key(self.handle)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "handle_key"}
        super().save(*args, **kwargs)

    @property
    def display_name(self):
        if self.deleted_at:
            return str(_("Deleted user"))
        return self.name or str(_("Anonymous stakeholder"))

    @property
    def stakeholder_group_label(self):
        """As get_stakeholder_group_display, without hashing every choice's lazy label at each
        call (a thread shows it beside every post)."""
        return StakeholderGroup(self.stakeholder_group).label if self.stakeholder_group else ""

    @property
    def zone(self) -> str:
        """The zone this person's times are shown in: theirs, else their country's, else UTC."""
        return self.time_zone or zone_of_country(self.country)

    @property
    def is_verified(self):
        return self.affiliation_verified_at is not None

    def get_absolute_url(self):
        return reverse("accounts:profile", kwargs={"pk": self.pk})


class VerificationRequest(models.Model):
    """A stakeholder asks a moderator to confirm who they speak for."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a moderator")
        APPROVED = "approved", _("Verified")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verification_requests")
    statement = models.TextField(
        _("how to verify it"),
        max_length=2000,
        help_text=_(
            "Who can confirm your affiliation, and how: for example the email address of your "
            "organisation, a registration number, or a person to contact."
        ),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="open")
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("moderator's reason"), blank=True)

    class Meta:
        verbose_name = _("verification request")
        verbose_name_plural = _("verification requests")
        ordering = ("created_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("user",),
                condition=models.Q(status="open"),
                name="accounts_one_open_verification_request",
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.get_status_display()})"
