"""An OAI-PMH 2.0 provider at `/oai/`: the public dialogues in Dublin Core, for aggregators.

Protocol: https://www.openarchives.org/OAI/openarchivesprotocol.html. All six verbs, answered
from the one list of public changes (`changes`), so a record's datestamp is the moment of its
last public change, the same as in the changes feed, and `from`/`until` select by it.

- Identifiers are `oai:<host>:dialogue/<id>`: the database id, which a rename does not change.
- Sets: `era` (every dialogue) and `era:<slug>` per era.
- Datestamps to the second (`YYYY-MM-DDThh:mm:ssZ`); `from` and `until` also take a day, and
  must then both be days. `until` includes its whole second (or day).
- Deleted records are `persistent`: a withdrawn dialogue readers saw, and a public one
  unpublished back to a draft or deleted (a `Removal`), stay listed with `status="deleted"`.
- Lists come in pages of `OAI_PAGE_SIZE` (100) with a resumption token: the query and the
  position after the page's last record, signed (a tampered token is refused) and valid for
  `TOKEN_LIFETIME`. The first page fixes the list's end at its own moment, so that records
  changed during a harvest are not met twice; the next incremental harvest picks them up.
- Records never public (drafts, embargoed ones, withdrawals nobody saw) do not exist here:
  `idDoesNotExist`, and they are in no list. Withheld names are left out of the metadata.
"""

from __future__ import annotations

import datetime
import functools
import re

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseNotAllowed
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from lxml import etree

from ..models import Citation, Dialogue, Era, Participation
from . import changes

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

REPOSITORY_NAME = "Track II Dialogue Archive"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
PAGE_SIZE = 100
TOKEN_LIFETIME = datetime.timedelta(hours=24)
TOKEN_SALT = "dialogues.feeds.oai.resumption"
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
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
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
    element = etree.SubElement(parent, _q(tag, ns), {k: v for k, v in attrs.items() if v})
    if text is not None:
        element.text = text
    return element


# --- Arguments ----------------------------------------------------------------------------


def read_arguments(query) -> tuple[str, dict[str, str]]:
    """Return the verb and its arguments, or raise badVerb / badArgument."""
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
    except ValueError:
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
        end = until + (datetime.timedelta(days=1) if whole_day else datetime.timedelta(seconds=1))
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


# --- Resumption tokens --------------------------------------------------------------------


def make_token(state: dict) -> str:
    return signing.dumps(state, salt=TOKEN_SALT, compress=True)


def read_token(token: str) -> dict:
    try:
        state = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_LIFETIME)
    except signing.SignatureExpired:
        raise OAIError("badResumptionToken", "This resumptionToken has expired.") from None
    except signing.BadSignature:
        raise OAIError(
            "badResumptionToken", "This resumptionToken is not one this repository issued."
        ) from None
    return state


def _iso(moment):
    return moment.isoformat() if moment is not None else None


def _moment_or_none(text):
    return datetime.datetime.fromisoformat(text) if text is not None else None


def _state(verb, prefix, selection, position, cursor, size) -> dict:
    return {
        "verb": verb,
        "prefix": prefix,
        "start": _iso(selection.start),
        "end": _iso(selection.end),
        "era": selection.era_id,
        "after": [_iso(position.stamp), position.source, position.pk],
        "cursor": cursor,
        "size": size,
    }


# --- Responses ----------------------------------------------------------------------------


