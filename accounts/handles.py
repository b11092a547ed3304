"""Public handles: the unique "@name" by which people will mention each other.

A handle keeps the case and accents its owner typed ("Amélie"), but two handles that *look* alike
must never belong to two people, or "@amelie" could point at an impostor. So every handle has a
key, its skeleton (`handle_key`), and the key is what is unique in the database:

- case, accents and other compatibility forms fold away (NFKD, combining marks dropped, casefold);
- letters of other scripts drawn like a Latin letter or digit become that letter (Cyrillic
  U+0430 "a", Greek U+03BF "o"), from the Unicode confusables table that
  `confusable_homoglyphs` ships;
- a few glyphs that read alike in ordinary fonts become one (0/o, 1/i/I/l, 5/s, rn/m...);
- the separators "_", "-" and "." are dropped.

Handles mixing scripts ("paypal" with a Cyrillic U+0430 for its "a") are refused outright.

The key is computed from the pinned confusables table and the small tables below: changing
either changes keys, and every stored key must then be computed again.
"""

import functools
import re
import unicodedata

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MIN_LENGTH = 3
MAX_LENGTH = 30
# The skeleton of a 30-character handle is longer only for compatibility ligatures (an Arabic
# ligature spells out to 18 letters); a key over this size is refused as too long.
KEY_MAX_LENGTH = 150
SEPARATORS = frozenset("_-.")

# Letters that NFKD leaves whole but that read as, or are written in ASCII as, plain letters.
# Used both for the key and to fold a name into an ASCII suggestion.
FOLDS = {
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "ħ": "h",
    "\u0131": "i",  # Turkish dotless i
    "þ": "th",
    "æ": "ae",  # French: Lætitia
    "œ": "oe",  # French: Cœur
    "ß": "ss",
}

# Glyphs that read alike in the sans-serif fonts the portal uses, after casefolding (so "I" has
# become "i" by then). Deliberately small: each entry makes more handles collide.
LOOKALIKES = {
    "0": "o",  # zero / o
    "1": "l",  # one / l
    "i": "l",  # capital I / l: one vertical stroke ("Ian" vs "lan")
    "|": "l",  # never in a handle, but a mention typed with it should not find someone else
    "5": "s",  # five / s
}
# Pairs of letters that pass for one at a glance ("rnoderator").
LOOKALIKE_PAIRS = (("rn", "m"), ("vv", "w"))

# Nobody may take these: they would pass for the programme, its staff or a group mention.
# Compared by key, so "Adm1n" and "ADMIN" are reserved too.
RESERVED = (
    "admin",
    "administrator",
    "administrators",
    "moderator",
    "moderators",
    "mod",
    "mods",
    "staff",
    "support",
    "help",
    "team",
    "official",
    "editor",
    "editors",
    "asmpace",
    "asm-pace",
    "everyone",
    "everybody",
    "here",
    "all",
    "channel",
    "system",
    "root",
    "security",
    "webmaster",
    "postmaster",
    "noreply",
    "anonymous",
    "null",
    "none",
)
# Closed accounts get "deleted<pk>" (accounts.services.account_delete): nobody else may look
# like one.
DELETED_PREFIX = "deleted"

# Written Japanese mixes these three scripts in one name, and none is drawn like Latin letters.
JAPANESE = frozenset({"HAN", "HIRAGANA", "KATAKANA"})

# Longest stem before a number is appended: room for six digits within MAX_LENGTH.
STEM_LENGTH = MAX_LENGTH - 6


@functools.cache
def _latin_lookalikes() -> dict[str, str]:
    """Each non-ASCII letter or digit that the confusables table says is drawn like an ASCII
    letter or digit, mapped to that ASCII character in lower case (Cyrillic U+0430 -> "a")."""
    from confusable_homoglyphs.confusables import confusables_data

    table = {}
    for char, glyphs in confusables_data.items():
        if len(char) != 1 or char.isascii() or not char.isalnum():
            continue
        for glyph in glyphs:
            ascii_char = glyph["c"]
            if len(ascii_char) == 1 and ascii_char.isascii() and ascii_char.isalnum():
                table[char] = ascii_char.lower()
                break
    return table


