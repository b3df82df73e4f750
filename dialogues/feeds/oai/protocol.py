"""The protocol: its namespaces, verbs and error codes, the arguments each verb takes, and
datestamps."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from lxml import etree

from ...models import Era
from ...xmltext import unsafe_characters, xml_safe
from .. import changes

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

REPOSITORY_NAME = "Track II Dialogue Archive"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
PAGE_SIZE = 100
FORMATS = {"oai_dc": (OAI_DC_SCHEMA, OAI_DC)}
SET_ROOT = "era"

# Each verb's arguments: required, optional, and whether a resumptionToken may stand for them.
VERBS = {
    "Identify": ((), (), False),
    "ListMetadataFormats": ((), ("identifier",), False),
    "ListSets": ((), (), True),
    "ListIdentifiers": (("metadataPrefix",), ("from", "until", "set"), True),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set"), True),
    "GetRecord": (("identifier", "metadataPrefix"), (), False),
}
DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", re.ASCII)
LOCAL_ID = re.compile(r"dialogue/([1-9][0-9]{0,17})")


class OAIError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def page_size() -> int:
    return getattr(settings, "OAI_PAGE_SIZE", PAGE_SIZE)


def datestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _q(tag: str, ns: str = OAI) -> str:
    return f"{{{ns}}}{tag}"


def _sub(parent, tag: str, text: str | None = None, ns: str = OAI, **attrs):
    """Add an element; stored text is written without the characters XML cannot hold."""
    element = etree.SubElement(parent, _q(tag, ns), {k: xml_safe(v) for k, v in attrs.items() if v})
    if text is not None:
        element.text = xml_safe(text)
    return element


# --- Arguments ----------------------------------------------------------------------------


def read_arguments(query) -> tuple[str, dict[str, str]]:
    """Return the verb and its arguments, or raise badVerb / badArgument."""
    for name in query:
        if unsafe_characters(name) or any(unsafe_characters(v) for v in query.getlist(name)):
            # Never echoed: the request element and the message stay well-formed.
            raise OAIError(
                "badArgument",
                "An argument holds a character that is not allowed in OAI-PMH "
                "(a control character, NUL, or a non-character such as U+FFFE).",
            )
    verbs = query.getlist("verb")
    if len(verbs) != 1:
        raise OAIError(
            "badVerb", "The verb argument is missing." if not verbs else "Give the verb once."
        )
    verb = verbs[0]
    if verb not in VERBS:
        raise OAIError(
            "badVerb", f"“{verb}” is not an OAI-PMH verb: use one of {', '.join(VERBS)}."
        )
    required, optional, resumable = VERBS[verb]
    args = {}
    for name in query:
        if name == "verb":
            continue
        values = query.getlist(name)
        if len(values) > 1:
            raise OAIError("badArgument", f"The argument {name} is given {len(values)} times.")
        allowed = {*required, *optional, *(["resumptionToken"] if resumable else [])}
        if name not in allowed:
            raise OAIError(
                "badArgument",
                f"{verb} does not take the argument {name}"
                + (f"; it takes {', '.join(sorted(allowed))}." if allowed else "; it takes none."),
            )
        args[name] = values[0]
    if "resumptionToken" in args:
        if len(args) > 1:
            raise OAIError(
                "badArgument", "A resumptionToken is the only argument allowed beside the verb."
            )
        return verb, args
    missing = [name for name in required if name not in args]
    if missing:
        raise OAIError("badArgument", f"{verb} needs the argument {', '.join(missing)}.")
    return verb, args


def _moment(name: str, value: str) -> tuple[datetime.datetime, bool]:
    """Read a from/until value; return its first moment and whether it is a whole day."""
    try:
        if DAY.fullmatch(value):
            day = datetime.date.fromisoformat(value)
            return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC), True
        if SECOND.fullmatch(value):
            moment = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
            return moment.replace(tzinfo=datetime.UTC), False
    except (ValueError, OverflowError):
        pass
    raise OAIError(
        "badArgument",
        f"{name}={value} is not a date: give a day (YYYY-MM-DD) "
        "or a second (YYYY-MM-DDThh:mm:ssZ).",
    )


def selection_from(args: dict[str, str], now: datetime.datetime) -> changes.Selection:
    """The selection a list request's from, until and set make, ending no later than `now`."""
    start = end = None
    granularities = set()
    if "from" in args:
        start, whole_day = _moment("from", args["from"])
        granularities.add(whole_day)
    if "until" in args:
        until, whole_day = _moment("until", args["until"])
        granularities.add(whole_day)
        try:
            end = until + (
                datetime.timedelta(days=1) if whole_day else datetime.timedelta(seconds=1)
            )
        except OverflowError:
            raise OAIError(
                "badArgument",
                f"until={args['until']} is out of range: give a day before 9999-12-31.",
            ) from None
        if start is not None and until < start:
            raise OAIError("badArgument", "until is earlier than from.")
    if len(granularities) > 1:
        raise OAIError(
            "badArgument",
            "from and until must have the same granularity: both days or both seconds.",
        )
    end = now if end is None else min(end, now)
    era_id = None
    if "set" in args:
        era_id = _era_of_set(args["set"])
    return changes.Selection(start=start, end=end, era_id=era_id)


def _era_of_set(spec: str) -> int | None:
    if spec == SET_ROOT:
        return None
    root, _, slug = spec.partition(":")
    era = Era.objects.filter(slug=slug).only("pk").first() if root == SET_ROOT and slug else None
    if era is None:
        raise OAIError("badArgument", f"There is no set “{spec}”: ListSets names them.")
    return era.pk


def _prefix(args) -> str:
    prefix = args["metadataPrefix"]
    if prefix not in FORMATS:
        raise OAIError(
            "cannotDisseminateFormat",
            f"“{prefix}” is not a metadata format here: use {', '.join(FORMATS)}.",
        )
    return prefix
