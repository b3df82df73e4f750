"""The view: one OAI-PMH response per request, each verb answered by a `Responder` method."""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from lxml import etree

from ...models import Dialogue, Era
from .. import changes
from . import dublin_core, tokens
from .protocol import (
    FORMATS,
    GRANULARITY,
    LOCAL_ID,
    OAI,
    OAI_SCHEMA,
    REPOSITORY_NAME,
    SET_ROOT,
    XSI,
    OAIError,
    _prefix,
    _q,
    _sub,
    datestamp,
    page_size,
    read_arguments,
    selection_from,
)


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
            tokens.read_token(args["resumptionToken"])
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
            state = tokens.read_token(args["resumptionToken"])
            if state.get("verb") != verb:
                raise OAIError(
                    "badResumptionToken",
                    f"This resumptionToken continues a {state.get('verb')}, not a {verb}.",
                )
            prefix, selection, after, cursor, size = tokens.resumed(state)
        else:
            prefix = _prefix(args)
            selection = selection_from(args, self.now)
            after, cursor, size = None, 0, None
        rows = (
            dublin_core.records()
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
            token = tokens.make_token(
                tokens.page_state(
                    verb, prefix, selection, found[-1].position, cursor + len(found), size
                )
            )
            _sub(
                node,
                "resumptionToken",
                token,
                completeListSize=str(size),
                cursor=str(cursor),
                expirationDate=datestamp(self.now + tokens.TOKEN_LIFETIME),
            )
        elif after is not None:
            # The last page of a split list ends with an empty token.
            _sub(node, "resumptionToken", completeListSize=str(size), cursor=str(cursor))

    def _find(self, record_id: int) -> changes.Change:
        change = changes.one(record_id, dialogues=dublin_core.records())
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
        dublin_core.write(metadata, change.dialogue, self.absolute)


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
