"""The transactional outbox: work that must follow a write (an email, a notification, reading a
PDF) is recorded as an Entry in the write's own transaction, then handed to Celery by a relay
that retries until a worker has done it, once."""
