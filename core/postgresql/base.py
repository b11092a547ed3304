"""Django's PostgreSQL backend, which stops asking a database that did not answer.

When the database is down, each request waits the pool's whole timeout for a connection before
its 503; with two sync workers, every request queues behind those waits, cached visitors' pages
included (the soak benchmark saw 14 s). After a connection could not be had, this backend
refuses at once for DATABASE_RETRY_SECONDS, then asks the database directly, with a one-second
connection of its own: still away, it refuses for as long again; back, it starts a fresh pool
(the old one may be waiting out a reconnection backoff of several seconds) and carries on. So
requests get their 503 in milliseconds during an outage, and the portal is back within
DATABASE_RETRY_SECONDS of the database. The outage is logged once, and its end.
"""

import logging
import time

from django.conf import settings
from django.db import OperationalError
from django.db.backends.postgresql import base

logger = logging.getLogger(__name__)


class DatabaseAway(OperationalError):
    """Refused without asking: the outage is already logged."""


class WithoutRefusals(logging.Filter):
    """For django.request: a page refused while the database is away is one line of its
    outage, not a traceback per request."""

    def filter(self, record):
        return not (record.exc_info and isinstance(record.exc_info[1], DatabaseAway))


class DatabaseWrapper(base.DatabaseWrapper):
    # Shared by every connection of this process: one database, one outage.
    away = False
    asked_again_at = 0.0  # time.monotonic()

    def get_new_connection(self, conn_params):
        if DatabaseWrapper.away:
            if time.monotonic() < DatabaseWrapper.asked_again_at or not self.answers(conn_params):
                self.not_answering()
                raise DatabaseAway("The database did not answer moments ago")
            DatabaseWrapper.away = False
            logger.warning("The database answers again")
            self.close_pool()
        try:
            return super().get_new_connection(conn_params)
        except Exception as error:  # psycopg's and the pool's own errors
            if not DatabaseWrapper.away:
                logger.error("The database did not answer (%s)", error)
            self.not_answering()
            raise

    def not_answering(self):
        if not DatabaseWrapper.away or time.monotonic() >= DatabaseWrapper.asked_again_at:
            DatabaseWrapper.asked_again_at = time.monotonic() + settings.DATABASE_RETRY_SECONDS
        DatabaseWrapper.away = True

    def answers(self, conn_params) -> bool:
        try:
            self.Database.connect(**{**conn_params, "connect_timeout": 1}).close()
        except self.Database.Error:
            return False
        return True
