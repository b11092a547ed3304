"""Django's PostgreSQL backend, which stops asking a database that did not answer.

When the database is down, each request waits the pool's whole timeout for a connection before
its 503; with two sync workers, every request queues behind those waits, cached visitors' pages
included (the soak benchmark saw 14 s). After a connection that could not be had, this backend
refuses at once for DATABASE_RETRY_SECONDS, then asks again: requests get their 503 in
milliseconds during an outage, and the portal is back within that many seconds of the database.
"""

import logging
import time

from django.conf import settings
from django.db import OperationalError
from django.db.backends.postgresql import base

logger = logging.getLogger(__name__)


class DatabaseWrapper(base.DatabaseWrapper):
    asked_again_at = 0.0  # time.monotonic(); shared by every connection of this process

    def get_new_connection(self, conn_params):
        if time.monotonic() < DatabaseWrapper.asked_again_at:
            raise OperationalError("The database did not answer moments ago")
        try:
            return super().get_new_connection(conn_params)
        except Exception as error:  # psycopg's and the pool's own errors
            DatabaseWrapper.asked_again_at = time.monotonic() + settings.DATABASE_RETRY_SECONDS
            logger.error(
                "The database did not answer (%s): asked again in %s s",
                error,
                settings.DATABASE_RETRY_SECONDS,
            )
            raise