def _strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def handle_key(handle: str) -> str:
    """The skeleton of a handle: equal for handles that look alike (see the module's doc)."""
    latin = _latin_lookalikes()
    text = _strip_marks(handle.strip())
    # Before casefolding, for capitals drawn like Latin ones (Cyrillic U+041D and "H"), and after,
    # for small letters (Cyrillic U+0430 and "a").
    text = "".join(latin.get(c, c) for c in text).casefold()
    text = "".join(FOLDS.get(c, latin.get(c, c)) for c in text)
    text = "".join(LOOKALIKES.get(c, c) for c in text)
    for pair, one in LOOKALIKE_PAIRS:
        text = text.replace(pair, one)
    return "".join(c for c in text if c not in SEPARATORS)


def normalize_handle(handle: str) -> str:
    """The form a handle is stored in: composed (NFC), without surrounding spaces or "@"."""
    return unicodedata.normalize("NFC", handle.strip()).removeprefix("@")


def _is_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L")


def _is_digit(char: str) -> bool:
    return unicodedata.category(char) == "Nd"


def _is_mixed_script(handle: str) -> bool:
    from confusable_homoglyphs import categories, confusables

    if not confusables.is_mixed_script(handle):
        return False
    return not categories.unique_aliases(handle) - {"COMMON"} <= JAPANESE


_RESERVED_KEYS = frozenset(handle_key(word) for word in RESERVED)
_DELETED_KEY = handle_key(DELETED_PREFIX)


def is_reserved(key: str) -> bool:
    return key in _RESERVED_KEYS or key.startswith(_DELETED_KEY)


def _shape_error(handle: str) -> ValidationError | None:
    """What is wrong with a handle's form, whoever holds what (no database)."""
    if len(handle) < MIN_LENGTH:
        return ValidationError(
            _("A handle needs at least %(min)d characters."),
            code="too_short",
            params={"min": MIN_LENGTH},
        )
    if len(handle) > MAX_LENGTH:
        return ValidationError(
            _("A handle has at most %(max)d characters."),
            code="too_long",
            params={"max": MAX_LENGTH},
        )
    bad = [c for c in handle if not (_is_letter(c) or _is_digit(c) or c in SEPARATORS)]
    if bad:
        shown = " ".join(
            f"“{c}”" if c.isprintable() and not unicodedata.combining(c) else f"U+{ord(c):04X}"
            for c in dict.fromkeys(bad)
        )
        return ValidationError(
            _(
                "A handle may contain only letters, digits and the signs “_”, “-” and “.”: "
                "remove %(chars)s."
            ),
            code="bad_character",
            params={"chars": shown},
        )
    if not _is_letter(handle[0]):
        return ValidationError(_("A handle must start with a letter."), code="first_character")
    if handle[-1] in SEPARATORS:
        # So that "Thank you @amelie." mentions "amelie".
        return ValidationError(
            _("A handle must end with a letter or a digit."), code="last_character"
        )
    if _is_mixed_script(handle):
        return ValidationError(
            _(
                "A handle must be written in one alphabet: it mixes letters of several "
                "(for example Latin and Cyrillic letters that look alike)."
            ),
            code="mixed_scripts",
        )
    key = handle_key(handle)
    if len(key) > KEY_MAX_LENGTH:
        return ValidationError(
            _("A handle has at most %(max)d characters."),
            code="too_long",
            params={"max": MAX_LENGTH},
        )
    if is_reserved(key):
        return ValidationError(
            _("@%(handle)s is reserved: please choose another handle."),
            code="reserved",
            params={"handle": handle},
        )
    return None


def validate_handle(handle: str, *, exclude_user_id: int | None = None) -> str:
    """Raise ValidationError unless `handle` may be taken (by the user `exclude_user_id`, whose
    own handle does not count as taken). Returns the handle as it is to be stored (NFC)."""
    handle = normalize_handle(handle)
    error = _shape_error(handle)
    if error:
        raise error
    others = get_user_model()._default_manager.filter(handle_key=handle_key(handle))
    if exclude_user_id is not None:
        others = others.exclude(pk=exclude_user_id)
    if others.exists():
        raise ValidationError(
            _("@%(handle)s is already taken — try @%(suggestion)s."),
            code="taken",
            params={"handle": handle, "suggestion": free_handle(handle)},
        )
    return handle


