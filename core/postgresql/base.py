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
    # Shared by every connection of this process to the same database (its alias): one
    # database, one outage. A replica away is not the primary away (core/replicas.py).
    outages = {}  # alias -> time.monotonic() when the database is asked again

    @property
    def away(self) -> bool:
        return self.alias in DatabaseWrapper.outages

    def get_new_connection(self, conn_params):
        if self.away:
            if time.monotonic() < DatabaseWrapper.outages[self.alias] or not self.answers(
                conn_params
            ):
                self.not_answering()
                raise DatabaseAway("The database did not answer moments ago")
            DatabaseWrapper.outages.pop(self.alias, None)
            logger.warning("The database answers again%s", self.which(" ({})"))
            self.close_pool()
        try:
            return super().get_new_connection(conn_params)
        except Exception as error:  # psycopg's and the pool's own errors
            if not self.away:
                logger.error("The database did not answer (%s%s)", self.which("{}: "), error)
            self.not_answering()
            raise

    def which(self, template: str) -> str:
        """A replica's alias for the log; nothing for the primary."""
        return "" if self.alias == "default" else template.format(self.alias)

    def not_answering(self):
        now = time.monotonic()
        if not self.away or now >= DatabaseWrapper.outages[self.alias]:
            DatabaseWrapper.outages[self.alias] = now + settings.DATABASE_RETRY_SECONDS

    def answers(self, conn_params) -> bool:
        try:
            self.Database.connect(**{**conn_params, "connect_timeout": 1}).close()
        except self.Database.Error:
            return False
        return True
