"""Handing a message to the mail server so that it is sent exactly once, even when the worker is
killed mid-batch.

Whatever order a sender writes "sent" and hands over the message in, a crash between the two
either loses the message or sends it twice. SMTP leaves a way out: a server keeps a message only
once its DATA ends with the line ".". So this backend sends the whole message, then commits that
it is sent (`before_end`), and only then ends the DATA. Killed before the commit, the worker
leaves a message the server drops with the connection, and a row still waiting: the next worker
sends it. Killed after, the server gets the end at once (it is already written to the socket)
or never: what remains between the commit and the write of three bytes is microseconds.

It is Django's SMTP backend, with the same settings (EMAIL_URL); only DATA is split.
"""

import smtplib
import socket
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends import smtp

DJANGO_SMTP = "django.core.mail.backends.smtp.EmailBackend"
END_OF_DATA = b"." + smtplib.bCRLF


class HandOff:
    """smtplib.SMTP's DATA, with `before_end()` called between the message and its end. If it
    raises, the connection is dropped, so the server discards the message."""

    before_end: Callable[[], None] | None = None

    def connect(self, *args, **kwargs):
        reply = super().connect(*args, **kwargs)
        # The end of the DATA is three bytes written after the message, before its answer came:
        # Nagle's algorithm would hold them until the server acknowledges the message, which
        # it delays up to 40 ms (delayed ACK). Every message would wait that long.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return reply

    def data(self, msg):
        if self.before_end is None:
            return super().data(msg)
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        if isinstance(msg, str):
            msg = smtplib._fix_eols(msg).encode("ascii")
        text = smtplib._quote_periods(msg)
        if text[-2:] != smtplib.bCRLF:
            text += smtplib.bCRLF
        self.send(text)
        try:
            self.before_end()
        except BaseException:
            self.close()
            raise
        self.send(END_OF_DATA)
        return self.getreply()


class HandOffSMTP(HandOff, smtplib.SMTP):
    pass


class HandOffSMTPSSL(HandOff, smtplib.SMTP_SSL):
    pass


class EmailBackend(smtp.EmailBackend):
    @property
    def connection_class(self):
        return HandOffSMTPSSL if self.use_ssl else HandOffSMTP

    def send_once(self, message: EmailMessage, *, commit: Callable[[], None]) -> None:
        self.open()
        self.connection.before_end = commit
        try:
            self.send_messages([message])
        except BaseException:
            self.close()  # a connection left in the middle of a DATA is no use again
            raise
        finally:
            if self.connection is not None:
                self.connection.before_end = None


class Committing:
    """Any other backend (the console, the test outbox): commit, then send. There is no server
    to drop a message for us, and no crash between the two that these backends would survive."""

    def __init__(self, backend):
        self.backend = backend

    def send_once(self, message: EmailMessage, *, commit: Callable[[], None]) -> None:
        commit()
        self.backend.send_messages([message])

    def open(self):
        return self.backend.open()

    def close(self):
        return self.backend.close()


def connection():
    """A connection that sends each message once (`send_once(message, commit=...)`)."""
    if settings.EMAIL_BACKEND == DJANGO_SMTP:
        return get_connection(f"{__name__}.EmailBackend")
    return Committing(get_connection())
