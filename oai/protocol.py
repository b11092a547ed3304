"""What a harvester may ask, checked before anything is read: verbs, arguments, dates and
resumption tokens. Every mistake is an OAIError with one of the protocol's error codes; the
answer to it is still 200 with an <error> element, as the protocol says (section 3.6)."""

import datetime
import re
from dataclasses import dataclass

from django.core import signing

# Arguments each verb requires and may have besides `verb`. A resumptionToken is exclusive:
# when it is given, nothing but the verb may come with it.
VERBS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}

DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"

# A harvest that pauses longer than this starts again: a day covers a slow harvester of the
# whole library many times over.
TOKEN_LIFETIME = datetime.timedelta(days=1)
TOKEN_SALT = "oai.resumption-token"  # noqa: S105 - a namespace for signing, not a secret


class OAIError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def bad_argument(message):
    return OAIError("badArgument", message)


@dataclass(frozen=True)
class Request:
    verb: str
    arguments: dict


def parse(query) -> Request:
    """The verb and arguments of a request (a QueryDict of GET or POST), or an OAIError."""
    verbs = query.getlist("verb")
    if len(verbs) != 1:
        raise OAIError("badVerb", "The verb argument is missing or repeated.")
    verb = verbs[0]
    if verb not in VERBS:
        raise OAIError("badVerb", f"'{verb[:50]}' is not an OAI-PMH verb.")
    required, optional = VERBS[verb]
    arguments = {}
    for name, values in query.lists():
        if name == "verb":
            continue
        if name not in required | optional:
            raise bad_argument(f"{verb} takes no argument '{name[:50]}'.")
        if len(values) != 1:
            raise bad_argument(f"The argument '{name}' is repeated.")
        arguments[name] = values[0]
    if "resumptionToken" in arguments:
        if len(arguments) > 1:
            raise bad_argument("A resumptionToken comes alone, without other arguments.")
    else:
        missing = sorted(required - arguments.keys())
        if missing:
            raise bad_argument(f"{verb} needs the argument {', '.join(missing)}.")
    return Request(verb, arguments)


@dataclass(frozen=True)
class Range:
    """from and until as a half-open interval of datestamps: start <= datestamp < end."""

    start: datetime.datetime | None = None
    end: datetime.datetime | None = None


def date_range(arguments) -> Range:
    """The `from` and `until` arguments, either a day or a second in UTC, both alike."""
    given = {name: arguments[name] for name in ("from", "until") if name in arguments}
    parsed = {name: parse_datestamp(name, value) for name, value in given.items()}
    if len({granularity for _value, granularity in parsed.values()}) > 1:
        raise bad_argument("'from' and 'until' must have the same granularity.")
    start = end = None
    if "from" in parsed:
        start = parsed["from"][0]
    if "until" in parsed:
        until, granularity = parsed["until"]
        # until is inclusive: up to the end of that day, or of that second.
        step = datetime.timedelta(**({"days": 1} if granularity == DAY else {"seconds": 1}))
        end = (
            until + step
            if until < datetime.datetime.max.replace(tzinfo=datetime.UTC) - step
            else None
        )
        if start is not None and until < start:
            raise bad_argument("'from' is later than 'until'.")
    return Range(start, end)


DAY_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SECONDS_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
LAST_MOMENT = datetime.datetime.max.replace(tzinfo=datetime.UTC)


def parse_datestamp(name, value):
    # Patterns first: Python's ISO parsing takes more than the protocol's two forms (weeks...).
    try:
        if DAY_PATTERN.fullmatch(value):
            day = datetime.date.fromisoformat(value)
            return datetime.datetime.combine(day, datetime.time(), datetime.UTC), DAY
        if SECONDS_PATTERN.fullmatch(value):
            moment = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
            return moment.replace(tzinfo=datetime.UTC), SECONDS
    except ValueError:
        pass
    raise bad_argument(f"'{name}' must be a date YYYY-MM-DD or a time YYYY-MM-DDThh:mm:ssZ.")


def datestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# Resumption tokens. A token holds the list's query and where the next page starts in the list's
# stable order (datestamp, then id), not an offset: a study changed during a harvest moves to the
# end of the list and is harvested again, and none is skipped. Signed, so that nobody can make
# one up, and dated, so that an old one is refused.


@dataclass(frozen=True)
class Token:
    verb: str
    arguments: dict  # metadataPrefix, and set, from and until when they were given
    after: tuple[datetime.datetime, int] | None  # the last (datestamp, id) already sent
    cursor: int  # how many records were sent before this page


def token_dumps(token: Token) -> str:
    after = [token.after[0].isoformat(), token.after[1]] if token.after else None
    payload = {"v": token.verb, "a": token.arguments, "k": after, "c": token.cursor}
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def token_loads(value: str, verb: str) -> Token:
    try:
        payload = signing.loads(value, salt=TOKEN_SALT, max_age=TOKEN_LIFETIME)
        after = payload["k"]
        token = Token(
            verb=payload["v"],
            arguments=dict(payload["a"]),
            after=(datetime.datetime.fromisoformat(after[0]), int(after[1])) if after else None,
            cursor=int(payload["c"]),
        )
    except signing.SignatureExpired as expired:
        raise OAIError("badResumptionToken", "This resumptionToken has expired.") from expired
    except (signing.BadSignature, KeyError, TypeError, ValueError, IndexError) as garbled:
        raise OAIError("badResumptionToken", "This resumptionToken is not valid.") from garbled
    if token.verb != verb:
        raise OAIError("badResumptionToken", f"This resumptionToken is not one of {verb}.")
    return token