class Responder:
    """Build one OAI-PMH response for a request."""

    def __init__(self, request):
        self.request = request
        self.now = timezone.now().replace(microsecond=0)
        self.host = request.get_host().rsplit(":", 1)[0].strip("[]") or "localhost"
        self.base_url = request.build_absolute_uri(reverse("oai"))
        self.root = etree.Element(_q("OAI-PMH"), nsmap={None: OAI, "xsi": XSI})
        self.root.set(_q("schemaLocation", XSI), f"{OAI} {OAI_SCHEMA}")
        _sub(self.root, "responseDate", datestamp(self.now))

    @functools.cached_property
    def era_slugs(self) -> dict[int, str]:
        return dict(Era.objects.values_list("pk", "slug"))

    def identifier(self, record_id: int) -> str:
        return f"oai:{self.host}:dialogue/{record_id}"

    def record_id(self, identifier: str) -> int:
        prefix = f"oai:{self.host}:"
        match = (
            LOCAL_ID.fullmatch(identifier[len(prefix) :]) if identifier.startswith(prefix) else None
        )
        if match is None:
            raise OAIError("idDoesNotExist", f"No record here has the identifier “{identifier}”.")
        return int(match.group(1))

    def absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path)

    def respond(self, query) -> bytes:
        request_element = _sub(self.root, "request", self.base_url)
        try:
            verb, args = read_arguments(query)
            request_element.set("verb", verb)
            for name, value in args.items():
                request_element.set(name, value)
            getattr(self, verb)(args)
        except OAIError as error:
            if error.code in ("badVerb", "badArgument"):
                # The protocol: a request's arguments are echoed only when they were legal.
                request_element.attrib.clear()
            for child in list(self.root)[2:]:
                self.root.remove(child)
            _sub(self.root, "error", error.message, code=error.code)
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8")

    # Verbs ------------------------------------------------------------------------------

    def Identify(self, args):
        node = _sub(self.root, "Identify")
        _sub(node, "repositoryName", REPOSITORY_NAME)
        _sub(node, "baseURL", self.base_url)
        _sub(node, "protocolVersion", "2.0")
        _sub(node, "adminEmail", settings.OAI_ADMIN_EMAIL)
        earliest = changes.earliest()
        _sub(node, "earliestDatestamp", datestamp(earliest or self.now))
        _sub(node, "deletedRecord", "persistent")
        _sub(node, "granularity", GRANULARITY)

    def ListMetadataFormats(self, args):
        if "identifier" in args:
            self._find(self.record_id(args["identifier"]))
        node = _sub(self.root, "ListMetadataFormats")
        for prefix, (schema, namespace) in FORMATS.items():
            fmt = _sub(node, "metadataFormat")
            _sub(fmt, "metadataPrefix", prefix)
            _sub(fmt, "schema", schema)
            _sub(fmt, "metadataNamespace", namespace)

    def ListSets(self, args):
        if "resumptionToken" in args:
            read_token(args["resumptionToken"])
            # Every set fits on one page, so no token of ours ever continues this list.
            raise OAIError("badResumptionToken", "ListSets is never split: ask without a token.")
        node = _sub(self.root, "ListSets")
        root = _sub(node, "set")
        _sub(root, "setSpec", SET_ROOT)
        _sub(root, "setName", "Every era")
        for era in Era.objects.ordered().only("slug", "name"):
            item = _sub(node, "set")
            _sub(item, "setSpec", f"{SET_ROOT}:{era.slug}")
            _sub(item, "setName", era.name)

    def ListIdentifiers(self, args):
        self._list("ListIdentifiers", args, with_metadata=False)

    def ListRecords(self, args):
        self._list("ListRecords", args, with_metadata=True)

    def GetRecord(self, args):
        prefix = _prefix(args)
        change = self._find(self.record_id(args["identifier"]))
        node = _sub(self.root, "GetRecord")
        self._record(node, change, prefix, with_metadata=True)

    # Lists -------------------------------------------------------------------------------

    def _list(self, verb: str, args, *, with_metadata: bool):
        if "resumptionToken" in args:
            state = read_token(args["resumptionToken"])
            if state.get("verb") != verb:
                raise OAIError(
                    "badResumptionToken",
                    f"This resumptionToken continues a {state.get('verb')}, not a {verb}.",
                )
            prefix = state["prefix"]
            selection = changes.Selection(
                start=_moment_or_none(state["start"]),
                end=_moment_or_none(state["end"]),
                era_id=state["era"],
            )
            stamp, source, pk = state["after"]
            after = changes.Position(datetime.datetime.fromisoformat(stamp), source, pk)
            cursor, size = state["cursor"], state["size"]
        else:
            prefix = _prefix(args)
            selection = selection_from(args, self.now)
            after, cursor, size = None, 0, None
        rows = (
            _records()
            if with_metadata
            else Dialogue.objects.only(
                "pk", "slug", "era_id", "status", "published_at", "embargo_until"
            )
        )
        found, more = changes.page(selection, after, page_size(), dialogues=rows)
        if not found and after is None:
            raise OAIError("noRecordsMatch", "No record matches these arguments.")
        if size is None and (more or after is not None):
            size = changes.count(selection)
        node = _sub(self.root, verb)
        for change in found:
            if with_metadata:
                self._record(node, change, prefix, with_metadata=True)
            else:
                self._header(node, change)
        if more:
            token = make_token(
                _state(verb, prefix, selection, found[-1].position, cursor + len(found), size)
            )
            _sub(
                node,
                "resumptionToken",
                token,
                completeListSize=str(size),
                cursor=str(cursor),
                expirationDate=datestamp(self.now + TOKEN_LIFETIME),
            )
        elif after is not None:
            # The last page of a split list ends with an empty token.
            _sub(node, "resumptionToken", completeListSize=str(size), cursor=str(cursor))

    def _find(self, record_id: int) -> changes.Change:
        change = changes.one(record_id, dialogues=_records())
        if change is None:
            raise OAIError(
                "idDoesNotExist", f"No record here has the identifier dialogue/{record_id}."
            )
        return change

    # Records ------------------------------------------------------------------------------

    def _header(self, parent, change: changes.Change):
        header = _sub(parent, "header", status="deleted" if change.deleted else None)
        _sub(header, "identifier", self.identifier(change.record_id))
        _sub(header, "datestamp", datestamp(change.stamp))
        era_slug = self.era_slugs.get(change.era_id)
        if era_slug:
            _sub(header, "setSpec", SET_ROOT)
            _sub(header, "setSpec", f"{SET_ROOT}:{era_slug}")
        return header

    def _record(self, parent, change: changes.Change, prefix: str, *, with_metadata: bool):
        record = _sub(parent, "record")
        self._header(record, change)
        if change.deleted or not with_metadata:
            return
        metadata = _sub(record, "metadata")
        self._dublin_core(metadata, change.dialogue)

    def _dublin_core(self, parent, dialogue: Dialogue):
        dc = etree.SubElement(
            parent, _q("dc", OAI_DC), nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI}
        )
        dc.set(_q("schemaLocation", XSI), f"{OAI_DC} {OAI_DC_SCHEMA}")

        def add(tag, text):
            if text:
                _sub(dc, tag, text, ns=DC)

        add("title", dialogue.title)
        add("date", dialogue.date)
        if dialogue.date_earliest and dialogue.date_latest:
            add("date", f"{dialogue.date_earliest.isoformat()}/{dialogue.date_latest.isoformat()}")
        add("description", dialogue.summary)
        add("subject", dialogue.era.name)
        add("subject", dialogue.conflict.name)
        add("subject", dialogue.get_track_display())
        for participation in dialogue.participations.all():
            if not participation.is_withheld_now:
                add("contributor", participation.participant.name)
        seen = set()
        for citation in dialogue.citations.all():
            source = citation.source
            if source.pk in seen:
                continue
            seen.add(source.pk)
            parts = [source.author, source.title, source.publication, source.date_display]
            add("source", ", ".join(p for p in parts if p))
        add("coverage", dialogue.place)
        add("publisher", REPOSITORY_NAME)
        add("type", "Event")
        add("language", "en")
        add("identifier", self.absolute(dialogue.get_absolute_url()))
        add("relation", self.absolute(dialogue.era.get_absolute_url()))


def _records():
    """Dialogues with what their Dublin Core shows, in a fixed number of queries a page."""
    return Dialogue.objects.select_related("era", "conflict").prefetch_related(
        Prefetch("participations", queryset=Participation.objects.public()),
        Prefetch("citations", queryset=Citation.objects.select_related("source").order_by("pk")),
    )


@csrf_exempt
def oai(request):
    """Answer an OAI-PMH request, by GET or by a form-encoded POST, as the protocol allows.

    The rest of the site refuses POST; here it changes nothing, so needs no CSRF token.
    """
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(
            ["GET", "HEAD", "POST"],
            content=f"{request.method} is not allowed here: use GET or POST.\n",
            content_type="text/plain; charset=utf-8",
        )
    query = request.POST if request.method == "POST" else request.GET
    body = Responder(request).respond(query)
    return HttpResponse(body, content_type="text/xml; charset=utf-8")
