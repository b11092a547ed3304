import secrets

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User


class Command(BaseCommand):
    help = "Create an administrator with a random password, once: does nothing if one exists."

    def add_arguments(self, parser):
        parser.add_argument("--email", default="admin@example.org")

    @transaction.atomic
    def handle(self, *args, email, **options):
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("An administrator exists already; nothing to do.")
            return
        password = secrets.token_urlsafe(15)
        admin = User.objects.create_superuser(email=email, password=password, name="Administrator")
        # The address is the operator's own: confirmed, so that allauth's login lets them in.
        EmailAddress.objects.create(user=admin, email=admin.email, verified=True, primary=True)
        self.stdout.write(
            self.style.SUCCESS(
                "\nAdministrator created. This password is shown once only; keep it safe.\n"
                f"  email:    {admin.email}\n  password: {password}\n"
            )
        )
