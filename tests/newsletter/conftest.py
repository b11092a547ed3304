import pytest

from tests.engines import Mailbox, smtp_server


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd, in this process) behind Django's SMTP backend, so that
    newsletter.mailer splits its DATA: yields its Mailbox."""
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 10
        yield mailbox
