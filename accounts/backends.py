"""Authentication backends that read a signed-in person's account from the cache, not the
database, on every request.

Their row is one of the facts core.memberpages keeps about a reader (the "account" fact, with
their audience and what they follow, in one cache entry): every save or delete of the row bumps
their person tag (accounts.apps), as do their addresses, and a change of groups or permissions
bumps "content", so the entry is never older than the row. A write that bypasses signals
(`QuerySet.update()` on users, raw SQL) must bump `memberpages.person_tag(pk)` itself.

The password hash never goes to the cache: the kept row leaves it out (read from the database
only if something asks for it, such as the password change form), and keeps the session hash
derived from it instead, which is what Django checks on each request. The entry's name holds
the secret key, so rotating the key is not undone by the cache.
"""

from allauth.account import auth_backends
from django.conf import settings
from django.contrib.auth import backends, get_user_model

from core import memberpages

ACCOUNT = "account"


@memberpages.remembers(ACCOUNT)
def account_of(user) -> dict:
    fields = {
        field.attname: getattr(user, field.attname)
        for field in user._meta.concrete_fields
        if field.attname != "password"
    }
    return {"fields": fields, "session_hash": user.get_session_auth_hash()}


def from_account(account, facts):
    """The User of a kept account, its password deferred, its facts attached."""
    fields = account["fields"]
    user = get_user_model().from_db("default", list(fields), list(fields.values()))
    kept_hash = account["session_hash"]
    computed_hash = user.get_session_auth_hash

    def session_hash():
        # Once the password is read or set (a password change), the hash is computed again.
        if "password" in user.get_deferred_fields():
            return kept_hash
        return computed_hash()

    user.get_session_auth_hash = session_hash
    user._page_facts = facts
    return user


class KeptAccountMixin:
    def get_user(self, user_id):
        if not settings.PAGE_CACHE_SECONDS:
            return super().get_user(user_id)
        read_now = []

        def compute():
            user = super(KeptAccountMixin, self).get_user(user_id)
            if user is None:
                return None
            read_now.append(user)
            return memberpages.all_facts(user)

        facts = memberpages.facts_kept(user_id, compute)
        if read_now:
            read_now[0]._page_facts = facts
            return read_now[0]
        if facts is None or ACCOUNT not in facts:  # the cache away, the user gone, or kept
            return super().get_user(user_id)  # before this fact was

        user = from_account(facts[ACCOUNT], facts)
        return user if self.user_can_authenticate(user) else None


class ModelBackend(KeptAccountMixin, backends.ModelBackend):
    pass


class AuthenticationBackend(KeptAccountMixin, auth_backends.AuthenticationBackend):
    pass
