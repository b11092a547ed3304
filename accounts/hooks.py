"""Questions accounts asks of the apps above it (core.hooks)."""

from core.hooks import Hook

# forums answers: a suspended person is barred until the suspension ends.
barred = Hook("Is this person barred, for now, from the powers of their role?")

# forums answers: what a deleted account followed and where it stopped reading go with it.
forgotten = Hook("A person's account is deleted: forget what you keep about them alone.")

# api answers: the reader's API tokens, and the form to make one (a core.hooks.Part).
profile_parts = Hook("(request) -> a Part shown on one's own profile page, below the form")
