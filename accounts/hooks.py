"""Questions accounts asks of the apps above it (core.hooks)."""

from core.hooks import Hook

# forums answers: a suspended person is barred until the suspension ends.
barred = Hook("Is this person barred, for now, from the powers of their role?")