def ascii_base(text: str) -> str:
    """A name or an email address's local part folded into the shape of a handle in ASCII
    ("Amélie N'Diaye" -> "amelie_n_diaye"), or "" when too little of it is left."""
    if "@" in text:
        text = text.split("@", 1)[0].split("+", 1)[0]
    folded = "".join(FOLDS.get(c, c) for c in _strip_marks(text.casefold()))
    base = "_".join(re.findall(r"[a-z0-9]+", folded))
    base = re.sub(r"^[0-9_]+", "", base)  # it must start with a letter
    base = base[:MAX_LENGTH].rstrip("_")
    if len(base) < MIN_LENGTH or is_reserved(handle_key(base)):
        return ""
    return base


def _stem(base: str) -> str:
    return base[:STEM_LENGTH].rstrip("".join(SEPARATORS))


def _taken_like(base: str, model=None) -> set[str]:
    """Every key in use that `base` or `base` with a number appended could collide with."""
    model = model or get_user_model()
    # The last letter of the stem may merge with what follows ("r" + "n" -> "m"): leave it out.
    prefix = handle_key(_stem(base))[:-1]
    return set(
        model._default_manager.filter(handle_key__startswith=prefix).values_list(
            "handle_key", flat=True
        )
    )


def pick_free(base: str, taken: set[str]) -> str:
    """`base`, or `base` with the smallest number from 2 appended, whose key is not in `taken`
    and not reserved. `taken` must hold every key that starts like `base` (_taken_like)."""
    stem = _stem(base)
    joint = "_" if stem[-1].isdigit() else ""  # "person_1" -> "person_1_2", not "person_12"
    candidate, number = base, 1
    while handle_key(candidate) in taken or is_reserved(handle_key(candidate)):
        number += 1
        candidate = f"{stem}{joint}{number}"
    return candidate


def free_handle(base: str) -> str:
    """`base` if it is free, else `base` followed by a number (one query)."""
    return pick_free(base, _taken_like(base))


def suggest_handle(name_or_email: str, *fallbacks: str) -> str:
    """A free handle in ASCII made from a name (or an email address), trying each fallback in
    turn when too little is left of it (a name in another script), and "member" at last."""
    for text in (name_or_email, *fallbacks):
        base = ascii_base(text or "")
        if base:
            return free_handle(base)
    return free_handle("member")


def assign_handles(users, *, model=None) -> None:
    """Give each user in `users` that has no handle a free one made from their name or email,
    and every user its key, in a query or two for the lot (for bulk_create)."""
    model = model or get_user_model()
    pending = [user for user in users if not user.handle]
    bases = [ascii_base(user.name) or ascii_base(user.email or "") or "member" for user in pending]
    wanted = {handle_key(base) for base in bases}
    taken = set()
    wanted_list = sorted(wanted)
    for start in range(0, len(wanted_list), 500):
        chunk = wanted_list[start : start + 500]
        taken |= set(
            model._default_manager.filter(handle_key__in=chunk).values_list("handle_key", flat=True)
        )
    searched = set()
    for user, base in zip(pending, bases, strict=True):
        if handle_key(base) in taken and base not in searched:
            taken |= _taken_like(base, model)
            searched.add(base)
        user.handle = pick_free(base, taken)
        taken.add(handle_key(user.handle))
    for user in users:
        user.handle_key = handle_key(user.handle)


def backfill_handles(user_model, *, users=None) -> int:
    """Give every user without a handle one (the data migration; works on its historical model),
    or, if given, each user of the queryset `users` a new one. Returns how many were given.

    From the person's name, else their email address's local part, else "member<pk>", with a
    number appended while taken; closed accounts get "deleted<pk>". One query reads the keys in
    use, then the handles are written in batches.
    """
    manager = user_model._default_manager
    if users is None:
        users = manager.filter(Q(handle__isnull=True) | Q(handle=""))
    taken = set(
        manager.exclude(pk__in=users.values("pk"))
        .exclude(handle_key__isnull=True)
        .exclude(handle_key="")
        .values_list("handle_key", flat=True)
    )
    changed = []
    for user in (
        users.order_by("pk").only("pk", "name", "email", "deleted_at").iterator(chunk_size=2000)
    ):
        if user.deleted_at:
            handle = f"{DELETED_PREFIX}{user.pk}"
        else:
            base = ascii_base(user.name) or ascii_base(user.email or "") or f"member{user.pk}"
            handle = pick_free(base, taken)
        user.handle = handle
        user.handle_key = handle_key(handle)
        taken.add(user.handle_key)
        changed.append(user)
    manager.bulk_update(changed, ["handle", "handle_key"], batch_size=500)
    return len(changed)
